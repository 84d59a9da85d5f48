import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceManagerFor } from './index.ts';
import { launchdState } from './launchd.ts';
import { memoryFs, recordingRunner } from './test-support.ts';
import type { RunResult } from './types.ts';

const HOME = '/Users/First Last';
const PLIST = `${HOME}/Library/LaunchAgents/com.marolence.pipedai-orchestrator.plist`;
const TARGET = 'gui/501/com.marolence.pipedai-orchestrator';

function setup(answer?: (line: string) => Partial<RunResult> | undefined, isRoot = false) {
  const fs = memoryFs({
    '/opt/homebrew/bin/pipedai-orchestrator': `${HOME}/Apps & <Tools>/100% $cli "x".js`,
  });
  const rec = recordingRunner(answer);
  const manager = serviceManagerFor({
    platform: 'darwin',
    runner: rec.runner,
    fs,
    env: {
      PATH: '/usr/bin:/bin:/usr/sbin:/sbin:/opt/homebrew/bin',
      PIPEDAI_HOME: `${HOME}/state & 'co'`,
    },
    uid: 501,
    isRoot,
    homedir: HOME,
    nodePath: '/opt/homebrew/Cellar/node/22.12.0/bin/node',
    cliPath: '/opt/homebrew/bin/pipedai-orchestrator',
  });
  return { fs, rec, manager };
}

// A strict reader for the plist subset we write: every tag must close in order, text may hold
// only the five entities, and the decoded values must be the raw inputs.
function parsePlist(xml: string): unknown {
  const header =
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';
  if (!xml.startsWith(header)) throw new Error('bad header');
  const tokens = xml.slice(header.length).match(/<[^<>]*>|[^<>]+/g) ?? [];
  if (tokens.join('') !== xml.slice(header.length)) throw new Error('stray < or >');
  let i = 0;
  const next = (): string => {
    while (/^\s+$/.test(tokens[i] ?? 'x')) i++;
    const t = tokens[i++];
    if (t === undefined) throw new Error('unexpected end');
    return t;
  };
  const expectTag = (tag: string): void => {
    const t = next();
    if (t !== tag) throw new Error(`expected ${tag}, got ${t}`);
  };
  const text = (close: string): string => {
    let raw = '';
    if (!(tokens[i] ?? '').startsWith('<')) raw = tokens[i++] ?? '';
    expectTag(close);
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(raw)) throw new Error(`bare & in ${raw}`);
    const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    return raw.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => entities[e] ?? '');
  };
  const value = (): unknown => {
    const t = next();
    if (t === '<true/>') return true;
    if (t === '<string>') return text('</string>');
    if (t === '<integer>') return Number(text('</integer>'));
    if (t === '<array>') {
      const out: unknown[] = [];
      for (;;) {
        const save = i;
        if (next() === '</array>') return out;
        i = save;
        out.push(value());
      }
    }
    if (t === '<dict>') {
      const out: Record<string, unknown> = {};
      for (;;) {
        const k = next();
        if (k === '</dict>') return out;
        if (k !== '<key>') throw new Error(`expected <key>, got ${k}`);
        const key = text('</key>');
        out[key] = value();
      }
    }
    throw new Error(`unexpected ${t}`);
  };
  expectTag('<plist version="1.0">');
  const root = value();
  expectTag('</plist>');
  if (tokens.slice(i).some((t) => t.trim() !== '')) throw new Error('content after </plist>');
  return root;
}

