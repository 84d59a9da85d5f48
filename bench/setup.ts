// A fleet of workers registered once against the sandbox, and the state folder both daemons
// read: contract §4 layout, so ours reads it through PIPEDAI_HOME=<home>/.pipedai and the
// published one through HOME=<home>.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Credentials, Manifest, ManifestEntry } from '../app/shared/index.ts';
import type { Sandbox } from './sandbox.ts';

/** A registered worker: its slug and its config file's text (copied into each home). */
export interface FleetWorker {
  slug: string;
  workerId: string;
  workspaceId: string;
  configText: string;
}

export interface Fleet {
  apiUrl: string;
  /** Operator token, so both daemons poll the worker list and open the event streams. */
  operatorToken: string;
  localToken: string;
  workers: FleetWorker[];
}

/**
 * Registers `count` workspace workers the way `pipedai-worker register` does (a one-time `wrk_`
 * traded at the worker-facing register endpoint) and keeps the config it would write: the same
 * five fields, pretty-printed. Calling the endpoint directly saves 20 Node starts (seconds on a
 * 2-core machine) and the daemons under test never see the difference.
 */
export async function registerFleet(sandbox: Sandbox, count: number): Promise<Fleet> {
  const workers: FleetWorker[] = [];
  for (let i = 1; i <= count; i++) {
    const slug = `bench-${String(i).padStart(2, '0')}`;
    const identity = await sandbox.registerWorker(
      await sandbox.mintToken('wrk'),
      `bench-host-${slug}`,
    );
    if (identity.workspaceId === null) throw new Error(`${slug}: registered as a pool worker`);
    const config = {
      workerId: identity.workerId,
      workerToken: identity.workerToken,
      apiUrl: sandbox.url,
      workspaceId: identity.workspaceId,
      isPool: false,
    };
    workers.push({
      slug,
      workerId: identity.workerId,
      workspaceId: identity.workspaceId,
      configText: JSON.stringify(config, null, 2),
    });
  }
  return {
    apiUrl: sandbox.url,
    operatorToken: await sandbox.mintToken('pwk'),
    localToken: `oct_${randomBytes(32).toString('base64url')}`,
    workers,
  };
}

/** `<home>/.pipedai`: the state root both daemons use for a home prepared by writeHome. */
export const stateRoot = (home: string): string => join(home, '.pipedai');

/** Writes a fresh state folder with the first `count` workers of the fleet, all enabled. */
export async function writeHome(home: string, fleet: Fleet, count: number): Promise<void> {
  const orchestratorDir = join(stateRoot(home), 'orchestrator');
  const workersDir = join(orchestratorDir, 'workers');
  await mkdir(workersDir, { recursive: true, mode: 0o700 });
  await chmod(stateRoot(home), 0o700);
  const entries: ManifestEntry[] = [];
  for (const w of fleet.workers.slice(0, count)) {
    const configPath = join(workersDir, `${w.slug}.json`);
    await writeFile(configPath, w.configText, { mode: 0o600 });
    entries.push({
      id: w.workerId,
      label: w.slug,
      apiUrl: fleet.apiUrl,
      workspaceId: w.workspaceId,
      configPath,
      mode: 'workspace',
      desiredState: 'enabled',
    });
  }
  const manifest: Manifest = { version: 1, workers: entries };
  const credentials: Credentials = {
    version: 1,
    localToken: fleet.localToken,
    operators: { [fleet.apiUrl]: fleet.operatorToken },
    poolReadTokens: {},
  };
  await writeFile(join(orchestratorDir, 'manifest.json'), JSON.stringify(manifest, null, 2), {
    mode: 0o600,
  });
  await writeFile(join(orchestratorDir, 'credentials.json'), JSON.stringify(credentials, null, 2), {
    mode: 0o600,
  });
}

/** The argv fragment that identifies one worker process of a home (its config path). */
export const workerConfigPath = (home: string, slug: string): string =>
  join(stateRoot(home), 'orchestrator', 'workers', `${slug}.json`);
