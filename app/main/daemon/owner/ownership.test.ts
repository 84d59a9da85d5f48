import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pathsFor } from '../paths.ts';
import type { Paths } from '../paths.ts';
import { sleeper, startChild } from '../store/test-support.ts';
import { HostOwnedError, acquireOwnership, readLiveOwner } from './ownership.ts';
import type { OwnerLock } from './owner-lock.ts';
import { processStartTime } from './process-info.ts';
import { waitFor } from '../../../../test/support/wait-for.ts';

let root: string;
let paths: Paths;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pipedai-owner-'));
  paths = pathsFor(join(root, 'home'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

async function writeLock(lock: Partial<OwnerLock> & { pid: number }): Promise<void> {
  await mkdir(paths.orchestratorDir, { recursive: true });
  const full: OwnerLock = {
    startTime: null,
    instanceId: 'old-instance',
    host: 'headless',
    startedAt: Date.parse('2030-01-01T00:00:00Z'),
    nonce: 'old',
    ...lock,
  };
  await writeFile(paths.ownerLock, JSON.stringify(full));
}

describe('acquireOwnership', () => {
  it('publishes a 0600 runtime record, then the port, and release removes both', async () => {
    const owner = await acquireOwnership({
      paths,
      host: 'desktop',
      instanceId: 'inst-1',
      now: () => 1_000,
    });
    expect(owner.record).toEqual({
      pid: process.pid,
      port: null,
      instanceId: 'inst-1',
      host: 'desktop',
      startedAt: 1_000,
    });
    expect(JSON.parse(await readFile(paths.runtimeRecord, 'utf8'))).toEqual(owner.record);
    expect(await modeOf(paths.runtimeRecord)).toBe(0o600);
    expect(await modeOf(paths.ownerLock)).toBe(0o600);
    expect(await modeOf(paths.orchestratorDir)).toBe(0o700);
    await owner.setPort(4599);
    expect(owner.record.port).toBe(4599);
    expect(await readLiveOwner(paths)).toEqual({ ...owner.record, port: 4599 });
    await expect(owner.setPort(70_000)).rejects.toThrow(/invalid port 70000/);
    await owner.release();
    expect(existsSync(paths.ownerLock)).toBe(false);
    expect(existsSync(paths.runtimeRecord)).toBe(false);
    expect(await readLiveOwner(paths)).toBeNull();
  });

  it('refuses a second owner, naming the process that owns the host', async () => {
    const first = await acquireOwnership({
      paths,
      host: 'headless',
      now: () => Date.parse('2030-01-02T03:04:05Z'),
    });
    await first.setPort(4600);
    const err = await acquireOwnership({ paths, host: 'desktop' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostOwnedError);
    expect((err as HostOwnedError).owner).toEqual(first.record);
    expect((err as Error).message).toBe(
      `this host is already owned by process ${process.pid} (headless daemon, port 4600, since 2030-01-02T03:04:05.000Z)`,
    );
    await first.release();
    const second = await acquireOwnership({ paths, host: 'desktop' });
    expect(second.record.host).toBe('desktop');
    await second.release();
  });

  it('takes over the lock of a process that has died', async () => {
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => dead.on('exit', r));
    await writeLock({ pid: dead.pid ?? 0 });
    expect(await readLiveOwner(paths)).toBeNull();
    const owner = await acquireOwnership({ paths, host: 'headless' });
    expect(JSON.parse(await readFile(paths.ownerLock, 'utf8')).pid).toBe(process.pid);
    await owner.release();
  });

  it('takes over the lock of an owner that died and was never reaped (a zombie)', async () => {
    // `sh` runs a short child, then becomes `sleep`, which never reaps it: a real zombie.
    const parent = spawn('/bin/sh', ['-c', 'sleep 0.1 & exec sleep 10'], { stdio: 'ignore' });
    try {
      const zombie = await waitFor('a zombie child', async () => {
        const kids = await readFile(
          `/proc/${parent.pid}/task/${parent.pid}/children`,
          'utf8',
        ).catch(() => '');
        const pid = Number(kids.trim().split(' ')[0]);
        if (!pid) return null;
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? pid : null;
      });
      await writeLock({ pid: zombie, startTime: await processStartTime(zombie) });
      expect(await readLiveOwner(paths)).toBeNull();
      const owner = await acquireOwnership({ paths, host: 'headless' });
      await owner.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('takes over when the pid is alive but is another process (start time differs)', async () => {
    const other = sleeper();
    try {
      const realStart = await processStartTime(other.pid);
      await writeLock({ pid: other.pid, startTime: realStart });
      expect(await readLiveOwner(paths)).toMatchObject({
        pid: other.pid,
        instanceId: 'old-instance',
        port: null,
      });
      await expect(acquireOwnership({ paths, host: 'headless' })).rejects.toBeInstanceOf(
        HostOwnedError,
      );

      await writeLock({ pid: other.pid, startTime: 'started-before-the-pid-was-reused' });
      expect(await readLiveOwner(paths)).toBeNull();
      const owner = await acquireOwnership({ paths, host: 'headless' });
      await owner.release();
    } finally {
      await other.stop();
    }
  });

  it('uses the injected start-time lookup for the pid-reuse check', async () => {
    const other = sleeper();
    try {
      await writeLock({ pid: other.pid, startTime: 'T1' });
      const asked: number[] = [];
      const lookup = async (pid: number): Promise<string> => {
        asked.push(pid);
        return pid === other.pid ? 'T2' : 'me';
      };
      const owner = await acquireOwnership({ paths, host: 'headless', processStartTime: lookup });
      expect(asked).toEqual([process.pid, other.pid]);
      expect(JSON.parse(await readFile(paths.ownerLock, 'utf8')).startTime).toBe('me');
      await owner.release();
    } finally {
      await other.stop();
    }
  });

  it('takes over a lock with our pid that this process does not hold (left by a previous process)', async () => {
    await writeLock({ pid: process.pid, startTime: await processStartTime(process.pid) });
    const owner = await acquireOwnership({ paths, host: 'headless' });
    await owner.release();
  });

  it('release leaves a lock and record that are no longer ours', async () => {
    const owner = await acquireOwnership({ paths, host: 'headless' });
    await writeLock({ pid: 1, instanceId: 'someone-else' });
    await writeFile(
      paths.runtimeRecord,
      JSON.stringify({
        pid: 1,
        port: 1,
        instanceId: 'someone-else',
        host: 'headless',
        startedAt: 0,
      }),
    );
    await expect(owner.setPort(4599)).rejects.toThrow(/no longer held/);
    await owner.release();
    expect(existsSync(paths.ownerLock)).toBe(true);
    expect(existsSync(paths.runtimeRecord)).toBe(true);
  });
});

describe('acquireOwnership across processes', () => {
  const script = join(import.meta.dirname, 'fixtures', 'acquire-child.ts');

  async function race(count: number): Promise<{ winners: number[]; losers: number[] }> {
    const children = Array.from({ length: count }, () => startChild(script, [paths.home]));
    try {
      await Promise.all(children.map((c) => c.waitFor((l) => l === 'ready')));
      for (const c of children) c.send('go');
      const outcomes = await Promise.all(
        children.map(async (c) => JSON.parse(await c.waitFor((l) => l.startsWith('{')))),
      );
      const winners = outcomes.filter((o) => o.won).map((o) => o.pid as number);
      const losers = outcomes.filter((o) => !o.won).map((o) => o.ownerPid as number);
      expect(await readLiveOwner(paths)).toMatchObject({ pid: winners[0] });
      return { winners, losers };
    } finally {
      for (const c of children) c.proc.stdin?.end();
      await Promise.all(children.map((c) => c.exited));
    }
  }

  it('lets exactly one of several processes starting at once own the host', async () => {
    const { winners, losers } = await race(3);
    expect(winners).toHaveLength(1);
    expect(losers).toEqual([winners[0], winners[0]]);
    expect(existsSync(paths.ownerLock)).toBe(false); // the winner released on exit
  });

  it('lets exactly one of several processes take over the same stale lock', async () => {
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => dead.on('exit', r));
    await writeLock({ pid: dead.pid ?? 0 });
    const { winners, losers } = await race(3);
    expect(winners).toHaveLength(1);
    expect(losers).toEqual([winners[0], winners[0]]);
  });
});

describe('the owner as others see it', () => {
  const record = {
    pid: 4321,
    port: null,
    instanceId: 'i-1',
    host: 'desktop' as const,
    startedAt: Date.parse('2030-01-02T03:04:05Z'),
  };

  it('HostOwnedError names the desktop app and a port not published yet', () => {
    const err = new HostOwnedError(record);
    expect(err.name).toBe('HostOwnedError');
    expect(err.message).toBe(
      'this host is already owned by process 4321 (desktop app, no port yet, since 2030-01-02T03:04:05.000Z)',
    );
  });

  it('publishes the version when it is known, and no version field when not', async () => {
    const withVersion = await acquireOwnership({ paths, host: 'headless', version: '0.8.0' });
    expect(withVersion.record.version).toBe('0.8.0');
    expect(JSON.parse(await readFile(paths.runtimeRecord, 'utf8')).version).toBe('0.8.0');
    await withVersion.release();
    const without = await acquireOwnership({ paths, host: 'headless' });
    expect('version' in without.record).toBe(false);
    expect('version' in JSON.parse(await readFile(paths.runtimeRecord, 'utf8'))).toBe(false);
    await without.release();
  });

  it('a released lock brought back (a restored backup) no longer counts as this process’s', async () => {
    const owner = await acquireOwnership({ paths, host: 'headless' });
    const content = await readFile(paths.ownerLock, 'utf8');
    await owner.release();
    await writeFile(paths.ownerLock, content);
    expect(await readLiveOwner(paths)).toBeNull();
  });

  it('release works when the runtime record is already gone', async () => {
    const owner = await acquireOwnership({ paths, host: 'headless' });
    await rm(paths.runtimeRecord);
    await owner.release();
    expect(existsSync(paths.ownerLock)).toBe(false);
  });

  it('a live holder whose record is another instance’s is reported from its lock (no port)', async () => {
    // The parent of this test process is alive and is not this process.
    await writeLock({ pid: process.ppid, instanceId: 'holder', host: 'headless', startedAt: 5 });
    await writeFile(
      paths.runtimeRecord,
      JSON.stringify({
        pid: process.ppid,
        port: 1234,
        instanceId: 'stale',
        host: 'desktop',
        startedAt: 1,
      }),
    );
    expect(await readLiveOwner(paths)).toEqual({
      pid: process.ppid,
      port: null,
      instanceId: 'holder',
      host: 'headless',
      startedAt: 5,
    });
  });
});
