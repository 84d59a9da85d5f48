// The desktop package's CLI launcher under a real systemd: `install` run through the launcher (as
// the deb links it, /usr/bin/pipedai-orchestrator) writes a unit whose ExecStart is the launcher,
// never a system node, and the service it starts answers through the launcher. The app is laid out
// as electron-builder lays it (npm run package:check checks that layout): the binary, here the
// packaging check's stub Electron (this Node under ELECTRON_RUN_AS_NODE), resources/bin with the
// launcher, and the CLI unpacked beside the archive.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stubElectronScript } from '../../scripts/package-check-cli.mjs';
import { CLI, describeInBox, NODE, ROOT, startBox, waitFor, type Box } from './box.ts';
import { UNIT_FILE, unitState } from './support.ts';

/** The unpacked Linux app, under the checkout (the box sees it through its bind). */
function layOutApp(): string {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  const app = join(mkdtempSync(join(ROOT, 'tmp', 'launcher-')), 'PipedAI Orchestrator');
  const unpacked = join(app, 'resources', 'app.asar.unpacked');
  mkdirSync(join(unpacked, 'dist'), { recursive: true });
  cpSync(CLI, join(unpacked, 'dist', 'cli.js'));
  // The CLI's commands are chunks it imports when they run (esbuild code splitting).
  cpSync(join(ROOT, 'dist', 'chunks'), join(unpacked, 'dist', 'chunks'), { recursive: true });
  cpSync(join(ROOT, 'templates'), join(unpacked, 'templates'), { recursive: true });
  cpSync(join(ROOT, 'build/bin/linux'), join(app, 'resources', 'bin'), { recursive: true });
  writeFileSync(join(app, 'pipedai-orchestrator'), stubElectronScript(NODE));
  chmodSync(join(app, 'pipedai-orchestrator'), 0o755);
  return app;
}

describeInBox('the desktop package CLI launcher installs the service', () => {
  let box: Box;
  let app: string;
  const launcher = () => join(app, 'resources', 'bin', 'pipedai-orchestrator');
  const env = { PIPEDAI_HOME: '/var/lib/pipedai-launcher' };

  beforeAll(async () => {
    app = layOutApp();
    box = await startBox('launcher');
    // What the deb's after-install script does (build/linux/after-install.sh).
    await box.exec(['ln', '-sf', launcher(), '/usr/bin/pipedai-orchestrator']);
  });
  afterAll(async () => {
    await box?.stop();
    if (app) rmSync(join(app, '..'), { recursive: true, force: true });
  });

  it('install from the launcher: ExecStart is the launcher, and the service answers through it', async () => {
    await box.exec(['/usr/bin/pipedai-orchestrator', 'install'], { env });
    const unit = await box.sh(`cat ${UNIT_FILE}`);
    expect(unit).toMatch(new RegExp(`^ExecStart="${launcher()}" "start"$`, 'm'));
    expect(unit).not.toMatch(/^ExecStart=.*\bnode\b/m);
    const listed = await waitFor('the service answering workers --json', async () => {
      const r = await box.exec(['/usr/bin/pipedai-orchestrator', 'workers', '--json'], {
        env,
        allowFail: true,
      });
      return r.code === 0 ? (JSON.parse(r.stdout) as { items: unknown[] }) : null;
    });
    expect(listed.items).toEqual([]);
    expect((await unitState(box)).activeState).toBe('active');
    // The daemon runs on the app's binary as Node: the launcher exec'd it with the CLI script.
    const daemon = (await box.processes()).find((p) =>
      p.argv.includes(join(app, 'resources/app.asar.unpacked/dist/cli.js')),
    );
    expect(daemon?.argv.slice(-1)).toEqual(['start']);
  });
});
