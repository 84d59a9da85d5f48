// The desktop's daemon link against real daemons in temp homes: it owns a free host (and the CLI
// reaches it), attaches to a headless owner (and follows it across a restart while a service
// owns the host), and takes the host over when its owner is gone for good.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventFrame } from '../../shared/index.ts';
import { createControlClient } from '../control/client.ts';
import { startHeadless, type RunningDaemon } from './headless.ts';
import { readLiveOwner } from '../daemon/owner/index.ts';
import { pathsFor } from '../daemon/paths.ts';
import { openStore } from '../daemon/store/index.ts';
import { openDaemonLink, type DaemonLink } from './link.ts';

async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A stranger that takes the port an owner left, recording any request it gets. */
async function stranger(port: number): Promise<{ seen: string[] }> {
  const seen: string[] = [];
  const srv: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.end('{}');
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', resolve);
  });
  cleanups.push(
    () =>
      new Promise((r) => {
        srv.closeAllConnections();
        srv.close(r);
      }),
  );
  return { seen };
}

async function home(): Promise<{ home: string; env: NodeJS.ProcessEnv }> {
  const dir = await mkdtemp(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'link-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await openStore(pathsFor(dir)).manifest.add({
    id: 'w-1',
    label: 'Alpha',
    apiUrl: 'https://api.example.test',
    workspaceId: 'ws-1',
    configPath: join(dir, 'orchestrator', 'workers', 'alpha.json'),
    mode: 'workspace',
    desiredState: 'disabled',
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PIPEDAI_HOME: dir,
    PIPEDAI_WORKER_BIN: join(dir, 'no-such-worker'),
    PIPEDAI_INTERNET_PROBE_URL: 'http://127.0.0.1:9/',
    PIPEDAI_TIMINGS: JSON.stringify({ statusCoalesceMs: 20 }),
  };
  return { home: dir, env };
}

async function link(
  env: NodeJS.ProcessEnv,
  controlPort?: number,
  serviceOwnsHost: (home: string) => Promise<boolean> = async () => false,
): Promise<DaemonLink> {
  const l = await openDaemonLink({
    env,
    ...(controlPort === undefined ? {} : { controlPort }),
    serviceOwnsHost,
    staticDir: null,
    log: () => undefined,
    exitForRestart: () => undefined,
  });
  cleanups.push(() => l.close('drain'));
  return l;
}

async function headless(env: NodeJS.ProcessEnv): Promise<RunningDaemon> {
  const d = await startHeadless({
    port: 0,
    staticDir: null,
    env,
    signals: [],
    log: () => undefined,
  });
  cleanups.push(() => d.stop());
  return d;
}

