// The Logs drawer: tail, live lines, limits, catching up after a reconnect.
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/index.ts';
import { memoryPrefs } from './index.ts';
import { line, settle, setup, worker } from './test-support.ts';

describe('store: logs drawer', () => {
  it('joins the tail with lines that arrived while it loaded, without duplicates', async () => {
    let answer!: (v: unknown) => void;
    const t = setup({ getLogs: () => new Promise((r) => (answer = r)) });
    t.emit({ kind: 'status', items: [worker('a'), worker('b')] });
    const opening = t.a().openLogs('a');
    expect(t.called('getLogs')).toEqual([{ id: 'a', tail: 2000 }]);
    t.emit({ kind: 'logs', id: 'a', lines: [{ ts: 2, stream: 'out', line: 'two' }] });
    t.emit({ kind: 'logs', id: 'a', lines: [{ ts: 3, stream: 'out', line: 'three' }] });
    t.emit({ kind: 'logs', id: 'b', lines: [{ ts: 3, stream: 'out', line: 'other worker' }] });
    answer({ items: [line(1, 'one'), line(2, 'two')] });
    await opening;
    t.emit({ kind: 'logs', id: 'a', lines: [{ ts: 4, stream: 'err', line: 'four' }] });
    const logs = t.s().logs!;
    expect(logs.loading).toBe(false);
    expect(logs.label).toBe('label-a');
    expect(logs.ring.toArray().map((l) => l.line)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('stays within its limit and counts what it let go', async () => {
    const t = setup({ getLogs: () => ({ items: [] }) }, { logLines: 5 });
    await t.a().openLogs('a');
    for (let i = 0; i < 12; i++)
      t.emit({ kind: 'logs', id: 'a', lines: [{ ts: i, stream: 'out', line: `${i}` }] });
    const ring = t.s().logs!.ring;
    expect(ring.size).toBe(5);
    expect(ring.evicted).toBe(7);
  });

  it('after a reconnect it fetches what it missed', async () => {
    let tail: LogLine[] = [line(1, 'one')];
    const t = setup({ getLogs: () => ({ items: tail }) });
    await t.a().openLogs('a');
    t.connect('open');
    t.connect('reconnecting');
    tail = [line(1, 'one'), line(5, 'missed'), line(6, 'missed too')];
    t.connect('open');
    await settle();
    expect(
      t
        .s()
        .logs!.ring.toArray()
        .map((l) => l.line),
    ).toEqual(['one', 'missed', 'missed too']);
    expect(t.s().logs!.gap).toBe(false);
  });

  it('an answer for a closed drawer is ignored', async () => {
    let answer!: (v: unknown) => void;
    const t = setup({ getLogs: () => new Promise((r) => (answer = r)) });
    const opening = t.a().openLogs('a');
    t.a().closeDrawer();
    answer({ items: [line(1, 'late')] });
    await opening;
    expect(t.s().logs).toBeNull();
    expect(t.s().drawer).toBeNull();
  });

  it('remembers whether lines wrap, for every drawer and the next visit', async () => {
    const prefs = memoryPrefs();
    const t = setup({ getLogs: () => ({ items: [] }) }, {}, { prefs });
    expect(t.s().logWrap).toBe(false);
    await t.a().openLogs('a');
    t.a().setLogWrap(true);
    t.a().closeDrawer();
    await t.a().openLogs('b');
    expect(t.s().logWrap).toBe(true);
    // A new page (the same storage) starts wrapped.
    expect(setup({}, {}, { prefs }).s().logWrap).toBe(true);
    t.a().setLogWrap(false);
    expect(setup({}, {}, { prefs }).s().logWrap).toBe(false);
  });
});
