// `npm run demo` as a user runs it (npm, the bootstrap, scripts/demo.mjs): wait for the Dashboard
// line, check the daemon behind it serves two running workers, Ctrl-C (SIGINT to the process
// group, as a terminal sends it), and nothing may be left behind. The demo
// gets its own TMPDIR, which every process it starts inherits: that is how leftovers are found.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../scripts/toolchain.mjs';
import {
  ANSI,
  childEnv,
  ensureBundles,
  killChildren,
  processesWhere,
  startChild,
  waitFor,
} from './support/cli.ts';

interface WorkerRow {
  label: string;
  local: { state: string } | null;
}

const ROOT = join(import.meta.dirname, '../..');

/** The printed URL opened as a user would: the workers table shows the demo's workers running. */
async function expectRunningRowsInChromium(url: string, labels: string[]): Promise<void> {
  const found = findChromium(ROOT);
  // `npm test` brings Chromium (apt on Debian, else Playwright's) before this suite runs.
  if (!found.path) throw new Error(`the demo's page needs a browser: ${found.reason}`);
  const browser = await chromium.launch({
    executablePath: found.path,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const tab = await browser.newPage();
    await tab.goto(url);
    const table = tab.getByRole('region', { name: 'Workers' });
    for (const label of labels) {
      const row = table.getByRole('row').filter({ hasText: label });
      await row.getByText('running').first().waitFor({ timeout: 60_000 });
    }
    expect(await table.getByRole('row').filter({ hasText: 'running' }).count()).toBe(2);
  } finally {
    await browser.close();
  }
}

// Generous: a loaded 2-core machine runs other suites' children at the same time.
describe.runIf(process.platform === 'linux')('npm run demo', { timeout: 180_000 }, () => {
  let tmp = '';
  const ours = () => processesWhere((_cmd, environ) => environ.includes(`\nTMPDIR=${tmp}\n`));

  beforeAll(() => ensureBundles());

  afterEach(async () => {
    // A failed run may leave the demo's children: they carry our TMPDIR. They go first: while
    // they hold npm's stdout, npm's 'close' (what killChildren waits for) never comes.
    for (const pid of ours()) process.kill(pid, 'SIGKILL');
    await killChildren();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('prints the dashboard URL of two running workers; Ctrl-C leaves nothing behind', async () => {
    tmp = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'demo-'));
    const d = startChild('npm', ['run', 'demo'], {
      env: childEnv({ TMPDIR: tmp }),
      detached: true,
    });

    const url = await waitFor(
      'the Dashboard line',
      () => {
        if (d.proc.exitCode !== null) throw new Error(`demo exited early: ${d.stdout()}`);
        return /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=oct_\S+)$/m.exec(d.stdout())?.[1];
      },
      120_000,
    );
    const dashboard = new URL(url);
    const token = dashboard.searchParams.get('token') ?? '';
    const workers = await waitFor(
      'two running workers',
      async () => {
        const res = await fetch(new URL('/api/workers', dashboard), {
          headers: { authorization: `Bearer ${token}` },
        });
        if (res.status !== 200) throw new Error(`GET /api/workers: ${res.status}`);
        const { items } = (await res.json()) as { items: WorkerRow[] };
        return items.length === 2 && items.every((w) => w.local?.state === 'running') && items;
      },
      60_000,
    );
    expect(workers.map((w) => w.label)).toContain('second');
    const page = await fetch(dashboard);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    await expectRunningRowsInChromium(url, ['second']);

    // The scan sees the demo, the sandbox, the daemon and both workers.
    expect(ours().length).toBeGreaterThanOrEqual(5);
    expect(readdirSync(tmp).some((n) => n.startsWith('pipedai-demo-'))).toBe(true);

    process.kill(-(d.proc.pid ?? 0), 'SIGINT');
    // npm ends the way a Ctrl-C'd command should (by SIGINT, so the shell stops a script too);
    // the demo under it ended cleanly.
    const { code, signal } = await d.exited;
    expect({ code, signal }, d.stdout() + d.stderr()).toEqual({ code: null, signal: 'SIGINT' });
    expect(d.stdout()).toContain('stopped');
    expect(d.stdout().match(/^Dashboard: /gm)).toHaveLength(1);
    expect(d.stdout() + d.stderr()).not.toMatch(ANSI);
    await waitFor('no process of the demo left', () => ours().length === 0, 10_000);
    expect(readdirSync(tmp).filter((n) => n.startsWith('pipedai-demo-'))).toEqual([]);
  });
});
