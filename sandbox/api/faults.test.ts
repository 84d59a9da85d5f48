import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStream, startTestEmulator, type TestEmulator } from './test-support.ts';

let t: TestEmulator;
beforeEach(async () => {
  t = await startTestEmulator({ keepAliveMs: 100 });
});
afterEach(() => t.cleanup());

/** What a client of the API observes: the status, or 0 for a transport failure (contract §2.1). */
const probe = async (path = '/api/v1/health'): Promise<number> => {
  try {
    const res = await fetch(t.emu.url + path, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
};
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached');
}

describe('faults', () => {
  it('a 60-second outage cuts every API connection until lifted; /sandbox keeps answering', async () => {
    const pwk = await t.emu.mintToken('pwk');
    const reg = await t.call('POST', '/api/v1/worker/register', {
      body: { token: await t.emu.mintToken('wrk'), hostname: 'h' },
    });
    const { workerId } = reg.body as { workerId: string };
    const s = await openStream(`${t.emu.url}/api/v1/workers/${workerId}/events/stream`, pwk);
    await s.until((x) => x.includes(': connected'));
    expect(await probe()).toBe(200);

    const set = await t.call('POST', '/sandbox/faults', { body: { outageMs: 60_000 } });
    expect(set.body).toMatchObject({ outage: true });
    await expect(s.until(() => false)).rejects.toThrow(/stream ended/); // the open stream was cut
    expect(await probe()).toBe(0);
    expect(await probe('/api/v1/releases/latest')).toBe(0);
    expect((await t.call('GET', '/sandbox/state')).status).toBe(200);
    expect((await t.call('GET', '/sandbox/faults')).body).toMatchObject({
      outage: true,
      outageEndsAt: expect.any(String),
    });

    expect((await t.call('DELETE', '/sandbox/faults')).body).toMatchObject({
      outage: false,
      errorRate: 0,
    });
    expect(await probe()).toBe(200);
    const again = await openStream(`${t.emu.url}/api/v1/workers/${workerId}/events/stream`, pwk);
    expect(again.status).toBe(200);
    again.close();
  });

  it('an outage with outageMs lifts itself', async () => {
    await t.call('POST', '/sandbox/faults', { body: { outageMs: 300 } });
    expect(await probe()).toBe(0);
    await waitFor(async () => (await probe()) === 200);
  });

  it('injects 503s, dropped connections and latency, and clears them', async () => {
    await t.call('POST', '/sandbox/faults', { body: { errorRate: 1 } });
    const res = await t.call('GET', '/api/v1/health');
    expect(res).toMatchObject({ status: 503, body: { error: 'service_unavailable' } });
    await t.call('POST', '/sandbox/faults', { body: { errorRate: 0, dropRate: 1 } });
    expect(await probe()).toBe(0);
    await t.call('POST', '/sandbox/faults', { body: { dropRate: 0, latencyMs: 300 } });
    const started = performance.now();
    expect(await probe()).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    await t.call('DELETE', '/sandbox/faults');
    expect((await t.call('GET', '/sandbox/faults')).body).toEqual({
      latencyMs: 0,
      errorRate: 0,
      dropRate: 0,
      outage: false,
      outageEndsAt: null,
    });
    const bad = await t.call('POST', '/sandbox/faults', { body: { errorRate: 2 } });
    expect(bad.body).toMatchObject({ error: 'invalid_request', field: 'errorRate' });
  });
});
