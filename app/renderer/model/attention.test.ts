import { describe, expect, it } from 'vitest';
import type { ConnectivitySample, FusedWorker, RemoteView } from '../../shared/index.ts';
import { local, sample, worker } from '../store/test-support.ts';
import {
  attentionOf,
  eventTypeText,
  outageSinceOf,
  pageTitle,
  problemCount,
  runCounts,
  sortByAttention,
  summaryItems,
} from './attention.ts';

const remote = (patch: Partial<RemoteView> = {}): RemoteView => ({
  status: 'online',
  currentRunId: null,
  version: '1.1.0',
  lastSeenAt: null,
  disabled: false,
  ...patch,
});
/** Up to date, running, online: nothing to look at. */
const fine = (id: string, patch: Partial<FusedWorker> = {}): FusedWorker =>
  worker(id, { versionStale: false, latestWorkerVersion: '1.0.0', remote: remote(), ...patch });
const looping = (id: string) =>
  fine(id, { local: local(id, { state: 'backing-off', restarts: 4 }) });
const down = (ts: number, verdict: ConnectivitySample['verdict'] = 'api-unreachable') => ({
  ...sample(ts),
  verdict,
});

describe('attention', () => {
  it('names the one thing each row most needs looked at', () => {
    expect(attentionOf(fine('a'))).toBe('fine');
    expect(attentionOf(looping('a'))).toBe('crash-loop');
    expect(attentionOf(fine('a', { local: local('a', { state: 'crashed' }) }))).toBe('crash-loop');
    // Two restarts are a blip, not a loop: still not running as it should.
    const blip = fine('a', { local: local('a', { state: 'backing-off', restarts: 2 }) });
    expect(attentionOf(blip)).toBe('not-running');
    expect(attentionOf(fine('a', { local: local('a', { state: 'needs-runtime' }) }))).toBe(
      'needs-runtime',
    );
    // Stopped on purpose is fine; a stop that waits for its run is not a problem.
    const stopped = fine('a', {
      desiredState: 'disabled',
      local: local('a', { state: 'stopped' }),
    });
    expect(attentionOf(stopped)).toBe('fine');
    const draining = fine('a', { local: local('a', { state: 'stopped', draining: true }) });
    expect(attentionOf(draining)).toBe('fine');
    expect(attentionOf(fine('a', { remote: remote({ stale: true }) }))).toBe('stale');
    expect(attentionOf(worker('a', { remote: remote() }))).toBe('upgrade');
  });

  it('sorts problem rows first, worst first, else keeps the daemon order', () => {
    const rows = [
      fine('a'),
      worker('b', { remote: remote() }), // upgrade: a notice, not a problem
      fine('c', { remote: remote({ stale: true }) }),
      looping('d'),
      fine('e'),
    ];
    expect(sortByAttention(rows).map((w) => w.id)).toEqual(['d', 'c', 'a', 'b', 'e']);
    expect(problemCount(rows)).toBe(2);
  });

  it('puts the count of problems in the page title', () => {
    expect(pageTitle(1)).toBe('(1) PipedAI Orchestrator');
    expect(pageTitle(0)).toBe('PipedAI Orchestrator');
  });
});

const noRuntime = (id: string) => fine(id, { local: local(id, { state: 'needs-runtime' }) });
const stopped = (id: string) => fine(id, { local: local(id, { state: 'stopped' }) });
const stale = (id: string) => fine(id, { remote: remote({ stale: true }) });
const upgrade = (id: string) => worker(id, { remote: remote() });

describe('attention, case by case', () => {
  it('a worker without any runtime needs one, even before the daemon says so', () => {
    const none = fine('a', {
      runtime: {
        source: 'none',
        version: null,
        previous: null,
        command: null,
        rolledBackFrom: null,
        rolledBackAutomatically: false,
        problem: 'pipedai-worker is not installed',
      },
    });
    expect(attentionOf(none)).toBe('needs-runtime');
  });

  it('not running is a problem only for a worker meant to run here and now', () => {
    expect(attentionOf(stopped('a'))).toBe('not-running');
    // Disabled on the PipedAI side: not meant to run.
    expect(
      attentionOf(fine('a', { remote: remote({ disabled: true }), local: stopped('a').local })),
    ).toBe('fine');
    expect(attentionOf(fine('a', { local: local('a', { state: 'starting' }) }))).toBe('fine');
    // Nothing known locally (the supervisor has not reported it yet).
    expect(attentionOf(fine('a', { local: null }))).toBe('fine');
    // Nothing known remotely yet: judged on what runs here.
    expect(attentionOf(fine('a', { remote: null }))).toBe('fine');
    expect(attentionOf(fine('a', { remote: null, local: stopped('a').local }))).toBe('not-running');
    // The worse of two problems wins: stopped and stale reads as not running.
    expect(
      attentionOf(fine('a', { local: stopped('a').local, remote: remote({ stale: true }) })),
    ).toBe('not-running');
    // Stale and an upgrade on offer: the stale status first.
    expect(attentionOf(worker('a', { remote: remote({ stale: true }) }))).toBe('stale');
  });

  it('orders every kind of problem worst first, the rest in the daemon order', () => {
    const rows = [upgrade('u'), fine('f'), stale('s'), stopped('n'), noRuntime('r'), looping('c')];
    expect(sortByAttention(rows).map((w) => w.id)).toEqual(['c', 'r', 'n', 's', 'u', 'f']);
    expect(problemCount(rows)).toBe(4);
  });
});

