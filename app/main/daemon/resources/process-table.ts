// The host's process table as the resource sampler needs it: each process's parent, CPU time so
// far and resident memory. Linux reads /proc (no child process; measured in bench/resources);
// macOS and other Unixes ask `ps` once for every process; Windows has neither and reads n/a.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessRow {
  pid: number;
  ppid: number;
  /** CPU time used so far (user + system, with reaped children's), in ms. */
  cpuMs: number;
  rssBytes: number;
}

/** Reads the whole table at once; throws ResourcesUnavailable where the OS gives nothing. */
export type ProcessTable = () => Promise<ProcessRow[]>;

export class ResourcesUnavailable extends Error {}

/** Linux's USER_HZ: the unit of /proc/<pid>/stat's times on every architecture Node runs on. */
const CLOCK_TICKS_PER_S = 100;
const PS_TIMEOUT_MS = 5_000;
const PS_MAX_BYTES = 16 * 1024 * 1024;

/** One /proc/<pid>/stat line: the fields after the parenthesised name (which may hold spaces). */
export function parseProcStat(pid: number, text: string, pageBytes: number): ProcessRow | null {
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] state (3), f[1] ppid (4), f[11..14] utime stime cutime cstime (14–17), f[21] rss (24).
  if (f.length < 22 || f[0] === 'Z' || f[0] === 'X') return null;
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  const ppid = Number(f[1]);
  const rss = Number(f[21]);
  if (!Number.isFinite(ticks) || !Number.isFinite(ppid) || !Number.isFinite(rss)) return null;
  return { pid, ppid, cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_S, rssBytes: rss * pageBytes };
}

/**
 * The page size /proc's rss counts in: our own resident pages (stat) against the kB status
 * reports, rounded to a power of two (4 KiB on most machines, 16 or 64 KiB on some ARM ones).
 */
function procPageBytes(proc: string): number {
  try {
    const status = readFileSync(`${proc}/self/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    const stat = readFileSync(`${proc}/self/stat`, 'utf8');
    const pages = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[21]);
    if (kb > 0 && pages > 0) return 2 ** Math.round(Math.log2((kb * 1024) / pages));
  } catch {
    // fall through to the common size
  }
  return 4096;
}

/** Linux: every process under /proc, read synchronously (procfs answers from memory). */
export function procTable(proc = '/proc'): ProcessTable {
  let pageBytes: number | null = null;
  return async () => {
    let names: string[];
    try {
      names = readdirSync(proc);
    } catch (e) {
      throw new ResourcesUnavailable(`${proc} cannot be read (${(e as Error).message})`);
    }
    pageBytes ??= procPageBytes(proc);
    const rows: ProcessRow[] = [];
    for (const name of names) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      let text: string;
      try {
        text = readFileSync(`${proc}/${name}/stat`, 'utf8');
      } catch {
        continue; // gone since readdir
      }
      const row = parseProcStat(pid, text, pageBytes);
      if (row) rows.push(row);
    }
    return rows;
  };
}

/** `ps -A -o pid=,ppid=,rss=,time=` rows (rss in KiB; time as [[dd-]hh:]mm:ss[.cc]). */
export function parsePs(text: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    const cpuMs = psTimeMs(m[4] ?? '');
    if (cpuMs === null) continue;
    rows.push({ pid: Number(m[1]), ppid: Number(m[2]), cpuMs, rssBytes: Number(m[3]) * 1024 });
  }
  return rows;
}

export function psTimeMs(s: string): number | null {
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(s);
  if (!m) return null;
  const [, d, h, min, sec] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 3600 + Number(min) * 60 + Number(sec)) * 1000;
}

/** macOS and other Unixes: one `ps` for the whole table. */
export function psTable(): ProcessTable {
  return () =>
    new Promise((resolve, reject) => {
      execFile(
        'ps',
        ['-A', '-o', 'pid=,ppid=,rss=,time='],
        { timeout: PS_TIMEOUT_MS, maxBuffer: PS_MAX_BYTES, env: { ...process.env, LC_ALL: 'C' } },
        (err, stdout) => {
          if (err) reject(new ResourcesUnavailable(`ps failed (${err.message})`));
          else resolve(parsePs(stdout));
        },
      );
    });
}

/** The table for this OS: /proc on Linux, ps on other Unixes, none on Windows. */
export function processTableFor(platform: NodeJS.Platform): ProcessTable {
  if (platform === 'linux') return procTable();
  if (platform === 'win32')
    return async () => {
      throw new ResourcesUnavailable('per-process CPU and memory are not sampled on Windows');
    };
  return psTable();
}
