// The dashboard in Chromium against the demo setup (sandbox API + headless daemon): a person's
// path from an empty host to a deleted worker, each step checked on the page and on the daemon.
// The steps build on each other, so they run in order on one page.
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { z } from 'zod';
import type { FusedWorker } from '../app/shared/index.ts';
import { findChromium } from '../scripts/toolchain.mjs';
import {
  LOOKS,
  axeInEveryLook,
  axeProblems,
  focused,
  pageScrollWidth,
  smallTargets,
} from './a11y.ts';
import { LATEST_WORKER, expect, shot, test, type DemoSetup } from './fixtures.ts';

// No browser: a skip that says which and how to get one; in CI that is a failure, not a skip.
const browser = findChromium(resolve(import.meta.dirname, '..'));
if (!browser.path) {
  if (process.env.CI) throw new Error(`dashboard e2e: ${browser.reason}`);
  console.log(`dashboard e2e skipped: ${browser.reason}`);
}
test.skip(!browser.path, browser.reason);
test.describe.configure({ mode: 'serial' });

const FIRST = 'build-box-1';
const SECOND = 'build-box-2';
/** Commands that register, drain or restart a worker can take a while on a loaded machine. */
const SLOW = { timeout: 90_000 };

const SandboxWorker = z.looseObject({
  id: z.string(),
  label: z.string(),
  disabled: z.boolean(),
  deleted: z.boolean(),
});
const SandboxRun = z.looseObject({ status: z.string() });
const SandboxState = z.looseObject({
  devices: z.array(z.looseObject({ userCode: z.string(), status: z.string() })),
});

async function daemonWorker(demo: DemoSetup, label: string): Promise<FusedWorker | undefined> {
  const { items } = await demo.control.call('listWorkers', {});
  return items.find((w) => w.label === label);
}

async function workerId(demo: DemoSetup, label: string): Promise<string> {
  const w = await daemonWorker(demo, label);
  if (!w) throw new Error(`the daemon has no worker labelled ${label}`);
  return w.id;
}

const sandboxWorker = async (demo: DemoSetup, id: string) =>
  SandboxWorker.parse(await demo.sandboxGet(`/sandbox/workers/${id}`));

/** The table row of the worker with this label. */
const row = (page: Page, label: string): Locator =>
  page
    .getByRole('region', { name: 'Workers' })
    .getByRole('row')
    .filter({ has: page.locator('.label').getByText(label, { exact: true }) });
const localCell = (r: Locator): Locator => r.getByRole('cell').nth(2);
const remoteCell = (r: Locator): Locator => r.getByRole('cell').nth(3);
const runtimeCell = (r: Locator): Locator => r.getByRole('cell').nth(5);

/** Open a worker's Logs drawer and wait for its live lines. */
async function openLogs(page: Page, label: string): Promise<{ drawer: Locator; view: Locator }> {
  await row(page, label)
    .getByRole('button', { name: `Logs of ${label}`, exact: true })
    .click();
  const drawer = page.getByRole('dialog', { name: `Logs — ${label}` });
  const view = drawer.getByRole('log', { name: 'Log lines' });
  await expect(view).toContainText('chatter #', SLOW);
  return { drawer, view };
}

/** The executable and the script of a worker process (from /proc). */
function processOf(pid: number): { exe: string; script: string | undefined } {
  return {
    exe: realpathSync(`/proc/${pid}/exe`),
    script: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[1],
  };
}
const managedScript = (home: string, version: string): string =>
  join(home, 'runtime/worker', version, 'node_modules/@pipedai/worker/bin/pipedai-worker.js');

/** The number of the newest `chatter #<n>` line the log view shows (the simulator counts up). */
async function newestChatter(view: Locator): Promise<number> {
  const texts = await view.locator('.log-line .text').allTextContents();
  for (let i = texts.length - 1; i >= 0; i--) {
    const m = /chatter #(\d+)/.exec(texts[i] ?? '');
    if (m) return Number(m[1]);
  }
  return -1;
}

