// The daemon as a service manager runs it: which manager (the units we write say so in
// PIPEDAI_SERVICE_MANAGER), and what a SIGTERM from it means. Under systemd's KillMode=process a
// SIGTERM is either `systemctl stop` (drain the workers: every run finishes) or `systemctl
// restart` (hand them over: the restarted daemon adopts them); `systemctl list-jobs <unit>`
// tells them apart while the job runs. Anything unclear drains: the safe side.
import { SERVICE_MANAGER_ENV, ServiceManagerKind } from './manager-kind.ts';
import { SYSTEMD_UNIT } from './systemd.ts';
import type { ServiceRunner } from './types.ts';

export { SERVICE_MANAGER_ENV, ServiceManagerKind };

/** Bound on asking systemctl what it is doing with us. */
const LIST_JOBS_TIMEOUT_MS = 3_000;

/**
 * Which service manager runs this process: the variable our units set, else what systemd and
 * launchd put in every service's environment (units written by an older version); null in a
 * terminal.
 */
export function runningUnder(
  env: NodeJS.ProcessEnv,
  isRoot: boolean,
  launchdLabel: string,
): ServiceManagerKind | null {
  const declared = ServiceManagerKind.safeParse(env[SERVICE_MANAGER_ENV]);
  if (declared.success) return declared.data;
  if (env.INVOCATION_ID) return isRoot ? 'systemd-system' : 'systemd-user';
  if (env.XPC_SERVICE_NAME === launchdLabel) return 'launchd';
  return null;
}

/** `systemctl list-jobs <unit> --no-legend` → the job type queued for our unit, if any. */
export function jobTypeOf(listJobsOutput: string, unit = `${SYSTEMD_UNIT}.service`): string | null {
  for (const line of listJobsOutput.split('\n')) {
    const [, name, type] = line.trim().split(/\s+/);
    if (name === unit && type) return type;
  }
  return null;
}

export type EndHow = 'drain' | 'handoff';

/** What a SIGTERM asks of the daemon under this manager. */
export async function signalIntent(
  kind: ServiceManagerKind | null,
  run: ServiceRunner,
): Promise<EndHow> {
  if (kind !== 'systemd-user' && kind !== 'systemd-system') return 'drain';
  const scope = kind === 'systemd-user' ? ['--user'] : [];
  const r = await Promise.race([
    run('systemctl', [...scope, 'list-jobs', `${SYSTEMD_UNIT}.service`, '--no-legend']),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), LIST_JOBS_TIMEOUT_MS).unref()),
  ]).catch(() => null);
  if (r === null || r.code !== 0) return 'drain';
  const job = jobTypeOf(r.stdout);
  return job === 'restart' || job === 'try-restart' || job === 'reload-or-restart'
    ? 'handoff'
    : 'drain';
}
