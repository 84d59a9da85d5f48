// The dashboard under load, in Debian's Chromium: the workers table with 50 workers and the logs
// drawer with 100 000 lines (time to render, scroll frame times). The built dashboard talks to a
// mock control server (bench/dashboard-mock.ts), so only the page is measured. A benchmark, not a
// test: it reports numbers and asserts nothing about them.
//
//   node bench/dashboard.bench.ts [--rounds N] [--no-write]
//
// Prints a table and writes docs/benchmarks-dashboard.md (unless --no-write).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { startMock, type MockServer } from './dashboard-mock.ts';
import { median, percentile } from './measure.ts';

const ROOT = resolve(import.meta.dirname, '..');
const STATIC_DIR = join(ROOT, 'out', 'renderer');
const REPORT = join(ROOT, 'docs', 'benchmarks-dashboard.md');
const CHROMIUM = '/usr/bin/chromium';
const WORKERS = 50;
const LOG_LINES = 100_000;
const VIEWPORT = { width: 1280, height: 800 };
/** Longest wait for one in-page measurement. */
const STEP_TIMEOUT_MS = 120_000;

const Options = z.object({
  rounds: z.coerce.number().int().min(1).max(20),
  write: z.boolean(),
});
type Options = z.infer<typeof Options>;

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '5' },
      'no-write': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const parsed = Options.safeParse({ rounds: values.rounds, write: !values['no-write'] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

// ---- In-page probes (serialized into the page: self-contained, DOM only). ----

interface TableTimes {
  /** Navigation start → the 50th row is in the DOM. */
  dom: number;
  /** Navigation start → the frame that shows it has been rendered. */
  frame: number;
}

/** Installed before the page's scripts: notes when the table first has all its rows. */
function tableProbe(rows: number): void {
  const w = window as unknown as { benchTable?: TableTimes };
  let seen = false;
  const observer = new MutationObserver(() => {
    if (seen || document.querySelectorAll('table.workers tbody tr').length < rows) return;
    seen = true;
    observer.disconnect();
    const dom = performance.now();
    // A task queued from rAF runs after that frame's style, layout and paint.
    requestAnimationFrame(() =>
      setTimeout(() => (w.benchTable = { dom, frame: performance.now() }), 0),
    );
  });
  observer.observe(document, { childList: true, subtree: true });
}

interface LogTimes {
  /** Click → the first log lines are on screen. */
  first: number;
  /** Click → the status says `total lines` and that frame is rendered. */
  all: number;
}

function openLogs(args: { label: string; total: string; timeoutMs: number }): Promise<LogTimes> {
  return new Promise((done, fail) => {
    const button = document.querySelector<HTMLButtonElement>(
      `button[aria-label="Logs of ${args.label}"]`,
    );
    if (!button) return fail(new Error(`no Logs button for ${args.label}`));
    const afterPaint = (cb: () => void): void => {
      requestAnimationFrame(() => setTimeout(cb, 0));
    };
    let first = NaN;
    let firstSeen = false;
    const status = (): string => document.querySelector('.log-status')?.textContent ?? '';
    const observer = new MutationObserver(() => {
      if (!firstSeen && document.querySelector('.log-line')) {
        firstSeen = true;
        afterPaint(() => (first = performance.now() - t0));
      }
      if (status().startsWith(`${args.total} lines`)) {
        observer.disconnect();
        clearTimeout(timer);
        afterPaint(() => done({ first, all: performance.now() - t0 }));
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    const timer = setTimeout(() => {
      observer.disconnect();
      fail(new Error(`logs did not reach ${args.total} lines (status: ${status()})`));
    }, args.timeoutMs);
    const t0 = performance.now();
    button.click();
  });
}

/** Tick "wrap lines" in the open drawer: click → the first frame showing wrapped lines. */
function wrapLogs(timeoutMs: number): Promise<number> {
  return new Promise((done, fail) => {
    const box = [...document.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')].find(
      (i) => i.closest('label')?.textContent?.includes('wrap lines'),
    );
    if (!box) return fail(new Error('no "wrap lines" checkbox'));
    const observer = new MutationObserver(() => {
      if (!document.querySelector('.log-line.wrap')) return;
      observer.disconnect();
      clearTimeout(timer);
      requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
    });
    observer.observe(document.body, { childList: true, subtree: true, attributes: true });
    const timer = setTimeout(() => {
      observer.disconnect();
      fail(new Error('the lines did not wrap'));
    }, timeoutMs);
    const t0 = performance.now();
    box.click();
  });
}

/**
 * Scroll `selector` (or the page) once per animation frame and return the frame-to-frame times.
 * `step`: pixels per frame; `jump`: a new pseudo-random position each frame (every row new).
 */
function scrollFrames(args: {
  selector: string | null;
  frames: number;
  mode: 'step' | 'jump';
  px: number;
  from: number;
}): Promise<number[]> {
  const el = args.selector
    ? document.querySelector<HTMLElement>(args.selector)
    : (document.scrollingElement as HTMLElement | null);
  if (!el) return Promise.reject(new Error(`nothing to scroll: ${args.selector}`));
  el.scrollTop = args.from;
  let seed = 12345;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const max = el.scrollHeight - el.clientHeight;
  return new Promise((done) => {
    const deltas: number[] = [];
    let last: number | null = null;
    let n = 0;
    const tick = (t: number): void => {
      if (last !== null) deltas.push(t - last);
      last = t;
      if (n++ >= args.frames) return done(deltas);
      el.scrollTop = args.mode === 'jump' ? Math.floor(random() * max) : el.scrollTop + args.px;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

// ---- One round: a fresh browser context, cold page load, then the drawer. ----

interface Round {
  table: TableTimes;
  tableScroll: number[];
  logs: LogTimes;
  logScrollStep: number[];
  logScrollJump: number[];
  /** Click on "wrap lines" → wrapped lines painted, then jumps through the wrapped lines. */
  wrap: number;
  wrapScrollJump: number[];
  heapMiB: number;
}

async function waitForTable(page: Page): Promise<TableTimes> {
  const handle = await page.waitForFunction(
    () => (window as unknown as { benchTable?: TableTimes }).benchTable,
    undefined,
    { timeout: STEP_TIMEOUT_MS },
  );
  return (await handle.jsonValue()) as TableTimes;
}

/** The page's JS heap after a full garbage collection (what it keeps, not what it churned). */
async function retainedHeapMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
    if (used === undefined) throw new Error('Chromium reported no JSHeapUsedSize');
    return used / 2 ** 20;
  } finally {
    await cdp.detach();
  }
}

async function round(browser: Browser, mock: MockServer): Promise<Round> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
  const errors: string[] = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await page.addInitScript(tableProbe, WORKERS);
    await page.goto(`${mock.url}/?token=bench`);
    const table = await waitForTable(page);

    const tableScroll = await page.evaluate(scrollFrames, {
      selector: null,
      frames: 120,
      mode: 'step' as const,
      px: 25,
      from: 0,
    });
    await page.evaluate(() => window.scrollTo(0, 0));

    const label = mock.workers[0]!.label;
    const logs = await page.evaluate(openLogs, {
      label,
      total: LOG_LINES.toLocaleString('en-US'),
      timeoutMs: STEP_TIMEOUT_MS,
    });
    await mock.logsDelivered();
    const view = '.log-view';
    const middle = (LOG_LINES * 20) / 2;
    const logScrollStep = await page.evaluate(scrollFrames, {
      selector: view,
      frames: 240,
      mode: 'step' as const,
      px: 60,
      from: middle,
    });
    const logScrollJump = await page.evaluate(scrollFrames, {
      selector: view,
      frames: 120,
      mode: 'jump' as const,
      px: 0,
      from: middle,
    });
    const heapMiB = await retainedHeapMiB(page);
    const wrap = await page.evaluate(wrapLogs, STEP_TIMEOUT_MS);
    const wrapScrollJump = await page.evaluate(scrollFrames, {
      selector: view,
      frames: 120,
      mode: 'jump' as const,
      px: 0,
      from: middle,
    });
    if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join(' | ')}`);
    return {
      table,
      tableScroll,
      logs,
      logScrollStep,
      logScrollJump,
      wrap,
      wrapScrollJump,
      heapMiB,
    };
  } finally {
    await context.close();
  }
}

// ---- Report. ----

interface Row {
  what: string;
  unit: string;
  values: number[];
  /** Pooled frame times get p95 and max; per-round times get median and spread. */
  kind: 'frames' | 'rounds';
  digits: number;
}

function rowsOf(rounds: Round[]): Row[] {
  const all = <T>(f: (r: Round) => T[]): T[] => rounds.flatMap(f);
  const each = (f: (r: Round) => number): number[] => rounds.map(f);
  const ingest = (r: Round): number => (LOG_LINES - 2000) / ((r.logs.all - r.logs.first) / 1000);
  return [
    {
      what: `Table, ${WORKERS} workers: load → rows in the DOM`,
      unit: 'ms',
      values: each((r) => r.table.dom),
      kind: 'rounds',
      digits: 0,
    },
    {
      what: `Table, ${WORKERS} workers: load → first frame showing them`,
      unit: 'ms',
      values: each((r) => r.table.frame),
      kind: 'rounds',
      digits: 0,
    },
    {
      what: 'Table: scroll frame time (25 px/frame)',
      unit: 'ms',
      values: all((r) => r.tableScroll),
      kind: 'frames',
      digits: 1,
    },
    {
      what: 'Logs drawer: click → first lines on screen (2 000-line tail)',
      unit: 'ms',
      values: each((r) => r.logs.first),
      kind: 'rounds',
      digits: 0,
    },
    {
      what: `Logs drawer: click → ${LOG_LINES.toLocaleString('en-US')} lines rendered`,
      unit: 'ms',
      values: each((r) => r.logs.all),
      kind: 'rounds',
      digits: 0,
    },
    {
      what: 'Logs drawer: live lines taken in (`logs` frames)',
      unit: 'lines/s',
      values: each(ingest),
      kind: 'rounds',
      digits: 0,
    },
    {
      what: `Logs, ${LOG_LINES.toLocaleString('en-US')} lines: scroll frame time (60 px/frame)`,
      unit: 'ms',
      values: all((r) => r.logScrollStep),
      kind: 'frames',
      digits: 1,
    },
    {
      what: `Logs, ${LOG_LINES.toLocaleString('en-US')} lines: frame time, random jumps`,
      unit: 'ms',
      values: all((r) => r.logScrollJump),
      kind: 'frames',
      digits: 1,
    },
    {
      what: `Logs, ${LOG_LINES.toLocaleString('en-US')} lines: "wrap lines" → wrapped lines painted`,
      unit: 'ms',
      values: each((r) => r.wrap),
      kind: 'rounds',
      digits: 0,
    },
    {
      what: `Logs, ${LOG_LINES.toLocaleString('en-US')} lines wrapped: frame time, random jumps`,
      unit: 'ms',
      values: all((r) => r.wrapScrollJump),
      kind: 'frames',
      digits: 1,
    },
    {
      what: `JS heap with ${LOG_LINES.toLocaleString('en-US')} lines held (after GC)`,
      unit: 'MiB',
      values: each((r) => r.heapMiB),
      kind: 'rounds',
      digits: 1,
    },
  ];
}

const fmt = (n: number, digits: number): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';

/** median, then p95 and max for frames, min–max for rounds. */
function cells(r: Row): [string, string, string] {
  const med = fmt(median(r.values), r.digits);
  if (r.kind === 'frames')
    return [med, fmt(percentile(r.values, 95), r.digits), fmt(Math.max(...r.values), r.digits)];
  return [
    med,
    `${fmt(Math.min(...r.values), r.digits)}–${fmt(Math.max(...r.values), r.digits)}`,
    '',
  ];
}

function consoleTable(rows: Row[]): string {
  const lines = rows.map((r) => {
    const [a, b, c] = cells(r);
    return [r.what, r.unit, a, b, c];
  });
  const head = ['measure', 'unit', 'median', 'p95 | range', 'max'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cols: string[]): string =>
    cols.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(line)].join('\n');
}

function markdown(rows: Row[], env: Record<string, string>, rounds: number): string {
  const frames = rows.filter((r) => r.kind === 'frames');
  const perRound = rows.filter((r) => r.kind === 'rounds');
  const table = (head: string[], body: string[][]): string =>
    [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`]
      .concat(body.map((b) => `| ${b.join(' | ')} |`))
      .join('\n');
  return `# Dashboard benchmark

Generated by \`node bench/dashboard.bench.ts\` (${rounds} round${rounds === 1 ? '' : 's'}); numbers from one machine, to
compare runs on the same machine, not a goal. The built dashboard (\`out/renderer\`) runs in
Debian's Chromium (headless, software rendering) against a mock control server
(\`bench/dashboard-mock.ts\`): ${WORKERS} fused workers in every state, and a log of
${LOG_LINES.toLocaleString('en-US')} lines of ~120 characters, of which \`getLogs\` answers the
2 000-line tail and the rest arrive as live \`logs\` frames (500 lines each, one per turn of the mock's event loop) over the WebSocket, as from a busy worker.

${Object.entries(env)
  .map(([k, v]) => `- ${k}: ${v}`)
  .join('\n')}

## Time to render (per round: a fresh browser context and a cold page load)

${table(
  ['Measure', 'Median', 'Range'],
  perRound.map((r) => {
    const [m, range] = cells(r);
    return [r.what, `${m} ${r.unit}`, `${range} ${r.unit}`];
  }),
)}

## Scroll frame times (every frame of every round)

${table(
  ['Measure', 'Median', 'p95', 'Max'],
  frames.map((r) => {
    const [m, p95, max] = cells(r);
    return [r.what, `${m} ms`, `${p95} ms`, `${max} ms`];
  }),
)}

## Method

- **Table.** An init script watches the DOM from navigation start; "rows in the DOM" is when
  the ${WORKERS}th row exists, "first frame" when a task queued from the next animation frame
  runs (after that frame's style, layout and paint).
- **Logs drawer.** Timed in the page from the click on the first worker's Logs: "first lines"
  when the first log row is painted, "rendered" when the status line reads
  "${LOG_LINES.toLocaleString('en-US')} lines" and that frame is painted. The intake rate is
  the ${(LOG_LINES - 2000).toLocaleString('en-US')} framed lines over the time between the two. The
  frames start as soon as the tail is answered, so the first paint competes with them.
- **Scrolling.** \`scrollTop\` is moved once per \`requestAnimationFrame\`, and the time between
  callbacks is recorded: ~16.7 ms means every frame was on time (60 Hz). The table scrolls the
  page 25 px per frame; the log view (virtualized, fixed 20 px rows) 60 px per frame from the
  middle, then jumps to a pseudo-random position every frame, so each frame renders all-new rows.
- **Wrapped logs.** Then "wrap lines" is ticked: the time to the first frame showing wrapped
  lines (every line's rows are counted at the view's width, \`model/log-wrap.ts\`), and the same
  random jumps through the wrapped lines. The heap is measured before, unwrapped.
`;
}

/** Hand-written notes below this heading survive a new run. */
const NOTES_HEADING = '## Notes';

/** Write the report formatted as the repository's lint wants it, keeping the notes. */
async function writeReport(generated: string): Promise<void> {
  const previous = await readFile(REPORT, 'utf8').catch(() => '');
  const at = previous.indexOf(`\n${NOTES_HEADING}\n`);
  const notes = at >= 0 ? previous.slice(at + 1) : '';
  const text = notes ? `${generated}\n${notes}` : generated;
  const config = (await resolveConfig(REPORT)) ?? {};
  await writeFile(REPORT, await format(text, { ...config, filepath: REPORT }));
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  if (!existsSync(join(STATIC_DIR, 'index.html'))) {
    process.stderr.write('• the dashboard is not built: npm run build\n');
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status ?? r.signal})`);
  }
  const load = loadavg()[0]!;
  const mock = await startMock({ staticDir: STATIC_DIR, workers: WORKERS, logLines: LOG_LINES });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < opts.rounds; i++) {
      const t = performance.now();
      rounds.push(await round(browser, mock));
      process.stderr.write(
        `• round ${i + 1}/${opts.rounds} (${((performance.now() - t) / 1000).toFixed(1)} s)\n`,
      );
    }
  } finally {
    const version = browser.version();
    await browser.close();
    await mock.close();
    if (rounds.length === opts.rounds) {
      const rows = rowsOf(rounds);
      process.stdout.write(`${consoleTable(rows)}\n`);
      if (opts.write) {
        const env = {
          Date: new Date().toISOString().slice(0, 10),
          CPU: `${cpus()[0]?.model.trim() ?? 'unknown'} × ${cpus().length}`,
          Browser: `Chromium ${version} (${CHROMIUM}), viewport ${VIEWPORT.width}×${VIEWPORT.height}`,
          Node: process.version,
          'Load average (1 min), start → end': `${load.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
        };
        await writeReport(markdown(rows, env, opts.rounds));
        process.stderr.write(`• wrote ${REPORT}\n`);
      }
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`✗ ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
