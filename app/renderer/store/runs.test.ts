// The Runs drawer: the newest run followed through frames, a picked run kept, limits.
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../shared/index.ts';
import { ev, settle, setup, worker } from './test-support.ts';

describe('store: runs drawer', () => {
  it('selects the newest run, then follows it with after=<last seq>', async () => {
    const t = setup({
      listRuns: () => ({
        items: [
          { runId: 'r2', updatedAt: 2, bytes: 10 },
          { runId: 'r1', updatedAt: 1, bytes: 10 },
        ],
      }),
      getRunEvents: (i) => ({
        items:
          i.after === undefined ? [ev(1), ev(2)] : [ev(Number(i.after)), ev(Number(i.after) + 1)],
      }),
    });
    t.emit({
      kind: 'status',
      items: [worker('a', { currentRunId: 'r2', busy: true, lastEvent: { type: 'x', at: '1' } })],
    });
    await t.a().openRuns('a');
    expect(t.called('getRunEvents')).toEqual([{ id: 'a', runId: 'r2', tail: 1000 }]);
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([1, 2]);
    t.connect('open');
    await settle();
    // Connecting catches up too (the events may have moved while the stream was down).
    expect(t.called('getRunEvents').at(-1)).toEqual({ id: 'a', runId: 'r2', after: 2 });
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([1, 2, 3]);

    // The run progressed (a status frame says so): ask for what came after.
    t.emit({
      kind: 'status',
      items: [worker('a', { currentRunId: 'r2', busy: true, lastEvent: { type: 'y', at: '2' } })],
    });
    await settle();
    expect(t.called('getRunEvents').at(-1)).toEqual({ id: 'a', runId: 'r2', after: 3 });
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);

    // run-events frames append directly.
    t.emit({ kind: 'run-events', id: 'a', runId: 'r2', items: [ev(4), ev(5)] });
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    t.emit({ kind: 'run-events', id: 'a', runId: 'r1', items: [ev(9)] });
    expect(t.s().runs!.lastSeq).toBe(5);
  });

  it('keeps the frames that arrive while the run loads, so no event goes missing', async () => {
    let answer: (v: unknown) => void = () => undefined;
    const t = setup({
      listRuns: () => ({ items: [{ runId: 'r1', updatedAt: 1, bytes: 10 }] }),
      getRunEvents: () => new Promise((r) => (answer = r)),
    });
    t.emit({ kind: 'status', items: [worker('a', { currentRunId: 'r1' })] });
    const opening = t.a().openRuns('a');
    await settle();
    expect(t.s().runs!.eventsLoading).toBe(true);
    t.emit({ kind: 'run-events', id: 'a', runId: 'r1', items: [ev(2), ev(3)] });
    t.emit({ kind: 'run-events', id: 'a', runId: 'r1', items: [ev(4)] });
    answer({ items: [ev(1), ev(2)] });
    await opening;
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('picking an older run stops following the newest', async () => {
    const t = setup({
      listRuns: () => ({
        items: [
          { runId: 'r2', updatedAt: 2, bytes: 1 },
          { runId: 'r1', updatedAt: 1, bytes: 1 },
        ],
      }),
      getRunEvents: () => ({ items: [ev(1)] }),
    });
    await t.a().openRuns('a');
    await t.a().selectRun('r1');
    expect(t.s().runs).toMatchObject({ selectedRunId: 'r1', autoSelect: false });
    await t.a().refreshRunsList();
    expect(t.s().runs!.selectedRunId).toBe('r1');
  });

  it('keeps at most the limit of events, counting the rest', async () => {
    const t = setup(
      {
        listRuns: () => ({ items: [{ runId: 'r', updatedAt: 1, bytes: 1 }] }),
        getRunEvents: () => ({ items: [ev(1), ev(2), ev(3)] }),
      },
      { runEvents: 2 },
    );
    await t.a().openRuns('a');
    expect(t.s().runs).toMatchObject({ truncated: 1, lastSeq: 3 });
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([2, 3]);
  });

  it('empty and error states', async () => {
    const t = setup({
      listRuns: () => {
        throw new CommandError('internal', 'disk on fire');
      },
    });
    await t.a().openRuns('a');
    expect(t.s().runs).toMatchObject({ list: null, listError: 'disk on fire' });
  });
});
