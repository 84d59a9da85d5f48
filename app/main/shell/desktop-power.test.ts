// The desktop composition when the operating system ends the session: the shutdown handler quits
// without asking, holds the shutdown (preventDefault) while the workers are closed, and releases
// the host. Electron is the recording fake; the daemon and its control server are real.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readLiveOwner } from '../daemon/owner/index.ts';
import { pathsFor } from '../daemon/paths.ts';
import { FakeTray, bootDesktop, fake, waitFor } from './test-support.ts';

vi.mock('electron', async () => (await import('./test-support.ts')).electronModule);
vi.mock('./prefs.ts', () => ({
  openUiPrefs: () => ({ windowBounds: () => undefined, setWindowBounds: () => undefined }),
}));

describe('desktop app when the computer shuts down', () => {
  let root: string;
  let home: string;

  beforeAll(async () => {
    ({ root, home } = await bootDesktop());
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('quits through the shutdown handler: no question, shutdown held, host released', async () => {
    let held = 0;
    fake.power.emit('shutdown', { preventDefault: () => held++ });
    expect(held).toBe(1);
    await waitFor('the app to quit', () => fake.app.quitted);
    expect(fake.messageBoxes).toEqual([]);
    expect(FakeTray.all[0]!.destroyed).toBe(true);
    expect(await readLiveOwner(pathsFor(home))).toBeNull();
    // It quit by itself, well within the deadline: the watchdog never had to end it.
    expect(fake.app.exitCode).toBeNull();
    // Its listeners are gone with it.
    expect(fake.power.listenerCount('shutdown')).toBe(0);
    expect(fake.power.listenerCount('resume')).toBe(0);
  });
});
