// `orchestrator/children.json`: every live worker child, so that a daemon restarted after a
// crash never runs a worker twice.
//
// What a restarted daemon does with a recorded child (decided here; see DESIGN.md "Supervision"):
// - It first proves the pid is still THAT process: alive and not a zombie, the same OS start
//   time as recorded (else the pid was reused), and on Linux its /proc/<pid>/environ carries our
//   tags PIPEDAI_ORCHESTRATOR_WORKER_ID=<workerId> and PIPEDAI_ORCHESTRATOR_INSTANCE=<instance>
//   (when environ is unreadable, /proc/<pid>/cmdline must contain the config path; macOS checks
//   the `ps` command line; Windows has only the start time). A record that fails is dropped.
// - A proven process is ADOPTED, not killed: it may be in the middle of a run, and killing it
//   would fail that run for nothing. The worker shows `running` with `adopted: true` and the
//   pid. Its pipes died with the old daemon, so its output cannot be captured: a note in the log
//   ring says so. It is watched by polling (gone, zombie, or pid reused → exited) and stopped like
//   our own children (SIGTERM drain, then tree kill; Windows: tree kill). When it ends on its
//   own and the worker is still wanted, a supervised replacement is spawned at once.
// - While a proven process for a worker lives, no second `run` is spawned for it: the adopted
//   worker is `running`, so start is a no-op, and reconcile stops it if its entry is disabled
//   or gone. A second proven process for the same worker (impossible unless an earlier daemon
//   failed) is killed.
// - The record keeps the instance id it was spawned with: that is the tag in its environment.
// - A child is recorded only after it has spawned, so a daemon killed in between (10 workers
//   starting take a while to record) leaves children no record names. On Linux the restarted
//   daemon also finds those: process-group leaders (our workers are detached) whose environment
//   carries this registry's path and both tags, running `run --config <path>`. One owner per home
//   at a time, and nothing spawned yet by the new one: such a process is a previous owner's.
import type { ChildRecord, ChildRegistry } from '../../../shared/index.ts';
import { ChildRegistry as ChildRegistrySchema } from '../../../shared/index.ts';
import { JsonFile } from '../store/json-file.ts';
import type { GroupLeader, ProcessProbe } from './process-probe.ts';
import { INSTANCE_TAG, REGISTRY_TAG, WORKER_ID_TAG } from './spawn.ts';

export interface ChildRegistryStore {
  read(): Promise<ChildRegistry>;
  update(fn: (cur: ChildRegistry) => ChildRegistry): Promise<ChildRegistry>;
}

export function childRegistryFile(path: string): JsonFile<ChildRegistry> {
  return new JsonFile<ChildRegistry>(path, ChildRegistrySchema, {
    empty: () => ({ version: 1, children: [] }),
    mode: 0o600,
  });
}

export interface ChildRegistryDeps {
  store: ChildRegistryStore;
  probe: ProcessProbe;
  platform: NodeJS.Platform;
  /** The instance that spawns from now on (written into new records). */
  instanceId: string;
  /** The REGISTRY_TAG value our children carry (the registry file's path); unset: not searched. */
  registryTag?: string;
  now(): number;
  /** A record that could not be written; the child runs on regardless. */
  onError(err: unknown): void;
}

export interface Recovered {
  /** Proven to be the recorded worker process, still running. */
  live: ChildRecord[];
  /** Dead, a zombie, or the pid now names another process. */
  dropped: ChildRecord[];
}

export interface ChildRegistryBook {
  /** Record a child we just spawned (its start time is read now). */
  add(child: { workerId: string; pid: number; configPath: string }): void;
  remove(pid: number): void;
  /** Verify every record against the OS; keep the proven ones in the file, drop the rest. */
  recover(): Promise<Recovered>;
  /** Resolves when every write issued so far has finished. */
  idle(): Promise<void>;
}

