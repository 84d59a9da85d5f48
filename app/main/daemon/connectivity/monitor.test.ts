import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectivitySample, type Probe } from '../../../shared/index.ts';
import { appendSample, createConnectivityMonitor, verdictOf } from './monitor.ts';

const ok: Probe = { ok: true, latencyMs: 12, status: 200 };
const bad: Probe = { ok: false, latencyMs: null, status: null, error: 'ECONNREFUSED' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'conn-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('connectivity verdicts', () => {
  it('follows the contract table', () => {
    expect(verdictOf([], ok)).toBe('online');
    expect(verdictOf([], bad)).toBe('offline');
    expect(
      verdictOf(
        [
          { ...bad, url: 'a' },
          { ...ok, url: 'b' },
        ],
        bad,
      ),
    ).toBe('online');
    expect(verdictOf([{ ...bad, url: 'a' }], ok)).toBe('api-unreachable');
    expect(verdictOf([{ ...bad, url: 'a' }], bad)).toBe('offline');
  });
});

describe('connectivity monitor', () => {
  it('probes each distinct API and the internet, keeps history, logs NDJSON 0600', async () => {
    const file = join(dir, 'connectivity.log');
    let apiUp = true;
    const seen: string[] = [];
    const mon = createConnectivityMonitor({
      apiUrls: () => ['http://a', 'http://a', 'http://b'],
      probeApi: async (u) => {
        seen.push(u);
        if (u === 'http://b') throw new Error('boom');
        return apiUp ? ok : bad;
      },
      probeInternet: async () => ok,
      logFile: file,
    });
    const s1 = await mon.probe();
    expect(seen.sort()).toEqual(['http://a', 'http://b']);
    expect(s1.verdict).toBe('online');
    expect(s1.api.find((p) => p.url === 'http://b')).toMatchObject({ ok: false, error: 'boom' });
    apiUp = false;
    const s2 = await mon.probe();
    expect(s2.verdict).toBe('api-unreachable');
    expect(mon.current()).toEqual(s2);
    expect(mon.history()).toHaveLength(2);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => ConnectivitySample.parse(JSON.parse(l)).verdict)).toEqual([
      'online',
      'api-unreachable',
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('bounds the history at 500 samples', async () => {
    const mon = createConnectivityMonitor({
      apiUrls: () => [],
      probeApi: async () => ok,
      probeInternet: async () => ok,
      logFile: null,
    });
    for (let i = 0; i < 510; i++) await mon.probe();
    expect(mon.history()).toHaveLength(500);
    expect(mon.history(3)).toHaveLength(3);
  });

  it('rotates the log to .1 when it exceeds the limit', async () => {
    const file = join(dir, 'connectivity.log');
    writeFileSync(file, 'x'.repeat(2000));
    const sample = { ts: 1, verdict: 'online' as const, api: [], internet: ok };
    await appendSample(file, sample, 1000);
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(JSON.stringify(sample));
  });
});
