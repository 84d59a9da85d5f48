// Line coverage per room (DESIGN.md), from vitest's json-summary (coverage/coverage-summary.json).
// vitest counts code that runs in its own processes. Three parts of the product run elsewhere:
// the Electron shell's adapters need an Electron binary (their pure twins in shell/logic/ are
// counted); the CLI is tested as the shipped bundle in child processes (test/cli); the dashboard's
// components run in Chromium (the browser suite). The report gives the figure with and without
// the last two. Usage: node scripts/coverage-rooms.mjs [summary.json] [--min <percent>]
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

const args = process.argv.slice(2);
const minAt = args.indexOf('--min');
const min = minAt >= 0 ? Number(args[minAt + 1]) : null;
const file =
  args.find((a, i) => !a.startsWith('--') && i !== minAt + 1) ?? 'coverage/coverage-summary.json';

const ROOMS = [
  ['app/shared', 'contract'],
  ['app/main/daemon/runtime', 'worker runtime'],
  ['app/main/daemon', 'daemon'],
  ['app/main/control', 'control door'],
  ['app/main/hosts', 'hosts'],
  ['app/main/service', 'native units'],
  ['app/main/shell/logic', 'shell decisions'],
  ['app/main/shell', 'shell adapters (Electron)'],
  ['app/preload', 'preload'],
  ['app/renderer/components', 'dashboard views (run in Chromium)'],
  ['app/renderer', 'dashboard state, model, bridge'],
  ['cli', 'CLI (run as the bundle, in children)'],
];
const ADAPTERS = 'app/main/shell';
const ELSEWHERE = new Set(['app/renderer/components', 'cli']);

const summary = JSON.parse(readFileSync(file, 'utf8'));
const root = process.cwd();
const rooms = new Map(ROOMS.map(([dir]) => [dir, { covered: 0, total: 0, files: 0 }]));
for (const [path, data] of Object.entries(summary)) {
  if (path === 'total') continue;
  const rel = relative(root, resolve(root, path)).split('\\').join('/');
  const room = ROOMS.find(([dir]) => rel.startsWith(`${dir}/`));
  if (!room) continue;
  const r = rooms.get(room[0]);
  r.covered += data.lines.covered;
  r.total += data.lines.total;
  r.files++;
}

const pct = (c, t) => (t === 0 ? 100 : (100 * c) / t);
const rows = [];
let goalCovered = 0;
let goalTotal = 0;
let inProcessCovered = 0;
let inProcessTotal = 0;
for (const [dir, label] of ROOMS) {
  const r = rooms.get(dir);
  rows.push([dir, label, `${r.covered}/${r.total}`, `${pct(r.covered, r.total).toFixed(1)} %`]);
  if (dir === ADAPTERS) continue;
  goalCovered += r.covered;
  goalTotal += r.total;
  if (ELSEWHERE.has(dir)) continue;
  inProcessCovered += r.covered;
  inProcessTotal += r.total;
}
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length)));
console.log('\nLine coverage per room (vitest, v8; in-process code only)');
for (const row of rows)
  console.log(
    `  ${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2].padStart(widths[2])}  ${row[3].padStart(widths[3])}`,
  );
const goal = pct(goalCovered, goalTotal);
const inProcess = pct(inProcessCovered, inProcessTotal);
console.log(
  `  product outside the shell adapters: ${goalCovered}/${goalTotal} lines, ${goal.toFixed(1)} %`,
);
console.log(
  `  of it, what runs in vitest's processes: ${inProcessCovered}/${inProcessTotal} lines, ${inProcess.toFixed(1)} %\n`,
);
if (min !== null && inProcess < min) {
  console.error(`coverage ${inProcess.toFixed(1)} % is below the floor of ${min} %`);
  process.exitCode = 1;
}