describe('summary strip', () => {
  const now = 100_000;

  it('names each kind in the singular and the plural, with its tone, worst first', () => {
    const calm = { current: sample(now), history: [] };
    const many = [
      upgrade('u1'),
      upgrade('u2'),
      stale('s1'),
      stale('s2'),
      stopped('n1'),
      stopped('n2'),
      noRuntime('r1'),
      noRuntime('r2'),
      looping('c1'),
      looping('c2'),
    ];
    expect(summaryItems(many, calm, now)).toEqual([
      { key: 'count', text: '10 workers', tone: 'neutral' },
      { key: 'crash-loop', text: '2 crash-looping', tone: 'bad', workerId: 'c1' },
      { key: 'needs-runtime', text: '2 without their runtime', tone: 'warn', workerId: 'r1' },
      { key: 'not-running', text: '2 not running', tone: 'warn', workerId: 'n1' },
      { key: 'stale', text: '2 with out-of-date status', tone: 'neutral', workerId: 's1' },
      { key: 'upgrade', text: '2 upgrades available', tone: 'info', workerId: 'u1' },
    ]);
    const one = [upgrade('u'), stale('s'), stopped('n'), noRuntime('r'), looping('c')];
    expect(summaryItems(one, calm, now).map((i) => i.text)).toEqual([
      '5 workers',
      '1 crash-looping',
      '1 without its runtime',
      '1 not running',
      '1 with out-of-date status',
      '1 upgrade available',
    ]);
    expect(summaryItems([], calm, now)).toEqual([
      { key: 'count', text: '0 workers', tone: 'neutral' },
    ]);
  });

  it('an outage whose start is not in the history is named without a duration', () => {
    // The latest sample is older than the history's last (online) one: nothing dates the outage.
    const c = { current: down(now - 10_000), history: [sample(now)] };
    expect(outageSinceOf(c)).toBeNull();
    expect(summaryItems([], c, now).at(-1)).toEqual({
      key: 'outage',
      text: 'PipedAI unreachable',
      tone: 'bad',
      opensConnectivity: true,
    });
    // A sample at the same moment as the history's last adds nothing.
    expect(outageSinceOf({ current: down(now), history: [sample(now)] })).toBeNull();
    // An outage that began with the latest sample, after a calm history.
    expect(outageSinceOf({ current: down(now - 1_000), history: [sample(now - 5_000)] })).toBe(
      now - 1_000,
    );
    // The connectivity check has not answered yet: no outage item.
    expect(summaryItems([], { current: null, history: [] }, now)).toHaveLength(1);
  });

  it('"3 workers · 1 crash-looping · 1 upgrade available", each item leading to its first row', () => {
    const rows = [fine('a'), looping('b'), worker('c', { remote: remote() })];
    const items = summaryItems(rows, { current: sample(now), history: [] }, now);
    expect(items.map((i) => i.text)).toEqual([
      '3 workers',
      '1 crash-looping',
      '1 upgrade available',
    ]);
    expect(items.map((i) => i.workerId)).toEqual([undefined, 'b', 'c']);
    // An upgrade is offered whatever else is wrong with the row.
    const both = summaryItems(
      [worker('d', { remote: remote({ stale: true }) })],
      {
        current: sample(now),
        history: [],
      },
      now,
    );
    expect(both.map((i) => i.text)).toEqual([
      '1 worker',
      '1 with out-of-date status',
      '1 upgrade available',
    ]);
  });

  it('during an outage: "PipedAI unreachable for 40s" opens the history; stale rows are its doing', () => {
    const rows = [
      fine('a', { remote: remote({ stale: true }) }),
      fine('b', { remote: remote({ stale: true }) }),
    ];
    const c = { current: down(now - 5_000), history: [sample(now - 60_000), down(now - 40_000)] };
    const items = summaryItems(rows, c, now);
    expect(items.map((i) => i.text)).toEqual(['2 workers', 'PipedAI unreachable for 40s']);
    expect(items.at(-1)).toMatchObject({ opensConnectivity: true, tone: 'bad' });
    expect(outageSinceOf(c)).toBe(now - 40_000);
    // Without an outage the stale rows are counted themselves.
    expect(summaryItems(rows, { current: sample(now), history: [] }, now).at(-1)?.text).toBe(
      '2 with out-of-date status',
    );
    // The latest sample alone (the page opened mid-outage) still dates it.
    expect(outageSinceOf({ current: down(now - 1_000, 'offline'), history: [] })).toBe(now - 1_000);
    // Other problems are still counted during an outage.
    const mixed = summaryItems([...rows, looping('c')], c, now);
    expect(mixed.map((i) => i.text)).toEqual([
      '3 workers',
      '1 crash-looping',
      'PipedAI unreachable for 40s',
    ]);
    const offline = summaryItems(rows, { current: down(now, 'offline'), history: [] }, now);
    expect(offline.at(-1)?.text).toBe('No network for 0s');
  });
});

describe('small texts', () => {
  it('event types in plain words; run counts without the kinds that have none', () => {
    expect(eventTypeText('run.finished')).toBe('run finished');
    expect(eventTypeText('poll_error')).toBe('poll error');
    expect(runCounts(['succeeded', 'failed', 'succeeded'])).toBe('2 succeeded · 1 failed');
    expect(runCounts([])).toBe('');
    expect(runCounts(['cancelled', 'failed', 'succeeded', 'cancelled'])).toBe(
      '1 succeeded · 1 failed · 2 cancelled',
    );
    expect(eventTypeText('worker-exit..code')).toBe('worker exit code');
    expect(eventTypeText('._-')).toBe('._-');
  });
});
