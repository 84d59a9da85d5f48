import { afterEach, describe, expect, it } from 'vitest';
import { WorkerStreamEvent } from '../../app/shared/index.ts';
import { WorkerRegisterResponse } from '../protocol.ts';
import {
  openStream,
  sseEvents,
  startTestEmulator,
  type SseReader,
  type TestEmulator,
} from './test-support.ts';

let t: TestEmulator;
const streams: SseReader[] = [];
afterEach(async () => {
  streams.splice(0).forEach((s) => s.close());
  await t.cleanup();
});

async function setup() {
  t = await startTestEmulator({ keepAliveMs: 100 });
  const res = await t.call('POST', '/api/v1/worker/register', {
    body: { token: await t.emu.mintToken('wrk'), hostname: 'h' },
  });
  return WorkerRegisterResponse.parse(res.body);
}
async function stream(workerId: string, token?: string) {
  const s = await openStream(`${t.emu.url}/api/v1/workers/${workerId}/events/stream`, token);
  streams.push(s);
  return s;
}

describe('worker event stream', () => {
  it('frames events as SSE with keep-alive comments and delivers worker and sandbox events', async () => {
    const w = await setup();
    const s = await stream(w.workerId, await t.emu.mintToken('pwk'));
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await s.until((text) => text.includes(': keep-alive\n\n'));

    const sent = await t.call('POST', '/api/v1/worker/events', {
      token: w.workerToken,
      body: { type: 'worker.started' },
    });
    expect(sent.status).toBe(200);
    await t.call('POST', '/sandbox/events', {
      body: { workerId: w.workerId, type: 'concurrency.changed', data: { concurrency: 2 } },
    });
    const text = await s.until((x) => sseEvents(x).length >= 2);

    expect(text).toMatch(/\nid: \d+\nevent: worker\.started\ndata: \{.*\}\n\n/);
    const [started, changed] = sseEvents(text).map((e) => WorkerStreamEvent.parse(e));
    expect(started).toMatchObject({
      type: 'worker.started',
      workerId: w.workerId,
      ts: new Date(t.clock.now).toISOString(),
    });
    expect(changed).toMatchObject({ type: 'concurrency.changed', concurrency: 2 });

    await t.call('POST', `/api/v1/workspaces/ws_sandbox/workers/${w.workerId}/disable`, {
      token: await t.emu.mintToken('pwk'),
    });
    await s.until((x) => sseEvents(x).some((e) => e.type === 'worker.disabled'));
  });

  it('checks the token and ends the stream of a deleted worker', async () => {
    const w = await setup();
    const path = `${t.emu.url}/api/v1/workers/${w.workerId}/events/stream`;
    const statusOf = async (token?: string) => {
      const s = await openStream(path, token);
      s.close();
      return s.status;
    };
    expect(await statusOf()).toBe(401);
    expect(await statusOf('hos_unknown')).toBe(401);
    expect(await statusOf(await t.emu.mintToken('pop'))).toBe(403);
    expect(await statusOf(w.workerToken)).toBe(403);
    expect(await statusOf(await t.emu.mintToken('pwk', { workspaceId: 'ws_other' }))).toBe(403);
    expect(await statusOf(await t.emu.mintToken('admin'))).toBe(403); // workspace worker: operator only
    const pwk = await t.emu.mintToken('pwk');
    const missing = await openStream(
      `${t.emu.url}/api/v1/workers/no-such-worker/events/stream`,
      pwk,
    );
    expect(missing.status).toBe(404);

    const s = await stream(w.workerId, pwk);
    await t.call('DELETE', `/api/v1/workspaces/ws_sandbox/workers/${w.workerId}`, { token: pwk });
    await expect(s.until(() => false)).rejects.toThrow(/stream ended/);
    expect(sseEvents(s.text()).map((e) => e.type)).toContain('worker.deleted');
    expect(await statusOf(pwk)).toBe(404);
  });

  it('streams pool workers to admin tokens only', async () => {
    t = await startTestEmulator({ keepAliveMs: 100 });
    const res = await t.call('POST', '/api/v1/worker/register', {
      body: { token: await t.emu.mintToken('pool'), hostname: 'p', pool: true },
    });
    const pool = WorkerRegisterResponse.parse(res.body);
    const denied = await openStream(
      `${t.emu.url}/api/v1/workers/${pool.workerId}/events/stream`,
      await t.emu.mintToken('pwk'),
    );
    denied.close();
    expect(denied.status).toBe(403);
    const s = await stream(pool.workerId, await t.emu.mintToken('admin'));
    expect(s.status).toBe(200);
    await t.call('POST', '/api/v1/worker/events', {
      token: pool.workerToken,
      body: { type: 'poll.error' },
    });
    await s.until((x) => sseEvents(x).some((e) => e.type === 'poll.error'));
  });
});
