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
  dateTime,
  timeOfDay,
  toEpochMs,
  verdictLabel,
} from './format.ts';
import type { ApiProbe, ConnectivitySample, Probe } from '../../shared/index.ts';

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

describe('format edges', () => {
  it('relative time switches unit exactly at a minute, an hour and a day; now is "ago"', () => {
    const now = 10_000_000_000;
    expect(relativeTime(now - 59_000, now)).toBe('59s ago');
    expect(relativeTime(now - 60_000, now)).toBe('1m ago');
    expect(relativeTime(now - 3_600_000, now)).toBe('1h ago');
    expect(relativeTime(now - 86_400_000, now)).toBe('1d ago');
    expect(relativeTime(now, now)).toBe('0s ago');
    expect(relativeTime(now + 5_000, now)).toBe('in 5s');
    expect(ago(now - 4_999, now)).toBe('just now');
    expect(ago(now - 5_000, now)).toBe('5s ago');
    expect(ago(now + 60_000, now)).toBe('just now');
  });

  it('clock and date in the viewer’s zone, zero-padded', () => {
    const ts = new Date(2030, 0, 2, 3, 4, 5).getTime();
    expect(timeOfDay(ts)).toBe('03:04:05');
    expect(dateTime(ts)).toBe('2030-01-02 03:04:05');
    expect(dateTime(new Date(2030, 11, 31, 23, 59, 59).getTime())).toBe('2030-12-31 23:59:59');
  });

  it('verdicts and probes as words', () => {
    expect(verdictLabel('online')).toBe('online');
    expect(verdictLabel('offline')).toBe('offline');
    expect(verdictLabel('api-unreachable')).toBe('API unreachable');
    expect(verdictLabel(null)).toBe('—');
    const probe: Probe = { ok: true, latencyMs: 12.6, status: 200 };
    expect(probeText(probe)).toBe('13 ms');
    expect(probeText({ ...probe, latencyMs: null })).toBe('ok');
    expect(probeText({ ...probe, ok: false, status: 503 })).toBe('HTTP 503');
    expect(probeText({ ...probe, ok: false, status: null })).toBe('failed');
    expect(probeText({ ...probe, ok: false, error: 'ECONNREFUSED' })).toBe('ECONNREFUSED');
  });

  it('a host without its scheme or trailing slashes; only a leading scheme goes', () => {
    expect(hostOf('HTTPS://api.pipedai.app//')).toBe('api.pipedai.app');
    expect(hostOf('api.example/x/http://y')).toBe('api.example/x/http://y');
  });

  it('the pill’s latency is the first healthy probe that measured one', () => {
    const p = (ok: boolean, latencyMs: number | null): ApiProbe => ({
      ok,
      latencyMs,
      status: 200,
      url: 'https://api.example',
    });
    const sample = (api: ApiProbe[]): ConnectivitySample => ({
      ts: 0,
      verdict: 'online',
      api,
      internet: { ok: true, latencyMs: 1, status: 200 },
    });
    expect(pillLatency(sample([p(false, 5), p(true, null), p(true, 30)]))).toBe(30);
    expect(pillLatency(sample([p(false, 5)]))).toBeNull();
    expect(pillLatency(null)).toBeNull();
  });

  it('a log file name replaces runs of refused characters with one dash', () => {
    expect(logFileName('a/b\\\\c::d')).toBe('a-b-c-d.log');
  });
});
