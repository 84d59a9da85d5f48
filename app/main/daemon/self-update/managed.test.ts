import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chooseLaunch,
  confirmRunning,
  launchFor,
  MAX_UNCONFIRMED_STARTS,
  readPointer,
  writePointer,
  type ManagedPointer,
} from './managed.ts';

const pointer = (over: Partial<ManagedPointer> = {}): ManagedPointer => ({
  version: '0.9.0',
  entry:
    '/home/op/.pipedai/runtime/orchestrator/0.9.0/node_modules/@pipedai/orchestrator/dist/cli.js',
  previous: '0.8.0',
  installedAt: 1,
  unconfirmedStarts: 0,
  confirmed: false,
  ...over,
});
const exists = () => true;

describe('which orchestrator a start runs', () => {
  it('the managed one only when it is newer, present, and not failing to start', () => {
    expect(chooseLaunch(null, '0.8.0', exists)).toEqual({ kind: 'own' });
    expect(chooseLaunch(pointer(), '0.8.0', exists)).toMatchObject({
      kind: 'managed',
      version: '0.9.0',
    });
    // A later global install as new or newer wins.
    expect(chooseLaunch(pointer(), '0.9.0', exists)).toEqual({ kind: 'own' });
    expect(chooseLaunch(pointer(), '1.0.0', exists)).toEqual({ kind: 'own' });
    expect(chooseLaunch(pointer(), '0.8.0', () => false)).toMatchObject({
      kind: 'own',
      note: expect.stringMatching(/0\.9\.0 is missing .*running 0\.8\.0/),
    });
    const failing = pointer({ unconfirmedStarts: MAX_UNCONFIRMED_STARTS });
    expect(chooseLaunch(failing, '0.8.0', exists)).toMatchObject({
      kind: 'own',
      note: expect.stringMatching(/failed to start 3 times; running 0\.8\.0/),
    });
    expect(chooseLaunch({ ...failing, confirmed: true }, '0.8.0', exists)).toMatchObject({
      kind: 'managed',
    });
  });

  it('an older managed one only when the operator asked for it and nothing newer came since', () => {
    const down = pointer({ version: '0.7.1', previous: '0.9.0', downgrade: true });
    // Installed by 0.9.0 (itself managed, started by the 0.8.0 launcher): the launcher runs it.
    expect(chooseLaunch(down, '0.8.0', exists)).toMatchObject({
      kind: 'managed',
      version: '0.7.1',
    });
    expect(chooseLaunch(down, '0.9.0', exists)).toMatchObject({
      kind: 'managed',
      version: '0.7.1',
    });
    // A global install newer than the version that asked wins again.
    expect(chooseLaunch(down, '1.0.0', exists)).toEqual({ kind: 'own' });
    // Older without the operator's word: never.
    expect(chooseLaunch({ ...down, downgrade: undefined }, '0.8.0', exists)).toEqual({
      kind: 'own',
    });
    // One that fails to start falls back like any other.
    expect(
      chooseLaunch({ ...down, unconfirmedStarts: MAX_UNCONFIRMED_STARTS }, '0.8.0', exists),
    ).toMatchObject({ kind: 'own', note: expect.stringContaining('failed to start') });
  });

  it('counts each start of an unconfirmed version; the daemon that comes up confirms it', () => {
    const home = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'managed-'));
    dirs.push(home);
    writePointer(home, pointer());
    for (let i = 1; i <= MAX_UNCONFIRMED_STARTS; i++) {
      expect(launchFor(home, '0.8.0', exists).kind).toBe('managed');
      expect(readPointer(home)?.unconfirmedStarts).toBe(i);
    }
    expect(launchFor(home, '0.8.0', exists).kind).toBe('own'); // rolled back to the installer
    confirmRunning(home, '0.8.0'); // not the managed version: changes nothing
    expect(readPointer(home)).toMatchObject({ confirmed: false });
    writePointer(home, pointer({ unconfirmedStarts: 1 }));
    confirmRunning(home, '0.9.0');
    expect(readPointer(home)).toMatchObject({ confirmed: true, unconfirmedStarts: 0 });
    expect(launchFor(home, '0.8.0', exists).kind).toBe('managed');
    expect(readPointer(home)?.unconfirmedStarts).toBe(0);
  });
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
