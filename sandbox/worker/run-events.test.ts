import { describe, expect, it } from 'vitest';
import { eventKinds, planRunEvents, type PlannedEvent } from './run-events.ts';

const run = {
  runId: '3f0c9d1e-aaaa-bbbb-cccc-000000000001',
  prompt: 'Fix the flaky\n test in routes.ts',
  durationMs: 3000,
  events: 12,
};

type Block = {
  type: string;
  id?: string;
  tool_use_id?: string;
  name?: string;
  input?: unknown;
  content?: unknown;
  text?: string;
};
const blocks = (e: PlannedEvent): Block[] => {
  const message = e.payload.message as { content: Block[] } | undefined;
  return message?.content ?? [];
};

describe('eventKinds', () => {
  it('has exactly the requested count, init first and result last', () => {
    expect(eventKinds(0)).toEqual([]);
    expect(eventKinds(1)).toEqual(['result']);
    expect(eventKinds(2)).toEqual(['text', 'result']);
    for (let n = 3; n <= 40; n++) {
      const kinds = eventKinds(n);
      expect(kinds).toHaveLength(n);
      expect(kinds[0]).toBe('init');
      expect(kinds.at(-1)).toBe('result');
    }
  });

  it('always follows a tool call by its result', () => {
    for (let n = 0; n <= 40; n++) {
      const kinds = eventKinds(n);
      kinds.forEach((k, i) => {
        if (k === 'tool') expect(kinds[i + 1]).toBe('tool_result');
        if (k === 'tool_result') expect(kinds[i - 1]).toBe('tool');
      });
    }
  });
});

describe('planRunEvents', () => {
  const plan = planRunEvents(run);

  it('spreads the events over the duration, first at 0 and last at the end', () => {
    expect(plan).toHaveLength(12);
    expect(plan[0]?.atMs).toBe(0);
    expect(plan.at(-1)?.atMs).toBe(3000);
    for (let i = 1; i < plan.length; i++)
      expect(plan[i]!.atMs).toBeGreaterThanOrEqual(plan[i - 1]!.atMs);
    expect(planRunEvents({ ...run, events: 1 })[0]?.atMs).toBe(3000);
  });

  it('uses the shapes the dashboard renders (contract §3.5)', () => {
    const types = new Set(plan.map((e) => e.type));
    expect(types).toEqual(new Set(['system', 'assistant', 'user', 'stderr', 'result']));
    const all = plan.flatMap(blocks);
    expect(
      all.some(
        (b) =>
          b.type === 'text' && typeof b.text === 'string' && b.text.includes('Fix the flaky test'),
      ),
    ).toBe(true);
    expect(
      all.some(
        (b) => b.type === 'tool_use' && typeof b.name === 'string' && typeof b.input === 'object',
      ),
    ).toBe(true);
    expect(all.some((b) => b.type === 'tool_result' && typeof b.content === 'string')).toBe(true);
    for (const e of plan.filter((x) => x.type === 'stderr'))
      expect(typeof e.payload.text).toBe('string');
    expect(typeof plan.at(-1)?.payload.result).toBe('string');
  });

  it('pairs each tool_result with the id of the tool_use before it', () => {
    plan.forEach((e, i) => {
      const result = blocks(e).find((b) => b.type === 'tool_result');
      if (!result) return;
      const use = blocks(plan[i - 1]!).find((b) => b.type === 'tool_use');
      expect(result.tool_use_id).toBe(use?.id);
    });
  });

  it('is deterministic per run and prints stderr events on stderr', () => {
    expect(planRunEvents(run)).toEqual(plan);
    for (const e of plan) {
      expect(e.log.stream).toBe(e.type === 'stderr' ? 'err' : 'out');
      expect(e.log.text.startsWith('[run 3f0c9d1e]')).toBe(true);
    }
  });

  it('plans nothing for a run with no events', () => {
    expect(planRunEvents({ ...run, events: 0 })).toEqual([]);
  });
});