test('connects this host through the pairing view', async ({ dashboard: page, demo }) => {
  await expect(page.getByRole('heading', { name: 'Connect this host' })).toBeVisible();
  // The header names the machine, as the daemon reports it.
  const self = await demo.control.call('getSelf', {});
  expect(self.hostname).toBeTruthy();
  await expect(page.getByTitle('The machine this orchestrator runs on')).toHaveText(self.hostname!);
  expect((await demo.control.call('listWorkers', {})).items).toEqual([]);
  expect(await axeInEveryLook(page, 'Connect this host')).toEqual([]);
  await page.setViewportSize({ width: 360, height: 740 });
  expect(await pageScrollWidth(page)).toBeLessThanOrEqual(360);
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByLabel('PipedAI API URL').fill(demo.apiUrl);
  await page.getByLabel('Label (optional)').fill(FIRST);
  await shot(page, 'connect-this-host');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();

  await expect(page.getByRole('heading', { name: 'Approve this host' })).toBeVisible();
  const code = page.getByLabel('Pairing code');
  await expect(code).toHaveText(/^[A-Z]{4}-[A-Z]{4}$/);
  const userCode = (await code.textContent()) ?? '';
  // The daemon asked the API for that very code, and it waits for a person.
  const { devices } = SandboxState.parse(await demo.sandboxGet('/sandbox/state'));
  expect(devices).toContainEqual(expect.objectContaining({ userCode, status: 'pending' }));
  await expect(page.getByText('Waiting for approval…')).toBeVisible();
  // The worker runtime downloads from the registry while a person approves.
  await expect(page.getByRole('status', { name: /Worker runtime: / })).toBeVisible();
  await shot(page, 'pairing-code');

  // A person approves it on the PipedAI site: here, the sandbox's control does.
  await demo.sandboxPost('/sandbox/device/approve', { userCode });

  const first = row(page, FIRST);
  await expect(localCell(first)).toContainText('running', SLOW);
  await expect(remoteCell(first)).toContainText('online', SLOW);
  await expect(page.getByRole('heading', { name: 'Connect this host' })).toBeHidden();
  await expect
    .poll(() => daemonWorker(demo, FIRST), SLOW)
    .toMatchObject({ mode: 'workspace', desiredState: 'enabled', local: { state: 'running' } });
  const id = await workerId(demo, FIRST);
  await expect(first.getByTitle(id)).toBeVisible();
  expect(await sandboxWorker(demo, id)).toMatchObject({ label: FIRST, deleted: false });
  // It runs the managed runtime the daemon installed, on the daemon's own Node: the host has no
  // node, npm or pipedai-worker on its PATH.
  await expect(runtimeCell(first)).toContainText('managed 1.4.2');
  const w = await daemonWorker(demo, FIRST);
  expect(processOf(w!.local!.pid!)).toEqual({
    exe: realpathSync(process.execPath),
    script: managedScript(demo.home, '1.4.2'),
  });
});

