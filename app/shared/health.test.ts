import { describe, expect, it } from 'vitest';
import { ageText } from './age.ts';
import {
  clockText,
  heartbeatAllowanceMs,
  outageSince,
  seenText,
  staleReasonOf,
  staleText,
  type StalenessInput,
} from './health.ts';
import type { ConnectivitySample, Verdict } from './status.ts';

const NOW = Date.parse('2026-12-03T15:54:00Z');
const API = 'https://api.pipedai.app';
const OTHER = 'https://eu.pipedai.app';

function sample(
  ts: number,
  verdict: Verdict,
  api: Array<[string, boolean]> = [[API, verdict === 'online']],
  internet = verdict !== 'offline',
): ConnectivitySample {
  return {
    ts,
    verdict,
    api: api.map(([url, ok]) => ({ url, ok, latencyMs: ok ? 20 : null, status: ok ? 200 : null })),
    internet: { ok: internet, latencyMs: null, status: null },
  };
}

const input = (over: Partial<StalenessInput> = {}): StalenessInput => ({
  apiUrl: `${API}/`,
  remote: { status: 'online', lastSeenAt: new Date(NOW - 2_000).toISOString() },
  connectivity: sample(NOW - 1_000, 'online'),
  pollFailing: false,
  now: NOW,
  allowanceMs: heartbeatAllowanceMs(15_000),
  ...over,
});

describe("staleReasonOf: is PipedAI's word on a worker still the truth", () => {
  it('holds while its API answers, the list was read and the heartbeat is recent', () => {
    expect(staleReasonOf(input())).toBeNull();
    // No connectivity sample yet says nothing either way.
    expect(staleReasonOf(input({ connectivity: null }))).toBeNull();
  });

  it('the allowance: three 5 s heartbeats past a 15 s poll (30 s); older under "online" is late', () => {
    expect(heartbeatAllowanceMs(15_000)).toBe(30_000);
    expect(heartbeatAllowanceMs(1_000)).toBe(16_000);
    const seen = (ago: number) => ({
      status: 'online',
      lastSeenAt: new Date(NOW - ago).toISOString(),
    });
    expect(staleReasonOf(input({ remote: seen(30_000) }))).toBeNull();
    expect(staleReasonOf(input({ remote: seen(46_000) }))).toBe('heartbeat-late');
  });

  it('an old lastSeenAt under "offline" is the truth, and a worker never seen is not late', () => {
    const old = new Date(NOW - 3_600_000).toISOString();
    expect(staleReasonOf(input({ remote: { status: 'offline', lastSeenAt: old } }))).toBeNull();
    expect(staleReasonOf(input({ remote: { status: 'online', lastSeenAt: null } }))).toBeNull();
  });

  it('its own API unreachable: stale, whatever the status says; no network at all: offline', () => {
    const down = sample(NOW, 'api-unreachable');
    expect(staleReasonOf(input({ connectivity: down }))).toBe('api-unreachable');
    const none = sample(NOW, 'offline');
    expect(staleReasonOf(input({ connectivity: none }))).toBe('offline');
    const offline = { status: 'offline', lastSeenAt: null };
    expect(staleReasonOf(input({ connectivity: down, remote: offline }))).toBe('api-unreachable');
  });

  it('judges each worker by the probe of its own API, not the host-wide verdict', () => {
    // One environment down, the other up: the verdict says online.
    const mixed = sample(NOW, 'online', [
      [API, false],
      [OTHER, true],
    ]);
    expect(staleReasonOf(input({ connectivity: mixed }))).toBe('api-unreachable');
    expect(staleReasonOf(input({ connectivity: mixed, apiUrl: OTHER }))).toBeNull();
    // An API the last sample did not probe yet (a new environment): the verdict decides.
    const noProbe = sample(NOW, 'api-unreachable', [[OTHER, false]]);
    expect(staleReasonOf(input({ connectivity: noProbe }))).toBe('api-unreachable');
  });

  it('a failed list poll: what we hold is from an earlier poll', () => {
    expect(staleReasonOf(input({ pollFailing: true }))).toBe('poll-failed');
  });
});

describe('texts', () => {
  it('"stale · seen 46s ago", in the largest whole unit', () => {
    const at = (ago: number) => ({ lastSeenAt: new Date(NOW - ago).toISOString() });
    expect(staleText(at(46_000), NOW)).toBe('stale · seen 46s ago');
    expect(seenText(at(5 * 60_000 + 10_000), NOW)).toBe('seen 5m ago');
    expect(seenText({ lastSeenAt: null }, NOW)).toBe('never seen');
    expect([ageText(0), ageText(59_400), ageText(3_600_000), ageText(2 * 86_400_000)]).toEqual([
      '0s',
      '59s',
      '1h',
      '2d',
    ]);
  });

  it('clockText is the local wall clock', () => {
    expect(clockText(new Date(2026, 11, 3, 15, 53, 40).getTime())).toBe('15:53');
    expect(clockText(new Date(2026, 11, 3, 7, 5).getTime())).toBe('07:05');
  });
});

describe('outageSince', () => {
  it('is the first sample of the trailing run that is not online', () => {
    const h = [
      sample(1_000, 'api-unreachable'),
      sample(2_000, 'online'),
      sample(3_000, 'api-unreachable'),
      sample(4_000, 'offline'),
    ];
    expect(outageSince(h)).toBe(3_000);
    expect(outageSince([...h, sample(5_000, 'online')])).toBeNull();
    expect(outageSince([])).toBeNull();
  });
});
