import { describe, expect, it } from 'vitest';
import { turnScheduler } from './capture-hub.ts';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('capture turn scheduler', () => {
  it('reads within one budget per turn, workers taking turns, and yields between turns', async () => {
    const s = turnScheduler(100);
    const reads: string[] = [];
    // Each worker has 120 bytes waiting and reads what the budget allows.
    const worker = (name: string) => {
      let left = 120;
      const pump = (budget: number): number => {
        const n = Math.min(left, budget);
        left -= n;
        reads.push(`${name}${n}`);
        if (left > 0) s.request(pump);
        return n;
      };
      return pump;
    };
    s.request(worker('a'));
    s.request(worker('b'));
    expect(reads).toEqual([]); // never in the caller's turn
    await turn();
    expect(reads).toEqual(['a100']);
    let between = false;
    setImmediate(() => (between = true)); // something else queued for the next turn
    await turn();
    expect(between).toBe(true);
    for (let i = 0; i < 5; i++) await turn();
    expect(reads).toEqual(['a100', 'b100', 'a20', 'b20']);
  });
});