describe('daemon link', () => {
  it('owns a host nobody owns, as the desktop, and serves the CLI', async () => {
    const { home: dir, env } = await home();
    const l = await link(env, 0);
    expect(l.mode).toBe('own');
    expect(l.state()).toBe('open');
    const owner = await readLiveOwner(pathsFor(dir));
    expect(owner).toMatchObject({ pid: process.pid, host: 'desktop' });
    expect(l.url()).toBe(`http://127.0.0.1:${owner?.port}`);

    // What the CLI does: the token from the store, the port from the runtime record.
    const token = await openStore(pathsFor(dir)).credentials.localToken();
    const cli = createControlClient({ baseUrl: `http://127.0.0.1:${owner?.port}`, token });
    expect((await cli.call('listWorkers', {})).items.map((w) => w.id)).toEqual(['w-1']);
    expect((await l.call('listWorkers', {})).items.map((w) => w.label)).toEqual(['Alpha']);

    await l.close('drain');
    expect(await readLiveOwner(pathsFor(dir))).toBeNull();
  });

  it('takes any free port when 4599 is busy', async () => {
    const { env } = await home();
    // A port we hold stands for a busy 4599 (4599 itself is shared with every other process).
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const busy = (blocker.address() as AddressInfo).port;
    const l = await openDaemonLink({
      env,
      defaultControlPort: busy,
      staticDir: null,
      log: () => undefined,
      exitForRestart: () => undefined,
    });
    cleanups.push(() => l.close('drain'));
    expect(l.mode).toBe('own');
    expect(l.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(l.url()).not.toBe(`http://127.0.0.1:${busy}`);
  });

  it('attaches to a headless owner, drives it, and follows it across a restart', async () => {
    const { home: dir, env } = await home();
    const first = await headless(env);
    const asked: string[] = [];
    const l = await link(env, 0, async (h) => {
      asked.push(h);
      return true; // a service owns this host: wait for it
    });
    expect(l.mode).toBe('attached');
    expect(l.url()).toBe(first.server.url);
    await waitFor('the link to open', () => l.state() === 'open');

    const frames: EventFrame[] = [];
    const states: string[] = [];
    l.subscribe((f) => frames.push(f));
    l.onState((s) => states.push(s));
    // Status first; a connectivity frame too once the owner has probed.
    expect((await l.snapshot())[0]).toMatchObject({ kind: 'status', items: [{ id: 'w-1' }] });
    // A verb over the control API reaches the headless daemon, and its status frame comes back.
    expect(await l.call('stopWorker', { id: 'w-1' })).toEqual({
      id: 'w-1',
      action: 'stop',
      ok: true,
    });
    await waitFor('a status frame', () => frames.some((f) => f.kind === 'status'));

    // The owner goes away: with a service installed, the link waits for it, never taking over.
    await first.stop();
    const squatter = await stranger(first.server.port);
    await waitFor('the link to notice', () => l.state() === 'reconnecting');
    await waitFor('the service question', () => asked.length > 0);
    expect(asked[0]).toBe(dir);
    expect(await readLiveOwner(pathsFor(dir))).toBeNull();

    const second = await headless(env);
    expect(second.server.port).not.toBe(first.server.port);
    await waitFor('the link to reopen', () => l.state() === 'open');
    expect(l.url()).toBe(second.server.url);
    expect(states).toEqual(['reconnecting', 'open']);
    // Nobody owned the old port meanwhile: the link never called it.
    expect(squatter.seen).toEqual([]);
    expect((await l.call('listWorkers', {})).items).toHaveLength(1);

    // Quitting an attached app leaves the daemon running.
    await l.close('drain');
    expect(await readLiveOwner(pathsFor(dir))).toMatchObject({
      host: 'headless',
      port: second.server.port,
    });
  });
});

describe('waking from sleep', () => {
  it('an attached link drops its event stream and connects again at once', async () => {
    const { env } = await home();
    await headless(env);
    const l = await link(env, 0, async () => true);
    await waitFor('the link to open', () => l.state() === 'open');
    const states: string[] = [];
    const frames: EventFrame[] = [];
    l.onState((s) => states.push(s));
    l.subscribe((f) => frames.push(f));
    l.wake();
    // A new stream's first frame is the owner's snapshot: the status of every worker.
    await waitFor('a fresh snapshot', () => frames.some((f) => f.kind === 'status'));
    await waitFor('the link to reopen', () => l.state() === 'open');
    expect(states).toEqual(['reconnecting', 'open']);
    // The replaced stream's end did not schedule a second reconnect.
    await new Promise((r) => setTimeout(r, 300));
    expect(states).toEqual(['reconnecting', 'open']);
  });

  it('an owning link probes connectivity now', async () => {
    const { env } = await home();
    const l = await link(env, 0);
    const frames: EventFrame[] = [];
    l.subscribe((f) => frames.push(f));
    const samples = (): number => frames.filter((f) => f.kind === 'connectivity').length;
    // The one the start probed (if not already out before we listened), then none for 20 s.
    await waitFor(
      'the first sample',
      async () => samples() > 0 || (await l.snapshot()).some((f) => f.kind === 'connectivity'),
    );
    await new Promise((r) => setTimeout(r, 200));
    const before = samples();
    l.wake();
    await waitFor('a sample after the wake', () => samples() > before);
  });
});

describe('an attached app whose owner is gone and no service will return', () => {
  it('takes the host over, keeps its listeners, and never calls the old port again', async () => {
    const { home: dir, env } = await home();
    const first = await headless(env);
    const l = await link(env, 0);
    expect(l.mode).toBe('attached');
    await waitFor('the link to open', () => l.state() === 'open');
    const frames: EventFrame[] = [];
    const states: string[] = [];
    l.subscribe((f) => frames.push(f));
    l.onState((s) => states.push(s));

    await first.stop();
    const squatter = await stranger(first.server.port);
    await waitFor('the app to own the host', () => l.mode === 'own');
    expect(squatter.seen).toEqual([]);
    const owner = await readLiveOwner(pathsFor(dir));
    expect(owner).toMatchObject({ pid: process.pid, host: 'desktop' });
    expect(l.url()).toBe(`http://127.0.0.1:${owner?.port}`);
    expect(states.at(-1)).toBe('open');
    expect(l.state()).toBe('open');
    // The window's listeners get the present, then live frames, from the in-process daemon.
    await waitFor('a status frame after the takeover', () =>
      frames.some((f) => f.kind === 'status'),
    );
    expect((await l.call('listWorkers', {})).items.map((w) => w.id)).toEqual(['w-1']);

    // Quitting the app now drains its own daemon and frees the host.
    await l.close('drain');
    expect(await readLiveOwner(pathsFor(dir))).toBeNull();
  });
});
