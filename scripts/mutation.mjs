// @ts-check
// `npm run test:mutation [-- <room>…]`: StrykerJS over the critical rooms (scripts/mutation-rooms.mjs),
// one room after another, then docs/mutation.md from every room's results.
//
//   node scripts/mutation.mjs                   every room
//   node scripts/mutation.mjs store owner       those rooms (or MUTATION_ROOMS=store,owner)
//   node scripts/mutation.mjs --changed <rev>   the rooms whose files changed since <rev>
//   node scripts/mutation.mjs --report          only rewrite docs/mutation.md
//   node scripts/mutation.mjs --force <room>…   re-test every mutant of those rooms (Stryker's
//                                               --force), not only those of changed code or tests
//
// Each room keeps its results in test/mutation/<room>.json (Stryker's incremental file), so a
// rerun tests only the mutants of changed code or tests. The HTML report goes to
// reports/mutation/<room>.html (git-ignored).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { ROOMS, resultsFile, roomNamed, touches } from './mutation-rooms.mjs';
import { renderRooms, replaceGenerated, roomStats } from './mutation-report.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = 'docs/mutation.md';
const RUNS = 'test/mutation/runs.json';
const STRYKER = 'node_modules/@stryker-mutator/core/bin/stryker.js';

/** @param {string} line */
const say = (line) => process.stderr.write(`${line}\n`);

/** The rooms a change since `rev` touched (committed or not). */
function changedRooms(/** @type {string} */ rev) {
  const git = (/** @type {string[]} */ args) => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout.split('\n').filter(Boolean);
  };
  const paths = new Set([
    ...git(['diff', '--name-only', `${rev}...HEAD`]),
    ...git(['diff', '--name-only', 'HEAD']),
  ]);
  return ROOMS.filter((room) => [...paths].some((p) => touches(room, p)));
}

function parseArgs(/** @type {string[]} */ argv) {
  if (argv.includes('--report')) return { rooms: [], reportOnly: true, force: false };
  // A module-level mutant (a constant table, a top-level regex) is covered by no one test, so
  // incremental mode keeps its old result even after a test that kills it is added: --force
  // re-tests every mutant of the rooms run.
  const force = argv.includes('--force');
  const rest = argv.filter((a) => a !== '--force');
  const at = rest.indexOf('--changed');
  if (at >= 0) {
    const rev = rest[at + 1];
    if (!rev) throw new Error('--changed takes a git revision (e.g. origin/main)');
    return { rooms: changedRooms(rev), reportOnly: false, force };
  }
  const names = rest.length > 0 ? rest : (process.env.MUTATION_ROOMS ?? '').split(',');
  const picked = names.map((n) => n.trim()).filter(Boolean);
  return { rooms: picked.length > 0 ? picked.map(roomNamed) : ROOMS, reportOnly: false, force };
}

/**
 * Keep what the next incremental run reads (the files and tests with their mutants) and drop what
 * names this machine (the project's absolute root, the resolved options), so the committed file
 * changes only when results do.
 */
function compactResults(/** @type {string} */ file) {
  if (!existsSync(file)) return;
  const { projectRoot: _root, config: _config, ...kept } = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify(kept));
}

/**
 * Whether each room's last run finished, and how long it took: a run that is stopped (Ctrl-C, a
 * session's end) leaves Stryker's results of the mutants tested so far, which the next run
 * reuses; the page calls that room partial until a run completes.
 * @returns {Record<string, { complete: boolean, seconds: number | null }>}
 */
function readRuns() {
  return existsSync(RUNS) ? JSON.parse(readFileSync(RUNS, 'utf8')) : {};
}

function recordRun(
  /** @type {string} */ name,
  /** @type {{ complete: boolean, seconds: number | null }} */ run,
) {
  writeFileSync(RUNS, `${JSON.stringify({ ...readRuns(), [name]: run }, null, 2)}\n`);
}

async function writeReport() {
  const runs = readRuns();
  const stats = ROOMS.map((room) => {
    const file = resultsFile(room.name);
    compactResults(file);
    const report = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
    return roomStats(room, report, runs[room.name] ?? null);
  });
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  const text = replaceGenerated(doc, renderRooms(stats));
  // As `npm run lint` wants it (prettier aligns the table).
  const options = (await prettier.resolveConfig(DOC)) ?? {};
  writeFileSync(DOC, await prettier.format(text, { ...options, filepath: DOC }));
  for (const s of stats)
    if (s.score !== null) say(`${s.room.name.padEnd(15)} ${s.score.toFixed(1).padStart(5)} %`);
  say(`wrote ${DOC}`);
}

const { rooms, reportOnly, force } = parseArgs(process.argv.slice(2));
let failed = false;
if (!reportOnly) {
  if (rooms.length === 0) say('mutation: no critical room touched; nothing to run');
  for (const room of rooms) {
    const started = Date.now();
    recordRun(room.name, { complete: false, seconds: null });
    say(`mutation: room ${room.name} (${room.label})`);
    const args = [STRYKER, 'run', 'stryker.config.mjs', ...(force ? ['--force'] : [])];
    const r = spawnSync(process.execPath, args, {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, MUTATION_ROOM: room.name },
    });
    const seconds = Math.round((Date.now() - started) / 1000);
    compactResults(resultsFile(room.name));
    if (r.status === 0) recordRun(room.name, { complete: true, seconds });
    say(`mutation: room ${room.name} took ${seconds} s (exit ${r.status ?? r.signal})`);
    if (r.status !== 0) failed = true;
  }
}
await writeReport();
if (failed) process.exitCode = 1;
