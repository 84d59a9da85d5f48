// The orchestrator versions a self-upgrade installed: `PIPEDAI_HOME/runtime/orchestrator/<v>/`
// (an `npm install --prefix` of @pipedai/orchestrator), and `current.json` naming the one to run.
// No global install, no sudo: the CLI entry (cli/main.ts) that a service unit or a terminal
// starts hands `start` over to the newest version installed, this one or the managed one (or an
// older managed one the operator asked for with --allow-downgrade), so a unit written once keeps
// starting whatever self-upgrade put there last.
//
// A new version that never comes up must not keep the host down: each `start` of an unconfirmed
// version counts, the daemon confirms it once it listens and has adopted its workers, and after
// MAX_UNCONFIRMED_STARTS failed starts the launcher runs the installing version again.
// The launcher (cli/main.ts) reads this before a `start` runs anything else.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { compareVersions } from '../../../shared/util.ts';
import { runtimeLayout } from '../runtime/index.ts';

export const MAX_UNCONFIRMED_STARTS = 3;
/** Set by the launcher in the process it hands over to, so the hand-off happens once. */
export const LAUNCHED_ENV = 'PIPEDAI_LAUNCHED_VERSION';

export const ManagedPointer = z.object({
  version: z.string().min(1),
  /** Absolute path of the installed package's CLI (its `bin`). */
  entry: z.string().min(1),
  /** The version that installed it, run again if this one never starts. */
  previous: z.string().nullable(),
  installedAt: z.number().int(),
  /** Starts not confirmed yet (a daemon that listened and adopted its workers confirms). */
  unconfirmedStarts: z.number().int().nonnegative(),
  confirmed: z.boolean(),
  /** Older than `previous`, installed because the operator asked (upgrade --allow-downgrade). */
  downgrade: z.boolean().optional(),
});
export type ManagedPointer = z.infer<typeof ManagedPointer>;

/** `runtime/orchestrator/`, beside the worker runtime (runtime/layout.ts draws the whole folder). */
export function orchestratorRuntimeDir(home: string): string {
  return runtimeLayout(home).orchestratorRoot;
}

const pointerPath = (home: string): string => join(orchestratorRuntimeDir(home), 'current.json');

/** The pointer, or null when there is none or it does not parse (then nothing is handed over). */
export function readPointer(home: string): ManagedPointer | null {
  try {
    const parsed = ManagedPointer.safeParse(JSON.parse(readFileSync(pointerPath(home), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writePointer(home: string, pointer: ManagedPointer): void {
  const dir = orchestratorRuntimeDir(home);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = pointerPath(home);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(pointer, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export type LaunchChoice =
  { kind: 'managed'; version: string; entry: string } | { kind: 'own'; note?: string };

/** The downgrade was asked by a version at least as new as the launcher (no install since). */
function askedBy(pointer: ManagedPointer, ownVersion: string): boolean {
  if (pointer.previous === null) return false;
  const cmp = compareVersions(ownVersion, pointer.previous);
  return cmp !== null && cmp <= 0;
}

/** Which orchestrator a `start` runs: pure, so every branch is tested. */
export function chooseLaunch(
  pointer: ManagedPointer | null,
  ownVersion: string,
  entryExists: (path: string) => boolean,
): LaunchChoice {
  if (pointer === null) return { kind: 'own' };
  const cmp = compareVersions(pointer.version, ownVersion);
  if (cmp === null || cmp === 0) return { kind: 'own' };
  // An older managed version runs only when the operator asked for it and nothing newer than the
  // version that installed it came since; otherwise we are newer (a later global install).
  if (cmp < 0 && !(pointer.downgrade === true && askedBy(pointer, ownVersion)))
    return { kind: 'own' };
  if (!entryExists(pointer.entry))
    return {
      kind: 'own',
      note: `the managed orchestrator ${pointer.version} is missing (${pointer.entry}); running ${ownVersion}`,
    };
  if (!pointer.confirmed && pointer.unconfirmedStarts >= MAX_UNCONFIRMED_STARTS)
    return {
      kind: 'own',
      note: `the managed orchestrator ${pointer.version} failed to start ${pointer.unconfirmedStarts} times; running ${ownVersion} (upgrade again to retry)`,
    };
  return { kind: 'managed', version: pointer.version, entry: pointer.entry };
}

/** The launcher's step: choose, and count the start of a version not confirmed yet. */
export function launchFor(
  home: string,
  ownVersion: string,
  entryExists: (path: string) => boolean,
): LaunchChoice {
  const pointer = readPointer(home);
  const choice = chooseLaunch(pointer, ownVersion, entryExists);
  if (choice.kind === 'managed' && pointer && !pointer.confirmed) {
    try {
      writePointer(home, { ...pointer, unconfirmedStarts: pointer.unconfirmedStarts + 1 });
    } catch {
      // A read-only home cannot count starts; the start itself may still work.
    }
  }
  return choice;
}

/** The daemon of `version` is up (listening, workers adopted): it is the one to keep. */
export function confirmRunning(home: string, version: string): void {
  const pointer = readPointer(home);
  if (pointer === null || pointer.version !== version || pointer.confirmed) return;
  writePointer(home, { ...pointer, confirmed: true, unconfirmedStarts: 0 });
}
