import { describe, expect, it } from 'vitest';
import {
  ago,
  duration,
  hostOf,
  logFileName,
  logFileText,
  pillLatency,
  probeText,
  relativeTime,
  shortId,
  toEpochMs,
  verdictLabel,
} from './format.ts';

describe('formats', () => {
  it('relative times and durations', () => {
    expect(relativeTime(0, 12_000)).toBe('12s ago');
    expect(relativeTime(0, 5 * 60_000 + 5000)).toBe('5m ago');
    expect(relativeTime(0, 3 * 3_600_000)).toBe('3h ago');
    expect(relativeTime(0, 2 * 86_400_000)).toBe('2d ago');
    expect(relativeTime(5000, 0)).toBe('in 5s');
    expect(ago(1000, 0)).toBe('just now');
    expect(ago(0, 4000)).toBe('just now');
    expect(ago(0, 65_000)).toBe('1m ago');
    expect(duration(45_000)).toBe('45s');
    expect(duration(192_000)).toBe('3m 12s');
    expect(duration(7_500_000)).toBe('2h 5m');
    expect(duration(-5)).toBe('0s');
  });

  it('ids, hosts and timestamps', () => {
    expect(shortId('0123456789abcdef')).toBe('01234567…');
    expect(shortId('short')).toBe('short');
    expect(hostOf('https://api.pipedai.app/')).toBe('api.pipedai.app');
    expect(toEpochMs('1970-01-01T00:00:01Z')).toBe(1000);
    expect(toEpochMs(42)).toBe(42);
    expect(toEpochMs('nonsense')).toBeNull();
  });

  it('connectivity labels, probes and the pill latency', () => {
    expect(verdictLabel('api-unreachable')).toBe('API unreachable');
    expect(verdictLabel(null)).toBe('—');
    expect(probeText({ ok: true, latencyMs: 12.4, status: 200 })).toBe('12 ms');
    expect(probeText({ ok: false, latencyMs: null, status: null, error: 'timeout' })).toBe(
      'timeout',
    );
    expect(probeText({ ok: false, latencyMs: 3, status: 503 })).toBe('HTTP 503');
    const probe = { ok: true, latencyMs: 40, status: 200 };
    expect(
      pillLatency({
        ts: 1,
        verdict: 'online',
        api: [
          { url: 'a', ok: false, latencyMs: 5, status: 500 },
          { url: 'b', ...probe },
        ],
        internet: probe,
      }),
    ).toBe(40);
    expect(pillLatency(null)).toBeNull();
  });

  it('the download: `<ISO> <out|err> <text>` lines and a safe file name', () => {
    expect(
      logFileText([
        { ts: 0, stream: 'out', line: 'hello' },
        { ts: 1500, stream: 'err', line: 'oops' },
      ]),
    ).toBe('1970-01-01T00:00:00.000Z out hello\n1970-01-01T00:00:01.500Z err oops\n');
    expect(logFileName('my worker')).toBe('my worker.log');
    expect(logFileName('a/b:c\u0007')).toBe('a-b-c-.log');
    expect(logFileName('  ')).toBe('worker.log');
  });
});
