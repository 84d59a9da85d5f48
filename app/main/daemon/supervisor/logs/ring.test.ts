import { describe, expect, it } from 'vitest';
import { Ring } from './ring.ts';

describe('Ring', () => {
  it('keeps the newest items, oldest first, across many wraps', () => {
    const r = new Ring<number>(5);
    expect(r.last()).toEqual([]);
    for (let i = 0; i < 3; i++) r.push(i);
    expect(r.last()).toEqual([0, 1, 2]);
    for (let i = 3; i < 23; i++) r.push(i);
    expect(r.size).toBe(5);
    expect(r.last()).toEqual([18, 19, 20, 21, 22]);
    expect(r.last(2)).toEqual([21, 22]);
    expect(r.last(0)).toEqual([]);
    expect(r.last(99)).toEqual([18, 19, 20, 21, 22]);
    expect(r.last(-1)).toEqual([]);
  });

  it('rejects a capacity below one or not whole; one is enough', () => {
    expect(() => new Ring(0)).toThrow(RangeError);
    expect(() => new Ring(2.5)).toThrow('ring capacity must be a positive integer');
    const one = new Ring<string>(1);
    one.push('a');
    one.push('b');
    expect(one.last()).toEqual(['b']);
  });

  it('takes the whole part of a fractional count', () => {
    const r = new Ring<number>(5);
    for (let i = 0; i < 5; i++) r.push(i);
    expect(r.last(2.7)).toEqual([3, 4]);
  });
});
