import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/index.ts';
import { FilteredView, LogRing } from './log-ring.ts';

const line = (i: number, stream: 'out' | 'err' = 'out', text = `line ${i}`): LogLine => ({
  ts: 1000 + i,
  stream,
  line: text,
});

describe('LogRing', () => {
  it('keeps the newest `capacity` lines, counting what it let go', () => {
    const ring = new LogRing(3);
    for (let i = 0; i < 5; i++) ring.push(line(i));
    expect(ring.size).toBe(3);
    expect(ring.evicted).toBe(2);
    expect(ring.toArray().map((l) => l.line)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(ring.at(1)).toBeUndefined();
    expect(ring.at(2)?.line).toBe('line 2');
    expect(ring.last()?.line).toBe('line 4');
  });

  it('holds 100 000 lines and wraps without growing', () => {
    const ring = new LogRing(100_000);
    for (let i = 0; i < 250_000; i++) ring.push(line(i));
    expect(ring.size).toBe(100_000);
    expect(ring.at(ring.firstSeq)?.line).toBe('line 150000');
    expect(ring.last()?.line).toBe('line 249999');
  });

  it('returns the run of newest lines sharing a timestamp', () => {
    const ring = new LogRing(10);
    ring.pushAll([
      { ts: 1, stream: 'out', line: 'a' },
      { ts: 2, stream: 'out', line: 'b' },
      { ts: 2, stream: 'err', line: 'c' },
    ]);
    expect(ring.lastTimestampRun().map((l) => l.line)).toEqual(['b', 'c']);
    expect(new LogRing(2).lastTimestampRun()).toEqual([]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new LogRing(0)).toThrow(RangeError);
  });
});

describe('FilteredView', () => {
  it('without a filter mirrors the ring', () => {
    const ring = new LogRing(5);
    const view = new FilteredView(ring, { stream: 'all', search: '' });
    for (let i = 0; i < 7; i++) ring.push(line(i));
    view.sync();
    expect(view.length).toBe(5);
    expect(view.lineAt(0)?.line).toBe('line 2');
    expect(view.lineAt(5)).toBeUndefined();
  });

  it('filters by stream and case-insensitive search, incrementally', () => {
    const ring = new LogRing(100);
    ring.pushAll([line(0, 'out', 'Hello'), line(1, 'err', 'hello error'), line(2, 'err', 'x')]);
    const view = new FilteredView(ring, { stream: 'err', search: ' HELLO ' });
    expect(view.lines().map((l) => l.line)).toEqual(['hello error']);
    ring.push(line(3, 'err', 'another hello'));
    ring.push(line(4, 'out', 'hello from stdout'));
    view.sync();
    expect(view.lines().map((l) => l.line)).toEqual(['hello error', 'another hello']);
  });

  it('forgets matches the ring evicted', () => {
    const ring = new LogRing(4);
    const view = new FilteredView(ring, { stream: 'err', search: '' });
    for (let i = 0; i < 10; i++) {
      ring.push(line(i, i % 2 ? 'err' : 'out'));
      view.sync();
    }
    // The ring holds lines 6..9; of those, 7 and 9 are stderr.
    expect(view.lines().map((l) => l.line)).toEqual(['line 7', 'line 9']);
  });

  it('stays consistent over many evictions (compaction)', () => {
    const ring = new LogRing(1000);
    const view = new FilteredView(ring, { stream: 'all', search: 'keep' });
    for (let i = 0; i < 20_000; i++) {
      ring.push(line(i, 'out', i % 3 === 0 ? `keep ${i}` : `drop ${i}`));
      if (i % 97 === 0) view.sync();
    }
    view.sync();
    const expected = ring.toArray().filter((l) => l.line.startsWith('keep'));
    expect(view.lines()).toEqual(expected);
  });

  it('keeps its index bounded over 100 000 lines through a small ring (compaction)', () => {
    const ring = new LogRing(1000);
    const view = new FilteredView(ring, { stream: 'all', search: 'keep' });
    let largest = 0;
    for (let i = 0; i < 100_000; i++) {
      ring.push(line(i, 'out', i % 3 === 0 ? `drop ${i}` : `keep ${i}`)); // two lines in three match
      if (i % 10 === 0) {
        view.sync();
        largest = Math.max(largest, view.indexSize);
      }
    }
    view.sync();
    // 667 live matches at most (two in three of the ring's 1000); compaction lets up to 4096 dead ones pile up before it cuts.
    expect(largest).toBeGreaterThan(4096);
    expect(largest).toBeLessThanOrEqual(2 * (667 + 4096));
    expect(view.indexSize).toBeLessThanOrEqual(2 * (667 + 4096));
    expect(view.lines()).toEqual(ring.toArray().filter((l) => l.line.startsWith('keep')));
  });
});

describe('LogRing edges', () => {
  it('refuses a capacity below one; a capacity of one keeps the newest line', () => {
    expect(() => new LogRing(0)).toThrow(new RangeError('capacity must be >= 1'));
    expect(() => new LogRing(1.5)).toThrow(RangeError);
    const one = new LogRing(1);
    one.push(line(0));
    one.push(line(1));
    expect(one.toArray()).toEqual([line(1)]);
    expect(one.firstSeq).toBe(1);
    expect(one.endSeq).toBe(2);
  });

  it('keeps exactly `capacity` lines when full, before any is evicted', () => {
    const ring = new LogRing(3);
    ring.pushAll([line(0), line(1), line(2)]);
    expect(ring.size).toBe(3);
    expect(ring.evicted).toBe(0);
    expect(ring.toArray()).toEqual([line(0), line(1), line(2)]);
    expect(ring.at(3)).toBeUndefined();
    expect(ring.at(-1)).toBeUndefined();
  });

  it('the last run of one timestamp: the overlap a fetched tail may repeat', () => {
    const ring = new LogRing(10);
    expect(ring.lastTimestampRun()).toEqual([]);
    const at = (ts: number, text: string): LogLine => ({ ts, stream: 'out', line: text });
    ring.pushAll([at(1, 'a'), at(2, 'b'), at(2, 'c')]);
    expect(ring.lastTimestampRun().map((l) => l.line)).toEqual(['b', 'c']);
    const all = new LogRing(2);
    all.pushAll([at(1, 'x'), at(5, 'y'), at(5, 'z')]);
    // The run stops at the oldest line kept.
    expect(all.lastTimestampRun().map((l) => l.line)).toEqual(['y', 'z']);
  });
});

describe('FilteredView edges', () => {
  const ring = () => {
    const r = new LogRing(5);
    r.pushAll([line(0), line(1, 'err', 'Boom'), line(2), line(3, 'err', 'boom again')]);
    return r;
  };

  it('no filter shows the ring as it is, and follows it without a sync', () => {
    const r = ring();
    const view = new FilteredView(r, { stream: 'all', search: '  ' });
    expect(view.length).toBe(4);
    expect(view.lineAt(0)).toEqual(line(0));
    expect(view.lineAt(3)?.line).toBe('boom again');
    expect(view.lineAt(4)).toBeUndefined();
    expect(view.lineAt(-1)).toBeUndefined();
    r.push(line(4));
    r.push(line(5));
    expect(view.length).toBe(5);
    expect(view.lineAt(0)).toEqual(line(1, 'err', 'Boom'));
  });

  it('a stream filter, a case-insensitive search, and both', () => {
    const r = ring();
    expect(new FilteredView(r, { stream: 'err', search: '' }).lines().map((l) => l.line)).toEqual([
      'Boom',
      'boom again',
    ]);
    expect(
      new FilteredView(r, { stream: 'all', search: 'BOOM' }).lines().map((l) => l.line),
    ).toEqual(['Boom', 'boom again']);
    expect(new FilteredView(r, { stream: 'out', search: 'line 2' }).lines()).toEqual([line(2)]);
    expect(new FilteredView(r, { stream: 'out', search: 'boom' }).length).toBe(0);
  });

  it('sync takes in new lines once and forgets evicted ones', () => {
    const r = ring();
    const view = new FilteredView(r, { stream: 'err', search: '' });
    r.push(line(4, 'err', 'third'));
    view.sync();
    view.sync();
    expect(view.lines().map((l) => l.line)).toEqual(['Boom', 'boom again', 'third']);
    r.pushAll([line(5), line(6)]); // evicts 0 and the first err line
    view.sync();
    expect(view.length).toBe(2);
    expect(view.lineAt(0)?.line).toBe('boom again');
    expect(view.lineAt(2)).toBeUndefined();
  });
});
