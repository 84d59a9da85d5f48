// Every path the daemon touches derives from PIPEDAI_HOME (default ~/.pipedai), in the
// contract's layout (§4.1), so a host running the published orchestrator keeps its state.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isSafeSegment } from '../../shared/segment.ts';

export interface Paths {
  readonly home: string;
  readonly orchestratorDir: string;
  readonly manifest: string;
  readonly credentials: string;
  readonly workersDir: string;
  readonly logsDir: string;
  readonly runsDir: string;
  readonly connectivityLog: string;
  /** Runtime record of the process that owns the host (pid, port, instance, host kind). */
  readonly runtimeRecord: string;
  /** Owner lock (a file holding pid and process start time, created atomically). */
  readonly ownerLock: string;
  /** Live worker children, so a daemon restarted after a crash never runs a worker twice. */
  readonly children: string;
  /** Worker stdout/stderr files (the workers hold them; the daemon tails them). */
  readonly captureDir: string;
  workerConfig(slug: string): string;
  logFile(workerId: string): string;
  runDir(workerId: string): string;
}

export function resolveHome(
  env: NodeJS.ProcessEnv = process.env,
  home: () => string = homedir,
): string {
  const fromEnv = env.PIPEDAI_HOME?.trim();
  return resolve(fromEnv ? fromEnv : join(home(), '.pipedai'));
}

export function pathsFor(home: string): Paths {
  const orchestratorDir = join(home, 'orchestrator');
  const logsDir = join(home, 'logs');
  const runsDir = join(home, 'runs');
  const workersDir = join(orchestratorDir, 'workers');
  return {
    home,
    orchestratorDir,
    manifest: join(orchestratorDir, 'manifest.json'),
    credentials: join(orchestratorDir, 'credentials.json'),
    workersDir,
    logsDir,
    runsDir,
    connectivityLog: join(home, 'connectivity.log'),
    runtimeRecord: join(orchestratorDir, 'daemon.json'),
    ownerLock: join(orchestratorDir, 'daemon.lock'),
    children: join(orchestratorDir, 'children.json'),
    captureDir: join(orchestratorDir, 'capture'),
    workerConfig: (slug) => join(workersDir, `${segment(slug, 'worker config name')}.json`),
    logFile: (workerId) => join(logsDir, `${segment(workerId, 'worker id')}.log`),
    runDir: (workerId) => join(runsDir, segment(workerId, 'worker id')),
  };
}

/** The last guard before an id names a file: whatever parsed it, nothing leaves PIPEDAI_HOME. */
function segment(id: string, what: string): string {
  if (!isSafeSegment(id))
    throw new Error(
      `${what} ${JSON.stringify(id.slice(0, 80))} cannot name a file: it must match [A-Za-z0-9._-]+`,
    );
  return id;
}
