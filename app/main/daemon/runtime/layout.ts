// The managed runtime on disk, GitHub-runner style: one folder per version side by side, a
// staging folder per install that becomes a version folder by one rename, and a state file.
//
//   <PIPEDAI_HOME>/runtime/
//     worker/<version>/             an installed version (complete: it exists only after rename)
//       package.json, package-lock.json, node_modules/@pipedai/worker/…, .pipedai-runtime.json
//     worker/.staging-<id>/         an install in progress (removed at start if a crash left one)
//     worker/state.json             which version each worker runs, and its previous one
//     orchestrator/<version>/       an orchestrator a self-upgrade installed (self-update/), the
//     orchestrator/.staging-<id>/   same way: staged, proven, renamed
//     orchestrator/current.json     the orchestrator `start` runs, and the one to go back to
//     bin/node(.cmd)                `node` for npm's lifecycle scripts and `#!/usr/bin/env node`
import { join } from 'node:path';

export const RUNTIME_MARKER = '.pipedai-runtime.json';
export const STAGING_PREFIX = '.staging-';

export interface RuntimeLayout {
  readonly root: string;
  readonly workerRoot: string;
  /** The orchestrator's own versions (self-update/managed.ts). */
  readonly orchestratorRoot: string;
  readonly state: string;
  readonly binDir: string;
  versionDir(version: string): string;
  stagingDir(id: string): string;
  /** The installed package inside a version (or staging) folder. */
  packageDir(dir: string, pkg: string): string;
}

export function runtimeLayout(home: string): RuntimeLayout {
  const root = join(home, 'runtime');
  const workerRoot = join(root, 'worker');
  return {
    root,
    workerRoot,
    orchestratorRoot: join(root, 'orchestrator'),
    state: join(workerRoot, 'state.json'),
    binDir: join(root, 'bin'),
    versionDir: (v) => join(workerRoot, v),
    stagingDir: (id) => join(workerRoot, `${STAGING_PREFIX}${id}`),
    packageDir: (dir, pkg) => join(dir, 'node_modules', ...pkg.split('/')),
  };
}
