// @ts-check
// Runs a test command N times in a row and reports each run, to find intermittent failures:
//
//   npm run test:repeat -- [N] [-- command args…]
//
// N defaults to 5; the command to `npx vitest run` (the unit and integration suites). Each run's
// output goes to test-results/repeat/run-<i>.log; each run is reported with its result, its
// duration, the failing tests it printed, and any process it left running. Every process a run
// starts inherits PIPEDAI_TEST_REPEAT=<run id>: once the run has exited, a live process carrying
// it is a leftover (reported, counted as a failure, and killed). Exit code: 0 when every run
// passed and left nothing.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TAG = 'PIPEDAI_TEST_REPEAT';

const args = process.argv.slice(2);
const times = args[0] !== undefined && /^\d+$/.test(args[0]) ? Number(args.shift()) : 5;
if (args[0] === '--') args.shift();
const command = args.length > 0 ? args : ['npx', 'vitest', 'run'];
const logDir = join(ROOT, 'test-results', 'repeat');
mkdirSync(logDir, { recursive: true });

/** Live processes (not zombies) whose environment holds `entry`. */
function processesTagged(/** @type {string} */ entry) {
  /** @type {{ pid: number, command: string }[]} */
  const found = [];
  /** @type {string[]} */
  let names;
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return found; // no /proc (macOS, Windows): nothing to check
  }
  for (const name of names) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      const env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (!env.includes(entry)) continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      found.push({ pid: Number(name), command: argv.join(' ').slice(0, 200) });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** The lines of a vitest / playwright log that name what failed, and the totals. */
function failuresIn(/** @type {string} */ log) {
  const plain = log.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
  const lines = plain.split('\n');
  const failed = lines.filter((l) => /^\s*(FAIL|×|✘|✗)\s/.test(l) || /^\s*\d+\) \[/.test(l));
  const totals = lines.filter((l) => /^\s*(Test Files|Tests)\s+\d/.test(l));
  return { failed: [...new Set(failed.map((l) => l.trim()))].slice(0, 20), totals };
}

/** @returns {Promise<{ code: number, log: string }>} */
function runOnce(/** @type {number} */ i, /** @type {string} */ runId) {
  const file = join(logDir, `run-${i}.log`);
  const out = createWriteStream(file);
  const child = spawn(/** @type {string} */ (command[0]), command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, [TAG]: runId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  return new Promise((resolve) => {
    child.once('error', (e) => {
      out.end(`\n${e.message}\n`);
      resolve({ code: 127, log: file });
    });
    child.once('close', (code, signal) => {
      out.end(() => resolve({ code: code ?? (signal ? 128 : 1), log: file }));
    });
  });
}

const seconds = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(0)} s`;
const results = [];
console.log(`test:repeat: ${times} × ${command.join(' ')} (logs in ${logDir})`);
for (let i = 1; i <= times; i++) {
  const runId = `${randomUUID()}-${i}`;
  const started = Date.now();
  const { code, log } = await runOnce(i, runId);
  const took = Date.now() - started;
  const left = processesTagged(`${TAG}=${runId}`);
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const ok = code === 0 && left.length === 0;
  results.push({ ok, took });
  const { failed, totals } = failuresIn(readFileSync(log, 'utf8'));
  console.log(
    `run ${i}/${times}: ${ok ? 'passed' : `FAILED (exit ${code})`} in ${seconds(took)}` +
      `${totals.length > 0 ? ` — ${totals.map((t) => t.trim().replace(/\s+/g, ' ')).join('; ')}` : ''}`,
  );
  for (const f of failed) console.log(`    ${f}`);
  if (left.length > 0) {
    console.log(`    left ${left.length} process(es) running (killed):`);
    for (const p of left) console.log(`      pid ${p.pid}: ${p.command}`);
  }
  if (!ok) console.log(`    log: ${log}`);
}
const passed = results.filter((r) => r.ok).length;
console.log(
  `test:repeat: ${passed}/${times} runs passed; durations ${results.map((r) => seconds(r.took)).join(', ')}`,
);
process.exitCode = passed === times ? 0 : 1;
