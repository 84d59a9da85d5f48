// Issue 12, item 6: release data is never stale for a day. The daemon boots while pipedai-api is
// unreachable, so its first release check fails: it retries with backoff instead of waiting 24 h
// (else `upgrade --all` would say "all up to date" for a day). A worker added later on
// another pipedai-api has that environment's releases checked at once.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, writeWorkerConfig } from '../../app/main/daemon/store/index.ts';
import { startApiEmulator, type ApiEmulator } from '../../sandbox/api/index.ts';
import { WorkerRegisterResponse } from '../../sandbox/protocol.ts';
import { controlClient, waitFor } from './support/control.ts';
import { startInProcess, type InProcessDaemon } from './support/daemon.ts';
import { createFixture, type Fixture } from './support/fixture.ts';

describe('fault: release checks after a boot without network', () => {
  let fx: Fixture;
  let other: ApiEmulator | null = null;
  let daemon: InProcessDaemon | null = null;

  beforeAll(async () => {
    fx = await createFixture({ workers: 1 });
  });
  afterAll(async () => {
    await fx?.sandbox('DELETE', '/sandbox/faults');
    await daemon?.stop();
    await other?.close();
    await fx?.cleanup();
  });

  it('retries a failed check soon, and checks a new environment at once', async () => {
    await fx.sandbox('POST', '/sandbox/releases', { worker: '1.9.0' });
    await fx.sandbox('POST', '/sandbox/faults', { outage: true });
    daemon = await startInProcess(
      fx.env({ PIPEDAI_TIMINGS: JSON.stringify({ refreshMs: 300, releasesRetryMs: 300 }) }),
    );
    const api = controlClient(daemon.url, fx.localToken);
    const latestOf = async (id: string) =>
      (await api.workers()).find((w) => w.id === id)?.latestWorkerVersion ?? null;
    const [first] = fx.workers;
    if (!first) throw new Error('no worker');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await latestOf(first.id)).toBeNull(); // the boot-time check failed
    await fx.sandbox('DELETE', '/sandbox/faults');
    const healedAt = Date.now();
    await waitFor('the retry to succeed', async () => (await latestOf(first.id)) === '1.9.0');
    const retryMs = Date.now() - healedAt;
    expect(retryMs).toBeLessThan(15_000);

    // A worker on another pipedai-api, added by a CLI while the daemon runs.
    other = await startApiEmulator({ port: 0, stateDir: join(fx.dir, 'other-emulator') });
    await fetch(`${other.url}/sandbox/releases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ worker: '2.1.0' }),
    });
    const token = await other.mintToken('wrk');
    const res = await fetch(`${other.url}/api/v1/worker/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, hostname: 'other-host' }),
    });
    const reg = WorkerRegisterResponse.parse(await res.json());
    const configPath = fx.paths.workerConfig('other');
    await writeWorkerConfig(configPath, {
      workerId: reg.workerId,
      workerToken: reg.workerToken,
      apiUrl: other.url,
      workspaceId: reg.workspaceId,
    });
    const addedAt = Date.now();
    await openStore(fx.paths).manifest.add({
      id: reg.workerId,
      label: 'other',
      apiUrl: other.url,
      workspaceId: reg.workspaceId,
      configPath,
      mode: 'workspace',
      desiredState: 'disabled',
    });
    await waitFor(
      'the new environment checked',
      async () => (await latestOf(reg.workerId)) === '2.1.0',
    );
    const newUrlMs = Date.now() - addedAt;
    expect(newUrlMs).toBeLessThan(15_000);
    console.log(
      `releases: retried ${retryMs} ms after the API came back; a new environment checked ${newUrlMs} ms after it appeared`,
    );
  });
});
