// Pure helpers shared by every room. No Node, DOM or electron imports here.
import { z } from 'zod';
import { SAFE_SEGMENT } from './segment.ts';

/** The key of every per-environment map (credentials, releases): the same key the state files
 * of the published orchestrator use, so a host migrates in place. */
export function normalizeApiUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** §4.4: lower-case, runs outside [a-z0-9] → '-', trim '-', cut to 60, empty → 'worker'. */
export function slugify(input: string): string {
  const slug = input
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug === '' ? 'worker' : slug;
}

export { SAFE_SEGMENT, isSafeSegment } from './segment.ts';

/**
 * An id that becomes a file-path segment (logs/<workerId>.log, runs/<workerId>/<runId>.ndjson):
 * `[A-Za-z0-9._-]+`, no `..`, at most 200 characters. Every id from outside (the API, a worker
 * config, the manifest, a request) is parsed with this before it names a file.
 */
export const PathSegment = z
  .string()
  .max(200)
  .regex(SAFE_SEGMENT, 'must match [A-Za-z0-9._-]+ (it names a file)')
  .refine((s) => !s.includes('..'), 'must not contain ..');

/** Shown where an error must identify a token: its first 5 characters and an ellipsis. */
export function tokenHint(token: string): string {
  return `${token.slice(0, 5)}…`;
}

/** What a renderer may see of a token: its last four characters. */
export function lastFour(token: string): string {
  return token.length <= 4 ? '****' : `…${token.slice(-4)}`;
}

/**
 * Replace every occurrence of each secret in `text` by its hint. Secrets shorter than
 * 6 characters are ignored (they would scrub ordinary words).
 */
export function scrub(text: string, secrets: Iterable<string | null | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 6) continue;
    out = out.split(s).join(tokenHint(s));
  }
  return out;
}

/** Token-looking substrings (any known prefix + 8 or more token characters). */
export const TOKEN_PATTERN = /\b(?:enr|wrk|pool|wkt|hos|pwk|pop|oct)_[A-Za-z0-9_-]{8,}/g;

/** Belt and braces: scrub anything that looks like a PipedAI token. */
export function scrubTokens(text: string): string {
  return text.replace(TOKEN_PATTERN, (m) => tokenHint(m));
}

/** Compare `MAJOR.MINOR.PATCH[-pre]` versions; null when either is not a version. */
export function compareVersions(a: string, b: string): number | null {
  const re = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/;
  const ma = re.exec(a.trim());
  const mb = re.exec(b.trim());
  if (!ma || !mb) return null;
  for (let i = 1; i <= 3; i++) {
    const d = Number(ma[i]) - Number(mb[i]);
    if (d !== 0) return Math.sign(d);
  }
  const pa = ma[4];
  const pb = mb[4];
  if (pa === pb) return 0;
  if (pa === undefined) return 1; // a release is newer than its pre-release
  if (pb === undefined) return -1;
  return pa < pb ? -1 : 1;
}

export function isVersion(v: string | null | undefined): v is string {
  return typeof v === 'string' && compareVersions(v, v) === 0;
}

/** Uptime-style duration: `45s`, `3m 12s`, `2h 5m`, `4d 3h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

export function shortId(id: string, n = 8): string {
  return id.length > n ? `${id.slice(0, n)}…` : id;
}

/** CPU as people read it: `0.4%`, `12.5%`, `140%` (past 100: more than one core busy). */
export function cpuText(percent: number): string {
  return percent >= 100 ? `${Math.round(percent)}%` : `${percent.toFixed(1)}%`;
}

/** Bytes in binary units: `512 B`, `48.2 MiB`, `1.3 GiB`. */
export function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.max(0, bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/**
 * A worker's CPU and memory cells (CLI, dashboard): the figures; `n/a` for a process this OS
 * gives no figures for; `—` when nothing runs.
 */
export function resourceCells(w: {
  local: { pid: number | null } | null;
  resources?: { cpuPercent: number; rssBytes: number } | null;
}): { cpu: string; mem: string } {
  if (w.resources)
    return { cpu: cpuText(w.resources.cpuPercent), mem: bytesText(w.resources.rssBytes) };
  return w.local?.pid != null ? { cpu: 'n/a', mem: 'n/a' } : { cpu: '—', mem: '—' };
}