test('builds a second worker', async ({ dashboard: page, demo }) => {
  await page.getByRole('button', { name: '+ Build worker', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Build a worker' });
  // The host's one workspace environment is offered.
  await expect(dialog.getByLabel('PipedAI API URL')).toHaveValue(demo.apiUrl);
  await dialog.getByLabel('Label (optional)').fill(SECOND);
  await shot(page, 'build-dialog');
  await dialog.getByRole('button', { name: 'Build', exact: true }).click();
  await expect(dialog).toBeHidden(SLOW);

  const second = row(page, SECOND);
  await expect(localCell(second)).toContainText('running', SLOW);
  await expect(remoteCell(second)).toContainText('online', SLOW);
  await expect(row(page, FIRST)).toBeVisible();
  // The sandbox announces a newer worker release: the row offers the upgrade.
  await expect(second.getByRole('cell').nth(4)).toContainText(`→ v${LATEST_WORKER}`, SLOW);
  await expect(
    second.getByRole('button', { name: `Upgrade ${SECOND}`, exact: true }),
  ).toBeVisible();
  await expect
    .poll(() => daemonWorker(demo, SECOND), SLOW)
    .toMatchObject({
      mode: 'workspace',
      desiredState: 'enabled',
      local: { state: 'running' },
      latestWorkerVersion: LATEST_WORKER,
      versionStale: true,
    });
  const { items } = await demo.control.call('listWorkers', {});
  expect(items.map((w) => w.label)).toEqual([FIRST, SECOND]);
  expect(await sandboxWorker(demo, await workerId(demo, SECOND))).toMatchObject({
    label: SECOND,
    disabled: false,
    deleted: false,
  });
  await shot(page, 'workers-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'workers-dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

/** The remote badge of each row that renders a green "online" (the page's own rendering). */
const greenOnline = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll('tr[data-worker] td:nth-child(4) .badge.tone-ok')]
      .filter((b) => b.textContent === 'online')
      .map((b) => b.closest('tr')?.getAttribute('data-worker') ?? '?'),
  );

test('a PipedAI outage: stale, never green, with a banner; green again once it lifts', async ({
  dashboard: page,
  demo,
}) => {
  const rows = [row(page, FIRST), row(page, SECOND)];
  const badge = (r: Locator) => remoteCell(r).locator('.badge');
  for (const r of rows) await expect(badge(r)).toHaveText('online', SLOW);
  await expect(page).toHaveTitle('PipedAI Orchestrator');
  const dashboardUrl = new URL(demo.dashboardUrl);
  const metrics = async (): Promise<string> => {
    const res = await fetch(`${dashboardUrl.origin}/metrics`, {
      headers: { authorization: `Bearer ${dashboardUrl.searchParams.get('token')}` },
    });
    return res.text();
  };

  const outageAt = Date.now();
  await demo.sandboxPost('/sandbox/faults', { outage: true });
  try {
    // The daemon notices: a failed poll at its next tick, confirmed by a probe it runs at once.
    await expect
      .poll(async () => {
        const { items } = await demo.control.call('listWorkers', {});
        return items.map((w) => w.remote?.staleReason ?? 'fresh');
      }, SLOW)
      .toEqual(['api-unreachable', 'api-unreachable']);
    test.info().annotations.push({
      type: 'noticed',
      description: `the daemon called both workers stale ${Date.now() - outageAt} ms into the outage (1 s polls)`,
    });
    // From the moment the daemon noticed, every render of the page is watched: any green
    // "online" in a remote cell until the outage lifts is a failure, however long it lasts.
    await page.evaluate(() => {
      const w = window as { __green?: string[]; __watch?: MutationObserver };
      w.__green = [];
      const check = () => {
        for (const b of document.querySelectorAll('tr[data-worker] td:nth-child(4) .badge.tone-ok'))
          if (b.textContent === 'online')
            w.__green?.push(b.closest('tr')?.getAttribute('data-worker') ?? '?');
      };
      w.__watch = new MutationObserver(check);
      w.__watch.observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
      check();
    });
    for (const r of rows) {
      await expect(badge(r)).toHaveText(/^stale · seen \d+s ago$/, SLOW);
      await expect(badge(r)).toHaveClass(/tone-neutral/);
      await expect(remoteCell(r)).toContainText("this host can't reach PipedAI");
    }
    const banner = page.getByRole('status').filter({ hasText: "Can't reach PipedAI since" });
    await expect(banner).toHaveText(
      /^Can't reach PipedAI since \d\d:\d\d — workers keep running; remote status is out of date$/,
      SLOW,
    );
    await expect(page.getByRole('navigation', { name: 'Summary' })).toContainText(
      /PipedAI unreachable for \d+s/,
    );
    await expect(page).toHaveTitle('(2) PipedAI Orchestrator');
    // The workers keep running, and every other door says the same.
    const viaCli = await demo.workersViaCli();
    expect(viaCli.map((w) => [w.local?.state, w.remote?.stale])).toEqual([
      ['running', true],
      ['running', true],
    ]);
    const table = await demo.cli(['workers']);
    for (const label of [FIRST, SECOND])
      expect(table.split('\n').find((l) => l.startsWith(label))).toMatch(/stale · seen \d+s ago/);
    expect(table).not.toMatch(/\bonline\b/);
    expect(await metrics()).toMatch(
      /^pipedai_worker_remote_stale\{worker="build-box-1",id="[^"]+"\} 1$/m,
    );
    await page.waitForTimeout(1_500); // a few more frames and polls under the watch
    await shot(page, 'outage');
    const green = await page.evaluate(() => {
      const w = window as { __green?: string[]; __watch?: MutationObserver };
      w.__watch?.disconnect();
      return w.__green ?? [];
    });
    expect(green, 'a remote badge rendered green "online" during the outage').toEqual([]);
  } finally {
    await demo.sandboxPost('/sandbox/faults', { outage: false });
  }

  for (const r of rows) await expect(badge(r)).toHaveText('online', SLOW);
  for (const r of rows) await expect(badge(r)).toHaveClass(/tone-ok/);
  expect((await greenOnline(page)).length).toBe(2);
  await expect(page.getByRole('status').filter({ hasText: "Can't reach PipedAI" })).toBeHidden(
    SLOW,
  );
  await expect(page).toHaveTitle('PipedAI Orchestrator');
  // Each summary item leads to its row: the first worker with an upgrade on offer.
  await page
    .getByRole('navigation', { name: 'Summary' })
    .getByRole('button', { name: '2 upgrades available' })
    .click();
  await expect(rows[0]!).toBeFocused();
  expect((await demo.workersViaCli()).map((w) => w.remote?.stale)).toEqual([false, false]);
  expect(await metrics()).toMatch(
    /^pipedai_worker_remote_stale\{worker="build-box-1",id="[^"]+"\} 0$/m,
  );
});

test('upgrades the first worker side by side while its run completes', async ({
  dashboard: page,
  demo,
}) => {
  const first = row(page, FIRST);
  const id = await workerId(demo, FIRST);
  const { runId } = z
    .object({ runId: z.string() })
    .parse(await demo.sandboxPost('/sandbox/runs', { workerId: id, durationMs: 5_000, events: 5 }));
  await expect(remoteCell(first)).toContainText('busy', SLOW);
  await first.getByRole('button', { name: `Upgrade ${FIRST}`, exact: true }).click();
  const confirm = page.getByRole('dialog', { name: `Upgrade ${FIRST} to v${LATEST_WORKER}?` });
  await expect(confirm).toContainText('installed beside the current one first');
  await confirm.getByRole('button', { name: 'Upgrade', exact: true }).click();
  await shot(page, 'runtime-upgrade');
  await expect(runtimeCell(first)).toContainText(`managed ${LATEST_WORKER}`, SLOW);
  await expect(localCell(first)).toContainText('running', SLOW);
  // The run in flight finished before the switch; 1.4.2 stays installed for a rollback.
  expect(SandboxRun.parse(await demo.sandboxGet(`/sandbox/runs/${runId}`)).status).toBe(
    'succeeded',
  );
  const w = await daemonWorker(demo, FIRST);
  expect(w?.runtime).toMatchObject({ version: LATEST_WORKER, previous: '1.4.2' });
  expect(processOf(w!.local!.pid!).script).toBe(managedScript(demo.home, LATEST_WORKER));
  await expect(
    first.getByRole('button', { name: `Roll back ${FIRST}`, exact: true }),
  ).toBeVisible();
});

test('rolls a release that crash-loops back by itself, and says so', async ({
  dashboard: page,
  demo,
}) => {
  const first = row(page, FIRST);
  // A newer release is announced; the sandbox registry's 1.5.1 exits at start.
  await demo.sandboxPost('/sandbox/releases', { worker: '1.5.1' });
  const upgrade = first.getByRole('button', { name: `Upgrade ${FIRST}`, exact: true });
  await expect(upgrade).toBeVisible(SLOW);
  await upgrade.click();
  await page
    .getByRole('dialog', { name: `Upgrade ${FIRST} to v1.5.1?` })
    .getByRole('button', { name: 'Upgrade', exact: true })
    .click();
  await expect(page.getByText(/rolled back from 1\.5\.1 to 1\.5\.0 by itself/)).toBeVisible(SLOW);
  await expect(runtimeCell(first)).toContainText('rolled back from 1.5.1', SLOW);
  await expect(runtimeCell(first)).toContainText('managed 1.5.0');
  await expect(localCell(first)).toContainText('running', SLOW);
  await shot(page, 'runtime-rolled-back');
  expect((await daemonWorker(demo, FIRST))?.runtime).toMatchObject({
    version: '1.5.0',
    rolledBackFrom: '1.5.1',
    rolledBackAutomatically: true,
  });
  await demo.sandboxPost('/sandbox/releases', { worker: LATEST_WORKER });
});

test('a runtime that cannot be installed: a clear error, then Retry once the registry is back', async ({
  dashboard: page,
  demo,
}) => {
  const second = row(page, SECOND);
  // Its version's folder goes missing (removed by hand) and the registry is unreachable.
  rmSync(join(demo.home, 'runtime/worker/1.4.2'), { recursive: true, force: true });
  await demo.stopRegistry();
  try {
    await second.getByRole('button', { name: `Restart ${SECOND}`, exact: true }).click();
    await expect(localCell(second)).toContainText('needs-runtime', SLOW);
    await second.getByRole('button', { name: `Install runtime ${SECOND}`, exact: true }).click();
    const card = page.getByRole('region', { name: 'Worker runtime' });
    await expect(card.getByRole('alert')).toContainText(
      `cannot reach ${demo.registryUrl} to install @pipedai/worker@1.4.2`,
      SLOW,
    );
    await expect(runtimeCell(second)).toContainText('not installed');
    // Waiting, not crash-looping: no restarts counted, no process.
    expect((await daemonWorker(demo, SECOND))?.local).toMatchObject({
      state: 'needs-runtime',
      pid: null,
      restarts: 0,
    });
    await shot(page, 'runtime-install-failed');
  } finally {
    await demo.startRegistry();
  }
  await page
    .getByRole('region', { name: 'Worker runtime' })
    .getByRole('button', { name: 'Retry', exact: true })
    .click();
  await expect(localCell(second)).toContainText('running', SLOW);
  await expect(runtimeCell(second)).toContainText('managed 1.4.2');
  await expect(page.getByRole('region', { name: 'Worker runtime' })).toBeHidden();
});

test('stops and starts it', async ({ dashboard: page, demo }) => {
  const second = row(page, SECOND);
  await second.getByRole('button', { name: `Stop ${SECOND}`, exact: true }).click();
  const confirm = page.getByRole('dialog', { name: `Stop ${SECOND}?` });
  await expect(confirm).toContainText('can be started again');
  await confirm.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(confirm).toBeHidden();

  await expect(localCell(second)).toContainText('stopped', SLOW);
  await expect(second.getByRole('button', { name: `Start ${SECOND}`, exact: true })).toBeEnabled();
  await expect
    .poll(() => daemonWorker(demo, SECOND), SLOW)
    .toMatchObject({ desiredState: 'disabled', local: { state: 'stopped', pid: null } });
  // Only that one: the first worker keeps running.
  expect(await daemonWorker(demo, FIRST)).toMatchObject({ local: { state: 'running' } });

  await second.getByRole('button', { name: `Start ${SECOND}`, exact: true }).click();
  await expect(localCell(second)).toContainText('running', SLOW);
  await expect(second.getByRole('button', { name: `Stop ${SECOND}`, exact: true })).toBeEnabled();
  await expect
    .poll(() => daemonWorker(demo, SECOND), SLOW)
    .toMatchObject({ desiredState: 'enabled', local: { state: 'running' } });
});

test("opens a run's events, live", async ({ dashboard: page, demo }) => {
  const id = await workerId(demo, SECOND);
  const second = row(page, SECOND);
  const { runId } = z.object({ runId: z.string() }).parse(
    await demo.sandboxPost('/sandbox/runs', {
      workerId: id,
      durationMs: 8_000,
      events: 16,
      prompt: 'Validate the query string of /search',
    }),
  );
  // While it runs, the row says so.
  await expect(remoteCell(second)).toContainText('busy', SLOW);
  await expect(remoteCell(second)).toContainText(`run ${runId.slice(0, 8)}`);
  // CPU and memory of the worker's process tree, each with its last minutes drawn under it,
  // and the host's totals in the header.
  const cpu = second.locator('td.resource').first();
  await expect(cpu).toContainText(/\d+\.\d%|\d+%/, SLOW);
  await expect(second.locator('td.resource').nth(1)).toContainText(/\d+(\.\d)? (KiB|MiB|GiB)/);
  await expect(cpu.locator('svg.spark polyline')).toBeVisible(SLOW);
  await expect(page.locator('.host-totals')).toContainText(/workers: CPU \d/);
  // The table fits the 1280 px window: nothing scrolls sideways.
  const overflow = await page
    .locator('table.workers')
    .evaluate((t) => t.scrollWidth - (t.parentElement?.clientWidth ?? t.scrollWidth));
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, 'workers-busy');
  await page.setViewportSize({ width: 1024, height: 700 });
  await shot(page, 'workers-narrow');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Open it while it runs: the drawer marks it live and its events come in as they happen.
  await second.getByRole('button', { name: `Runs of ${SECOND}`, exact: true }).click();
  const drawer = page.getByRole('dialog', { name: `Runs — ${SECOND}` });
  const item = drawer.getByRole('navigation', { name: 'Runs' }).getByTitle(runId);
  await item.click();
  await expect(item).toHaveAttribute('aria-current', 'true');
  const list = drawer.getByRole('list', { name: 'Run events' });
  const events = list.getByRole('listitem');
  await expect(events.first()).toContainText('#1', SLOW);
  await expect.poll(() => events.count(), SLOW).toBeGreaterThanOrEqual(10);
  await shot(page, 'runs-light');

  await expect
    .poll(async () => SandboxRun.parse(await demo.sandboxGet(`/sandbox/runs/${runId}`)).status, {
      ...SLOW,
      intervals: [500],
    })
    .toBe('succeeded');
  await expect(remoteCell(second)).not.toContainText('busy', SLOW);
  await expect(item.getByText('live', { exact: true })).toBeHidden(SLOW);
  // The run history as a timeline: this run ended well.
  await expect(
    drawer.getByRole('button', { name: `Run ${runId.slice(0, 12)}…, succeeded` }),
  ).toBeVisible(SLOW);

  // The daemon kept every event of the run, and the drawer shows them all, ending with the result.
  const readEvents = async () =>
    (await demo.control.call('getRunEvents', { id, runId, tail: 5000 })).items;
  await expect
    .poll(async () => (await readEvents()).some((e) => e.type === 'result'), SLOW)
    .toBe(true);
  const kept = await readEvents();
  expect(kept.length).toBeGreaterThanOrEqual(16);
  await expect(events).toHaveCount(kept.length, SLOW);
  const last = kept.at(-1)!;
  await expect(events.last()).toContainText(`#${last.seq}`);
  await expect(events.last()).toContainText('result');

  await drawer.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(drawer).toBeHidden();
});

test('every view passes axe (WCAG 2.1 A/AA) in light and dark, on a desktop and a phone', async ({
  browser,
  demo,
}) => {
  const found: string[] = [];
  // One page a look, each view opened in turn; what is found is reported all at once.
  for (const look of LOOKS) {
    const context = await browser.newContext({
      viewport: look.viewport,
      colorScheme: look.colorScheme,
    });
    const page = await context.newPage();
    /** The table as a whole; a dialog or drawer on its own (the table under it was checked). */
    const check = async (view: string, within?: string): Promise<void> => {
      found.push(...(await axeProblems(page, `${view}, ${look.name}`, within)));
    };
    const DIALOG = '[role="dialog"]';
    try {
      await page.goto(demo.dashboardUrl);
      const second = row(page, SECOND);
      await expect(localCell(second)).toContainText('running', SLOW);
      await check('the workers table');

      const { drawer: logs } = await openLogs(page, SECOND);
      await check('the logs drawer', DIALOG);
      await page.keyboard.press('Escape');
      await expect(logs).toBeHidden();

      await second.getByRole('button', { name: `Runs of ${SECOND}`, exact: true }).click();
      const runs = page.getByRole('dialog', { name: `Runs — ${SECOND}` });
      await runs.getByRole('navigation', { name: 'Runs' }).getByRole('button').first().click();
      await expect(runs.getByRole('list', { name: 'Run events' })).toBeVisible(SLOW);
      await check('the runs drawer', DIALOG);
      await page.keyboard.press('Escape');
      await expect(runs).toBeHidden();

      await page.getByRole('button', { name: '+ Build worker', exact: true }).click();
      const build = page.getByRole('dialog', { name: 'Build a worker' });
      await build.getByText('Pool worker', { exact: false }).click();
      await expect(build.getByRole('textbox', { name: 'Pool registration token' })).toBeVisible();
      await check('the build dialog', DIALOG);
      await page.keyboard.press('Escape');
      await expect(build).toBeHidden();

      await page.getByRole('button', { name: /^net: / }).click();
      const net = page.getByRole('dialog', { name: 'Network connectivity' });
      await expect(net.locator('.samples li').first()).toBeVisible(SLOW);
      await check('the connectivity drawer', DIALOG);
      await page.keyboard.press('Escape');
      await expect(net).toBeHidden();

      for (const verb of ['Stop', 'Disable', 'Delete']) {
        await second.getByRole('button', { name: `${verb} ${SECOND}`, exact: true }).click();
        const confirm = page.getByRole('dialog', { name: `${verb} ${SECOND}?` });
        await expect(confirm).toBeVisible();
        await check(`the ${verb} confirmation`, DIALOG);
        await confirm.getByRole('button', { name: 'Cancel', exact: true }).click();
        await expect(confirm).toBeHidden();
      }
    } finally {
      await context.close();
    }
  }
  expect(found).toEqual([]);
});

test('on a phone: rows are cards, every Stop or Start within the screen, nothing scrolls sideways', async ({
  dashboard: page,
}) => {
  const lifecycle = (r: Locator): Locator =>
    r.getByRole('button', { name: /^(Stop|Start) build-box-\d$/ });
  try {
    for (const width of [390, 360]) {
      await page.setViewportSize({ width, height: 844 });
      await expect.poll(() => pageScrollWidth(page)).toBeLessThanOrEqual(width);
      for (const label of [FIRST, SECOND]) {
        const button = lifecycle(row(page, label));
        await button.scrollIntoViewIfNeeded();
        const box = await button.boundingBox();
        expect(box, `${label}'s Stop at ${width} px`).not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(width);
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.y + box!.height).toBeLessThanOrEqual(844);
      }
      // Name and status on top, then the actions, then the details.
      const second = row(page, SECOND);
      const top = async (l: Locator) => (await l.boundingBox())!.y;
      expect(await top(localCell(second))).toBeLessThan(await top(lifecycle(second)));
      expect(await top(lifecycle(second))).toBeLessThan(await top(runtimeCell(second)));
      expect(await smallTargets(page)).toEqual([]);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'phone');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'phone-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // The Runs drawer stacks: the list, then the selected run's events.
    await row(page, SECOND)
      .getByRole('button', { name: `Runs of ${SECOND}`, exact: true })
      .click();
    const runs = page.getByRole('dialog', { name: `Runs — ${SECOND}` });
    const list = runs.getByRole('navigation', { name: 'Runs' });
    await list.getByRole('button').first().click();
    const events = runs.getByRole('list', { name: 'Run events' });
    await expect(events.getByRole('listitem').first()).toBeVisible(SLOW);
    const listBox = (await list.boundingBox())!;
    const eventsBox = (await events.boundingBox())!;
    expect(eventsBox.y).toBeGreaterThanOrEqual(listBox.y + listBox.height - 1);
    expect(eventsBox.width).toBeGreaterThan(300);
    // The full run id is on the page, with its Copy.
    await expect(runs.getByRole('button', { name: /^Copy run id / })).toBeVisible();
    expect(await smallTargets(page)).toEqual([]);
    await shot(page, 'phone-runs');
    await page.keyboard.press('Escape');

    // Logs wrap at the screen's width when asked, and the choice stays for the next drawer.
    const { drawer: logs, view } = await openLogs(page, SECOND);
    const sideways = () => view.evaluate((v) => v.scrollWidth - v.clientWidth);
    await logs.getByLabel('wrap lines').check();
    await expect.poll(sideways).toBeLessThanOrEqual(0);
    await expect(view.locator('.log-line.wrap').first()).toBeVisible();
    await shot(page, 'phone-logs');
    await page.keyboard.press('Escape');
    await row(page, SECOND)
      .getByRole('button', { name: `Logs of ${SECOND}`, exact: true })
      .click();
    await expect(logs.getByLabel('wrap lines')).toBeChecked();
    await logs.getByLabel('wrap lines').uncheck();
    await page.keyboard.press('Escape');

    // The Build dialog's labels wrap inside it.
    await page.getByRole('button', { name: '+ Build worker', exact: true }).click();
    const build = page.getByRole('dialog', { name: 'Build a worker' });
    const dialogBox = (await build.boundingBox())!;
    const pool = (await build.getByText('Pool worker', { exact: false }).boundingBox())!;
    expect(pool.x + pool.width).toBeLessThanOrEqual(dialogBox.x + dialogBox.width);
    await page.keyboard.press('Escape');
    expect(await pageScrollWidth(page)).toBeLessThanOrEqual(390);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
  }
});

test('a keyboard alone: stop, start, logs and a build; focus never falls to the page', async ({
  dashboard: page,
  demo,
}) => {
  const THIRD = 'build-box-3';
  /** Press a key, then check focus is on something. */
  const press = async (key: string): Promise<void> => {
    await page.keyboard.press(key);
    expect(await focused(page), `focus after ${key}`).not.toBe('BODY');
  };
  /** Tab (or Shift+Tab) until the control named `name` has focus. */
  const tabTo = async (name: string, back = false): Promise<void> => {
    for (let i = 0; i < 120; i++) {
      if ((await focused(page)) === name) return;
      await press(back ? 'Shift+Tab' : 'Tab');
    }
    throw new Error(`no ${name} within 120 ${back ? 'Shift+Tab' : 'Tab'} presses`);
  };
  /** Wait for the focus to land on `name`, checking it never sits on <body> meanwhile. */
  const focusComesTo = async (name: string): Promise<void> => {
    await expect
      .poll(
        async () => {
          const now = await focused(page);
          expect(now, `focus while waiting for ${name}`).not.toBe('BODY');
          return now;
        },
        { ...SLOW, intervals: [100] },
      )
      .toBe(name);
  };

  const second = row(page, SECOND);
  await page.keyboard.press('Tab');
  await tabTo(`Stop ${SECOND}`);
  await press('Enter');
  const confirm = page.getByRole('dialog', { name: `Stop ${SECOND}?` });
  await expect(confirm).toBeVisible();
  expect(await focused(page)).toBe('Cancel');
  await press('Tab');
  expect(await focused(page)).toBe('Stop');
  await press('Enter');
  await expect(confirm).toBeHidden();
  // The row's status, then the button that replaced Stop.
  await focusComesTo(`Start ${SECOND}`);
  await expect(localCell(second)).toContainText('stopped');

  await press('Enter');
  await focusComesTo(`Stop ${SECOND}`);
  await expect(localCell(second)).toContainText('running', SLOW);

  await tabTo(`Logs of ${SECOND}`, true);
  await press('Enter');
  const logs = page.getByRole('dialog', { name: `Logs — ${SECOND}` });
  await expect(logs.getByRole('log', { name: 'Log lines' })).toContainText('chatter #', SLOW);
  expect(await logs.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  await press('Escape');
  await expect(logs).toBeHidden();
  expect(await focused(page)).toBe(`Logs of ${SECOND}`);

  await tabTo('+ Build worker', true);
  await press('Enter');
  const build = page.getByRole('dialog', { name: 'Build a worker' });
  await expect(build).toBeVisible();
  await expect(build.getByLabel('PipedAI API URL')).toBeFocused();
  await press('Tab');
  await expect(build.getByLabel('Label (optional)')).toBeFocused();
  for (const ch of THIRD) await press(ch);
  await press('Enter');
  await expect(build).toBeHidden(SLOW);
  expect(await focused(page)).toBe('+ Build worker');
  const third = row(page, THIRD);
  await expect(localCell(third)).toContainText('running', SLOW);

  // Its worker is deleted (through the API) while its Logs drawer is open: on Escape the opener
  // is gone, and focus goes to the table around where it was.
  await tabTo(`Logs of ${THIRD}`);
  await press('Enter');
  const thirdLogs = page.getByRole('dialog', { name: `Logs — ${THIRD}` });
  await expect(thirdLogs).toBeVisible();
  await demo.control.call('deleteWorker', { id: await workerId(demo, THIRD) });
  await expect(third).toHaveCount(0, SLOW);
  await press('Escape');
  await expect(thirdLogs).toBeHidden();
  const table = page.getByRole('region', { name: 'Workers' });
  expect(await table.evaluate((t) => t.contains(document.activeElement))).toBe(true);
  await expect
    .poll(async () => (await demo.control.call('listWorkers', {})).items.map((w) => w.label), SLOW)
    .toEqual([FIRST, SECOND]);
});

test('a stop waits for the run, showing it; Force stop ends it', async ({
  dashboard: page,
  demo,
}) => {
  const id = await workerId(demo, SECOND);
  const second = row(page, SECOND);
  const { runId } = z
    .object({ runId: z.string() })
    .parse(
      await demo.sandboxPost('/sandbox/runs', { workerId: id, durationMs: 120_000, events: 8 }),
    );
  await expect(remoteCell(second)).toContainText('busy', SLOW);

  await second.getByRole('button', { name: `Stop ${SECOND}`, exact: true }).click();
  const confirm = page.getByRole('dialog', { name: `Stop ${SECOND}?` });
  await expect(confirm).toContainText('It finishes the run first');
  await confirm.getByRole('button', { name: 'Stop', exact: true }).click();
  // Draining, with the run and for how long; the worker keeps its process meanwhile.
  await expect(localCell(second)).toContainText(`draining: run ${runId.slice(0, 12)}`, SLOW);
  await expect(localCell(second)).toContainText(/\d+s$/);
  const force = second.getByRole('button', { name: `Force stop ${SECOND}`, exact: true });
  await expect(force).toBeEnabled();
  expect(await daemonWorker(demo, SECOND)).toMatchObject({
    local: { state: 'running', draining: true },
  });
  await shot(page, 'draining-force-stop');

  await force.click();
  const forceConfirm = page.getByRole('dialog', { name: `Force stop ${SECOND}?` });
  await expect(forceConfirm).toContainText('cut off');
  await forceConfirm.getByRole('button', { name: 'Force stop', exact: true }).click();
  await expect(localCell(second)).toContainText('stopped', SLOW);
  await expect
    .poll(() => daemonWorker(demo, SECOND), SLOW)
    .toMatchObject({ local: { state: 'stopped', draining: false, pid: null } });

  await second.getByRole('button', { name: `Start ${SECOND}`, exact: true }).click();
  await expect(localCell(second)).toContainText('running', SLOW);
});

test('streams its logs live', async ({ dashboard: page, demo }) => {
  const id = await workerId(demo, SECOND);
  const { drawer, view } = await openLogs(page, SECOND);

  // Lines keep arriving while the drawer is open: a newer one shows up without any action.
  const seen = await newestChatter(view);
  expect(seen).toBeGreaterThan(0);
  await expect.poll(() => newestChatter(view), SLOW).toBeGreaterThan(seen);
  await expect(drawer.getByText(/^[\d,]+ lines$/)).toBeVisible();

  // The daemon captured the line the page showed.
  const { items } = await demo.control.call('getLogs', { id, tail: 2000 });
  expect(items.some((l) => l.stream === 'out' && l.line.includes(`chatter #${seen}`))).toBe(true);
  await shot(page, 'logs-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'logs-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await drawer.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(drawer).toBeHidden();
});

test('shows the diagnostics of the host, each problem with its fix', async ({
  dashboard: page,
  demo,
}) => {
  await page.getByRole('button', { name: 'Diagnostics', exact: true }).click();
  const drawer = page.getByRole('dialog', { name: 'Diagnostics' });
  const checks = drawer.getByRole('list', { name: 'Checks' });
  await expect(checks.getByRole('listitem')).not.toHaveCount(0, SLOW);
  // The same report the daemon gives `doctor`, check for check.
  const report = await demo.control.call('getDiagnostics', {});
  await expect(checks.getByRole('listitem')).toHaveCount(report.checks.length);
  await expect(checks).toContainText(`Worker ${SECOND}`);
  await expect(checks).toContainText(`${demo.apiUrl} answers in`);
  // The demo's service is not installed: a problem, with the command that fixes it.
  const service = checks.getByRole('listitem').filter({ hasText: 'Service' });
  await expect(service).toContainText(/not installed|no service manager/);
  for (const c of report.checks.filter((c) => c.fix))
    await expect(
      checks.getByRole('listitem').filter({ hasText: c.title }).filter({ hasText: c.summary }),
    ).toContainText(c.fix!);
  await shot(page, 'diagnostics');
  await drawer.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(drawer).toBeHidden();
});

test('disables and enables it', async ({ dashboard: page, demo }) => {
  const id = await workerId(demo, SECOND);
  const second = row(page, SECOND);
  await second.getByRole('button', { name: `Disable ${SECOND}`, exact: true }).click();
  const confirm = page.getByRole('dialog', { name: `Disable ${SECOND}?` });
  await expect(confirm).toContainText('PipedAI stops sending it work');
  await confirm.getByRole('button', { name: 'Disable', exact: true }).click();

  await expect(remoteCell(second)).toContainText('disabled', SLOW);
  await expect(second.getByRole('button', { name: `Enable ${SECOND}`, exact: true })).toBeEnabled(
    SLOW,
  );
  await expect
    .poll(() => daemonWorker(demo, SECOND), SLOW)
    .toMatchObject({ remote: { disabled: true } });
  expect(await sandboxWorker(demo, id)).toMatchObject({ disabled: true });
  await shot(page, 'disabled');

  await second.getByRole('button', { name: `Enable ${SECOND}`, exact: true }).click();
  await expect(second.getByRole('button', { name: `Disable ${SECOND}`, exact: true })).toBeEnabled(
    SLOW,
  );
  await expect(remoteCell(second)).not.toContainText('disabled', SLOW);
  await expect(localCell(second)).toContainText('running', SLOW);
  await expect
    .poll(() => daemonWorker(demo, SECOND), SLOW)
    .toMatchObject({
      desiredState: 'enabled',
      remote: { disabled: false },
      local: { state: 'running' },
    });
  expect(await sandboxWorker(demo, id)).toMatchObject({ disabled: false });
});

test('recovers from a daemon restart without a reload', async ({ dashboard: page, demo }) => {
  const id = await workerId(demo, SECOND);
  const second = row(page, SECOND);
  // Marks that only survive if the page is never reloaded; the observer catches the short-lived
  // "Reconnected" banner whenever it shows.
  await page.evaluate(() => {
    const w = window as unknown as { e2eMark?: string; e2eSawReconnected?: boolean };
    w.e2eMark = 'same page';
    new MutationObserver(() => {
      if (document.body.textContent?.includes('Reconnected')) w.e2eSawReconnected = true;
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });

  await demo.stopDaemon();
  const reconnecting = page
    .getByRole('status')
    .filter({ hasText: 'Reconnecting to the orchestrator' });
  await expect(reconnecting).toBeVisible(SLOW);
  await expect(second.getByRole('button', { name: `Stop ${SECOND}`, exact: true })).toBeDisabled();
  await expect(demo.control.call('listWorkers', {})).rejects.toThrow(/can't reach/);
  await shot(page, 'reconnecting');

  await demo.startDaemon();
  await expect(reconnecting).toBeHidden(SLOW);
  await expect
    .poll(() =>
      page.evaluate(
        () => (window as unknown as { e2eSawReconnected?: boolean }).e2eSawReconnected ?? false,
      ),
    )
    .toBe(true);
  await expect(second.getByRole('button', { name: `Stop ${SECOND}`, exact: true })).toBeEnabled(
    SLOW,
  );
  await expect(localCell(second)).toContainText('running', SLOW);

  // The table follows the new daemon: a change made through its API shows up on the page.
  await demo.control.call('stopWorker', { id });
  await expect(localCell(second)).toContainText('stopped', SLOW);
  await expect(second.getByRole('button', { name: `Start ${SECOND}`, exact: true })).toBeEnabled();
  await demo.control.call('startWorker', { id });
  await expect(localCell(second)).toContainText('running', SLOW);
  await expect(second.getByRole('button', { name: `Stop ${SECOND}`, exact: true })).toBeEnabled(
    SLOW,
  );
  expect(await page.evaluate(() => (window as unknown as { e2eMark?: string }).e2eMark)).toBe(
    'same page',
  );
});

test('deletes it after confirmation', async ({ dashboard: page, demo }) => {
  const id = await workerId(demo, SECOND);
  const second = row(page, SECOND);

  // Cancel leaves it alone.
  await second.getByRole('button', { name: `Delete ${SECOND}`, exact: true }).click();
  const confirm = page.getByRole('dialog', { name: `Delete ${SECOND}?` });
  await expect(confirm).toContainText('This cannot be undone.');
  await shot(page, 'delete-confirm');
  await confirm.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(confirm).toBeHidden();
  await expect(second).toBeVisible();
  expect(await daemonWorker(demo, SECOND)).toBeDefined();

  await second.getByRole('button', { name: `Delete ${SECOND}`, exact: true }).click();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(second).toHaveCount(0, SLOW);
  // The row that had the focus went: it is on the row that took its place, not on <body>.
  expect(await focused(page)).not.toBe('BODY');
  await expect(localCell(row(page, FIRST))).toContainText('running');

  // Gone from the daemon (as the CLI sees it) and deregistered at the API.
  const viaCli = await demo.workersViaCli();
  expect(viaCli.map((w) => w.label)).toEqual([FIRST]);
  expect(await sandboxWorker(demo, id)).toMatchObject({ deleted: true });
});