describe('launchd LaunchAgent', () => {
  it('renders a well-formed plist whose values decode to the raw paths', async () => {
    const { fs, manager } = setup();
    const report = await manager.install();
    expect(report).toMatchObject({
      kind: 'launchd',
      name: 'com.marolence.pipedai-orchestrator',
      unitPath: PLIST,
    });
    const file = fs.files.get(PLIST);
    expect(file?.mode).toBe(0o644);
    expect(fs.dirs.get(`${HOME}/Library/Logs/pipedai-orchestrator`)).toBe(0o700);
    const logs = `${HOME}/Library/Logs/pipedai-orchestrator`;
    expect(parsePlist(file?.data ?? '')).toEqual({
      Label: 'com.marolence.pipedai-orchestrator',
      ProgramArguments: [
        '/opt/homebrew/Cellar/node/22.12.0/bin/node',
        `${HOME}/Apps & <Tools>/100% $cli "x".js`,
        'start',
      ],
      EnvironmentVariables: {
        PATH: `/opt/homebrew/Cellar/node/22.12.0/bin:${HOME}/.local/bin:/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
        PIPEDAI_HOME: `${HOME}/state & 'co'`,
        PIPEDAI_SERVICE_MANAGER: 'launchd',
      },
      KeepAlive: true,
      RunAtLoad: true,
      ProcessType: 'Interactive',
      ExitTimeOut: 0, // the drain waits for the runs however long (no ceiling set)
      AbandonProcessGroup: true,
      ThrottleInterval: 10,
      StandardOutPath: `${logs}/daemon.out.log`,
      StandardErrorPath: `${logs}/daemon.err.log`,
    });
    // And the escaped spelling itself, for the lines that carry user data.
    expect(file?.data).toContain(
      '\t\t<string>/Users/First Last/Apps &amp; &lt;Tools&gt;/100% $cli &quot;x&quot;.js</string>\n',
    );
    expect(file?.data).toContain(
      '\t\t<string>/Users/First Last/state &amp; &apos;co&apos;</string>\n',
    );
    expect(report.logs).toBe(logs);
  });

  it("from a desktop package's CLI, runs its launcher (realpath), never a system node", async () => {
    const resources = '/Applications/PipedAI Orchestrator.app/Contents/Resources';
    const fs = memoryFs({
      '/usr/local/bin/pipedai-orchestrator': `${resources}/bin/pipedai-orchestrator`,
    });
    await serviceManagerFor({
      platform: 'darwin',
      runner: recordingRunner().runner,
      fs,
      env: { PATH: '/usr/bin:/bin' },
      uid: 501,
      isRoot: false,
      homedir: HOME,
      nodePath: '/Applications/PipedAI Orchestrator.app/Contents/MacOS/PipedAI Orchestrator',
      cliPath: `${resources}/app.asar.unpacked/dist/cli.js`,
      launcher: '/usr/local/bin/pipedai-orchestrator',
      nodeEnv: { ELECTRON_RUN_AS_NODE: '1' },
    }).install();
    const plist = parsePlist(fs.files.get(PLIST)?.data ?? '') as Record<string, unknown>;
    expect(plist.ProgramArguments).toEqual([`${resources}/bin/pipedai-orchestrator`, 'start']);
    expect(plist.EnvironmentVariables).not.toHaveProperty('ELECTRON_RUN_AS_NODE');
  });

  it('passes plutil -lint where plutil exists (macOS)', async (ctx) => {
    if (spawnSync('plutil', ['-help']).error) {
      console.log(
        'skipping plutil -lint: plutil is not on PATH (the strict reader above checks the XML)',
      );
      ctx.skip();
    }
    const { fs, manager } = setup();
    await manager.install();
    const dir = mkdtempSync(join(tmpdir(), 'pipedai-plist-'));
    try {
      const path = join(dir, 'unit.plist');
      writeFileSync(path, fs.files.get(PLIST)?.data ?? '');
      const r = spawnSync('plutil', ['-lint', path], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bootstraps into gui/<uid>, booting out a loaded copy first', async () => {
    const loaded = setup();
    await loaded.manager.install();
    expect(loaded.rec.calls).toEqual([
      ['launchctl', 'print', TARGET],
      ['launchctl', 'bootout', TARGET],
      ['launchctl', 'enable', TARGET],
      ['launchctl', 'bootstrap', 'gui/501', PLIST],
    ]);
    const fresh = setup((l) =>
      l.includes(' print ') ? { code: 113, stderr: 'Could not find service' } : undefined,
    );
    const report = await fresh.manager.install();
    expect(fresh.rec.calls).toEqual([
      ['launchctl', 'print', TARGET],
      ['launchctl', 'enable', TARGET],
      ['launchctl', 'bootstrap', 'gui/501', PLIST],
    ]);
    expect(report.activated).toBe(true);
  });

  it('a failing bootstrap fails install with its stderr', async () => {
    const { manager } = setup((l) =>
      l.includes(' print ')
        ? { code: 113 }
        : l.includes('bootstrap')
          ? { code: 5, stderr: 'Bootstrap failed: 5: Input/output error\n' }
          : undefined,
    );
    await expect(manager.install()).rejects.toThrow(
      `\`launchctl bootstrap gui/501 ${PLIST}\` failed (exit 5): Bootstrap failed: 5: Input/output error`,
    );
  });

  it('refuses to install as root (a LaunchAgent belongs to a login session)', async () => {
    const { rec, fs, manager } = setup(undefined, true);
    await expect(manager.install()).rejects.toThrow(/without sudo/);
    expect(rec.calls).toEqual([]);
    expect(fs.files.size).toBe(0);
  });

  it('uninstall: bootout then delete; a bootout failure is reported, not fatal', async () => {
    const { fs, rec, manager } = setup((l) =>
      l.includes('bootout')
        ? { code: 3, stderr: 'Boot-out failed: 3: No such process' }
        : undefined,
    );
    fs.files.set(PLIST, { data: 'x', mode: 0o644 });
    const report = await manager.uninstall();
    expect(rec.calls).toEqual([['launchctl', 'bootout', TARGET]]);
    expect(report.removed).toBe(true);
    expect(fs.files.has(PLIST)).toBe(false);
    expect(report.errors).toEqual([
      `\`launchctl bootout ${TARGET}\` failed (exit 3): Boot-out failed: 3: No such process`,
    ]);
  });

  it('status: running only with state = running; loaded-but-dead is installed, not running', async () => {
    const print = (state: string): string =>
      `${TARGET} = {\n\tactive count = 0\n\tpath = ${PLIST}\n\tstate = ${state}\n\n\tprogram = /opt/homebrew/bin/node\n\tlast exit code = 1\n\tendpoints = {\n\t\tstate = active\n\t}\n}\n`;
    const running = setup(() => ({ stdout: print('running') }));
    expect(await running.manager.status()).toEqual({
      installed: true,
      running: true,
      detail: 'com.marolence.pipedai-orchestrator: state = running, last exit code = 1',
    });
    expect(running.rec.calls).toEqual([['launchctl', 'print', TARGET]]);
    const dead = setup(() => ({ stdout: print('not running') }));
    expect(await dead.manager.status()).toMatchObject({ installed: true, running: false });
    const missing = setup(() => ({ code: 113, stderr: 'Could not find service' }));
    expect(await missing.manager.status()).toEqual({
      installed: false,
      running: false,
      detail: 'com.marolence.pipedai-orchestrator: not loaded',
    });
    expect(launchdState('\tstate = waiting\n')).toBe('waiting');
  });
});