export async function isRecordedProcess(
  rec: ChildRecord,
  probe: ProcessProbe,
  platform: NodeJS.Platform,
): Promise<boolean> {
  if (!(await probe.isAlive(rec.pid))) return false;
  if ((await probe.startTime(rec.pid)) !== rec.startTime) return false;
  const env = await probe.environ(rec.pid);
  if (env !== null) {
    return (
      env.includes(`${WORKER_ID_TAG}=${rec.workerId}`) &&
      env.includes(`${INSTANCE_TAG}=${rec.instanceId}`)
    );
  }
  const cmd = await probe.commandLine(rec.pid);
  if (cmd !== null) return cmd.includes(rec.configPath);
  return platform !== 'linux'; // Linux can always read one of them for our own processes
}

/** The record a tagged group leader would have had; null unless it is a worker of this registry. */
async function recordOfLeader(
  leader: GroupLeader,
  deps: Pick<ChildRegistryDeps, 'probe' | 'registryTag' | 'now'>,
): Promise<ChildRecord | null> {
  const tag = (name: string): string | undefined =>
    leader.environ.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1);
  const { argv } = leader;
  const at = argv.findIndex((a, i) => a === 'run' && argv[i + 1] === '--config');
  const configPath = at >= 0 ? argv[at + 2] : undefined;
  const workerId = tag(WORKER_ID_TAG);
  const instanceId = tag(INSTANCE_TAG);
  if (tag(REGISTRY_TAG) !== deps.registryTag || !workerId || !instanceId || !configPath)
    return null;
  const startTime = await deps.probe.startTime(leader.pid);
  if (startTime === null) return null;
  return { workerId, pid: leader.pid, startTime, configPath, instanceId, spawnedAt: deps.now() };
}

export function createChildRegistry(deps: ChildRegistryDeps): ChildRegistryBook {
  const { store } = deps;
  // Per pid, the last write issued: an exit's removal waits for the spawn's record.
  const pending = new Map<number, Promise<void>>();

  const chain = (pid: number, write: () => Promise<void>): void => {
    const prev = pending.get(pid) ?? Promise.resolve();
    const next = prev
      .then(write)
      .catch(deps.onError)
      .finally(() => {
        if (pending.get(pid) === next) pending.delete(pid);
      });
    pending.set(pid, next);
  };
  const without = (cur: ChildRegistry, pid: number): ChildRecord[] =>
    cur.children.filter((c) => c.pid !== pid);

  return {
    add({ workerId, pid, configPath }) {
      const spawnedAt = deps.now();
      chain(pid, async () => {
        const startTime = await deps.probe.startTime(pid);
        if (startTime === null) return; // already gone: nothing to find after a crash
        const rec: ChildRecord = {
          workerId,
          pid,
          startTime,
          configPath,
          instanceId: deps.instanceId,
          spawnedAt,
        };
        await store.update((cur) => ({ ...cur, children: [...without(cur, pid), rec] }));
      });
    },
    remove(pid) {
      chain(pid, async () => {
        await store.update((cur) =>
          cur.children.some((c) => c.pid === pid) ? { ...cur, children: without(cur, pid) } : cur,
        );
      });
    },
    async recover() {
      const { children } = await store.read();
      const proven = await Promise.all(
        children.map((rec) => isRecordedProcess(rec, deps.probe, deps.platform).catch(() => false)),
      );
      const live = children.filter((_, i) => proven[i]);
      const dropped = children.filter((_, i) => !proven[i]);
      const leaders =
        deps.registryTag !== undefined && deps.probe.groupLeaders
          ? // Stryker disable next-line ArrayDeclaration: a stand-in that is no group leader is refused as untagged all the same
            await deps.probe.groupLeaders().catch(() => [])
          : [];
      const recorded = new Set(live.map((r) => r.pid));
      const found = (
        await Promise.all(
          leaders
            .filter((l) => !recorded.has(l.pid))
            .map((l) => recordOfLeader(l, deps).catch(() => null)),
        )
      ).filter((r) => r !== null);
      if (dropped.length > 0 || found.length > 0) {
        const gone = new Set(dropped.map((r) => JSON.stringify(r)));
        await store.update((cur) => ({
          ...cur,
          children: [...cur.children.filter((c) => !gone.has(JSON.stringify(c))), ...found],
        }));
      }
      return { live: [...live, ...found], dropped };
    },
    async idle() {
      while (pending.size > 0) await Promise.all(pending.values());
    },
  };
}
