// Fault 8: after a busy session (builds, a failed build, runs, verbs, logs, CLI commands, an
// error or two, a drain), no issued token may appear anywhere but in the secret files: not in
// the daemon's or the CLI's output, not in an HTTP answer or event frame, not in any other file
// under PIPEDAI_HOME, not in the emulator's state.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FusedWorker } from '../../app/shared/index.ts';
import { answers, controlClient, subscribeFrames, waitFor } from './support/control.ts';
import { outputs, runCli, spawnDaemon, type DaemonChild } from './support/daemon.ts';
import { createFixture, type Fixture } from './support/fixture.ts';

/** Anything shaped like a PipedAI token, issued by us or not (a token the daemon minted itself). */
const TOKEN_SHAPE = /\b(?:enr|wrk|pool|wkt|hos|pwk|pop|oct|adm)_[A-Za-z0-9_-]{20,}/g;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('fault: tokens in outputs and files', () => {
  let fx: Fixture;
  let daemon: DaemonChild | null = null;

  beforeAll(async () => {
    fx = await createFixture({ workers: 2 });
  });
  afterAll(async () => {
    daemon?.child.kill('SIGKILL');
    await fx?.cleanup();
  });

  it('finds no token outside credentials.json and the worker configs', async () => {
    const env = fx.env({
      PIPEDAI_CONNECTIVITY_MS: '500',
      PIPEDAI_TIMINGS: JSON.stringify({ refreshMs: 500 }),
      PIPEDAI_DRAIN_CEILING_MS: '5000',
      PIPEDAI_SIM_POLL_MS: '200',
    });
    daemon = await spawnDaemon(env);
    const api = controlClient(daemon.url, fx.localToken);
    const frames = await subscribeFrames(daemon.url, fx.localToken);
    const [first] = fx.workers;
    if (!first) throw new Error('no worker');

    // Builds: with a pasted registration token, with one the daemon mints, with a bad one.
    const pasted = await fx.emulator.mintToken('wrk');
    fx.secrets.push(pasted);
    expect(
      (
        await api.call('POST', '/api/workers', {
          apiUrl: fx.apiUrl,
          token: pasted,
          label: 'scan-pasted',
        })
      ).status,
    ).toBe(201);
    expect(
      (await api.call('POST', '/api/workers', { apiUrl: fx.apiUrl, label: 'scan-minted' })).status,
    ).toBe(201);
    const bogus = `wrk_${'x'.repeat(43)}`;
    fx.secrets.push(bogus);
    const failed = await api.call('POST', '/api/workers', {
      apiUrl: fx.apiUrl,
      token: bogus,
      label: 'scan-bogus',
    });
    expect(failed.status).toBeGreaterThanOrEqual(400);

    // A run with events, read back through the API.
    const items = (): Promise<FusedWorker[]> => api.workers();
    await waitFor(
      'every worker running',
      async () => (await items()).every((w) => w.local?.state === 'running'),
      60_000,
    );
    const run = await fx.sandbox('POST', '/sandbox/runs', {
      workerId: first.id,
      durationMs: 300,
      events: 6,
    });
    expect(run.status).toBe(201);
    const runId = (run.body as { runId: string }).runId;
    await waitFor('the run finished', async () => {
      const r = await fx.sandbox('GET', `/sandbox/runs/${runId}`);
      return (r.body as { status: string }).status === 'succeeded';
    });
    expect((await api.call('GET', `/api/workers/${first.id}/runs`)).status).toBe(200);
    expect(
      (await api.call('GET', `/api/workers/${first.id}/runs/${runId}/events?tail=50`)).status,
    ).toBe(200);
    await fx.sandbox('POST', '/sandbox/events', { workerId: first.id, type: 'scan.event' });

    // Verbs, logs, self, connectivity; an unknown worker.
    for (const verb of ['stop', 'start', 'disable', 'enable', 'restart'])
      expect((await api.call('POST', `/api/workers/${first.id}/${verb}`)).status).toBe(200);
    for (const path of [
      `/api/workers/${first.id}/logs`,
      '/api/self',
      '/api/connectivity',
      '/api/workers',
    ])
      expect((await api.call('GET', path)).status).toBe(200);
    expect((await api.call('POST', '/api/workers/nobody/start')).status).toBe(404);
    expect((await api.call('GET', '/api/workers', undefined)).status).toBe(200);

    // The CLI, as an operator would use it (never `dashboard`: printing the token URL is its job).
    const cli = async (...args: string[]): Promise<void> => {
      const r = await runCli(args, env);
      expect(r.signal).toBeNull();
    };
    await cli('workers');
    await cli('workers', '--json');
    await cli('logs', first.label, '--tail', '50');
    await cli('workers', 'stop', first.label);
    await cli('workers', 'start', first.label);
    await cli('workers', 'start', 'nobody');
    await cli('connectivity', '--json');
    await cli('start', '--port', '0'); // refused: the host is owned
    await runCli(['login', '--api-url', fx.apiUrl], {
      ...env,
      PIPEDAI_OPERATOR_TOKEN: fx.secrets[0] as string,
    });
    await cli('version');

    frames.close();
    expect(await daemon.stop()).toEqual({ code: 0, signal: null });
    await fx.emulator.close(); // flushes its state file

    const secretFiles = new Set([fx.paths.credentials]);
    const configs =
      (await readFile(fx.paths.manifest, 'utf8')).match(/"configPath": "([^"]+)"/g) ?? [];
    for (const c of configs) secretFiles.add(JSON.parse(`{${c}}`).configPath as string);
    for (const f of await filesUnder(fx.paths.workersDir)) secretFiles.add(f);

    const scanned: Array<{ where: string; text: string }> = [
      ...outputs.map((text, i) => ({ where: `output #${i}`, text })),
      ...answers.map((text, i) => ({ where: `answer #${i}`, text })),
    ];
    const files = [
      ...(await filesUnder(fx.paths.home)),
      ...(await filesUnder(fx.emulatorStateDir)),
    ];
    for (const file of files) {
      if (secretFiles.has(file)) continue;
      scanned.push({ where: relative(fx.dir, file), text: await readFile(file, 'utf8') });
    }
    // The scan sees what it should: outputs, answers, logs, run events, the emulator's state.
    expect(outputs.length).toBeGreaterThan(10);
    expect(answers.length).toBeGreaterThan(20);
    expect(files.some((f) => f.endsWith('.ndjson'))).toBe(true);
    expect(files.some((f) => f.endsWith('state.json'))).toBe(true);

    const leaks: string[] = [];
    for (const { where, text } of scanned) {
      for (const s of fx.secrets) if (text.includes(s)) leaks.push(`${where}: ${s.slice(0, 5)}…`);
      for (const m of text.match(TOKEN_SHAPE) ?? [])
        leaks.push(`${where}: shaped ${m.slice(0, 5)}…`);
    }
    expect(leaks).toEqual([]);
    console.info(
      `token scan: ${scanned.length} outputs and files, ${fx.secrets.length} known tokens`,
    );
  });
});
