import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnv } from './child-env.ts';
import { openDaemon } from './daemon.ts';
import { pathsFor } from './paths.ts';
import { openStore, writeWorkerConfig } from './store/index.ts';
import { planSpawn } from './tools/run-tool.ts';

describe("children's environment", () => {
  const launched = {
    PATH: '/usr/bin',
    PIPEDAI_HOME: '/h',
    ELECTRON_RUN_AS_NODE: '1',
    PIPEDAI_APP_BINARY: '/opt/P/pipedai-orchestrator',
  };
  it("drops the launcher's variables, in any case, and adds what is asked on purpose", () => {
    expect(childEnv(launched)).toEqual({ PATH: '/usr/bin', PIPEDAI_HOME: '/h' });
    expect(childEnv({ electron_run_as_node: '1', Path: 'C:\\W' })).toEqual({ Path: 'C:\\W' });
    expect(childEnv(launched, { ELECTRON_RUN_AS_NODE: '1' })).toEqual({
      PATH: '/usr/bin',
      PIPEDAI_HOME: '/h',
      ELECTRON_RUN_AS_NODE: '1',
    });
  });
  it('is what a helper command inherits when it is given no environment', () => {
    const saved = process.env.ELECTRON_RUN_AS_NODE;
    process.env.ELECTRON_RUN_AS_NODE = '1';
    try {
      const plan = planSpawn('linux', {
        command: 'systemctl',
        args: ['--version'],
        timeoutMs: 1000,
      });
      expect(plan.options.env?.ELECTRON_RUN_AS_NODE).toBeUndefined();
      expect(plan.options.env?.PATH).toBe(process.env.PATH);
    } finally {
      if (saved === undefined) delete process.env.ELECTRON_RUN_AS_NODE;
      else process.env.ELECTRON_RUN_AS_NODE = saved;
    }
  });
});

describe('a daemon run by the launcher', () => {
  it("starts its workers without the launcher's variables", async () => {
    const home = await mkdtemp(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'child-env-'));
    const seen = join(home, 'worker-env');
    const bin = join(home, 'pipedai-worker');
    // A worker that writes down its environment, then waits to be stopped.
    await writeFile(
      bin,
      `#!/bin/sh\nenv > '${seen}.tmp' && mv '${seen}.tmp' '${seen}'\nexec sleep 60\n`,
    );
    await chmod(bin, 0o755);
    const configPath = pathsFor(home).workerConfig('alpha');
    await writeWorkerConfig(configPath, {
      workerId: 'w-1',
      workerToken: 'pwt_test',
      apiUrl: 'https://api.example.test',
      workspaceId: 'ws-1',
    });
    await openStore(pathsFor(home)).manifest.add({
      id: 'w-1',
      label: 'Alpha',
      apiUrl: 'https://api.example.test',
      workspaceId: 'ws-1',
      configPath,
      mode: 'workspace',
      desiredState: 'enabled',
    });
    const daemon = await openDaemon({
      host: 'headless',
      env: {
        ...process.env,
        PIPEDAI_HOME: home,
        PIPEDAI_WORKER_BIN: bin,
        PIPEDAI_INTERNET_PROBE_URL: 'http://127.0.0.1:9/',
        ELECTRON_RUN_AS_NODE: '1',
        PIPEDAI_APP_BINARY: '/opt/P/pipedai-orchestrator',
      },
      log: () => undefined,
      exitForRestart: () => undefined,
    });
    try {
      await daemon.orchestrator.start();
      let env = '';
      for (let i = 0; i < 200 && env === ''; i++) {
        env = await readFile(seen, 'utf8').catch(() => '');
        if (env === '') await new Promise((r) => setTimeout(r, 100));
      }
      expect(env).toMatch(/^PIPEDAI_ORCHESTRATOR_WORKER_ID=w-1$/m);
      expect(env).not.toMatch(/^ELECTRON_RUN_AS_NODE=/m);
      expect(env).not.toMatch(/^PIPEDAI_APP_BINARY=/m);
    } finally {
      await daemon.close({ drain: true });
      await rm(home, { recursive: true, force: true });
    }
  });
});
