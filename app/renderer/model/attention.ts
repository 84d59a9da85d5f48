// What needs a person's attention first: which rows are problems (and how bad), their order, the
// summary strip above the table and the page title's count.
import {
  duration,
  isCrashLooping,
  outageSince,
  type ConnectivitySample,
  type FusedWorker,
  type RunOutcome,
} from '../../shared/index.ts';
import { upgradeTarget } from './workers.ts';

/** Worst first; `fine` rows and `upgrade` notices are not problems. */
export const ATTENTION = [
  'crash-loop',
  'needs-runtime',
  'not-running',
  'stale',
  'upgrade',
  'fine',
] as const;
export type Attention = (typeof ATTENTION)[number];

/** The one thing a row most needs looked at. */
export function attentionOf(w: FusedWorker): Attention {
  if (isCrashLooping(w)) return 'crash-loop';
  if (w.local?.state === 'needs-runtime' || w.runtime?.source === 'none') return 'needs-runtime';
  const meantToRun = w.desiredState === 'enabled' && w.remote?.disabled !== true;
  const up = w.local?.state === 'running' || w.local?.state === 'starting';
  if (meantToRun && w.local !== null && !up && !w.local.draining) return 'not-running';
  if (w.remote?.stale) return 'stale';
  if (upgradeTarget(w)) return 'upgrade';
  return 'fine';
}

export const isProblem = (a: Attention): boolean => a !== 'fine' && a !== 'upgrade';

/** Problem rows first, worst first; otherwise the daemon's (manifest) order. */
export function sortByAttention(workers: readonly FusedWorker[]): FusedWorker[] {
  const rank = new Map(workers.map((w) => [w.id, ATTENTION.indexOf(attentionOf(w))]));
  const problem = (w: FusedWorker) => {
    const r = rank.get(w.id) ?? ATTENTION.length;
    return r < ATTENTION.indexOf('upgrade') ? r : ATTENTION.length;
  };
  return workers
    .map((w, i) => ({ w, i }))
    .sort((a, b) => problem(a.w) - problem(b.w) || a.i - b.i)
    .map((x) => x.w);
}

/** "(2) PipedAI Orchestrator" while two workers need attention. */
export function pageTitle(problems: number, base = 'PipedAI Orchestrator'): string {
  return problems > 0 ? `(${problems}) ${base}` : base;
}

export function problemCount(workers: readonly FusedWorker[]): number {
  return workers.filter((w) => isProblem(attentionOf(w))).length;
}

export interface SummaryItem {
  key: string;
  text: string;
  tone: 'neutral' | 'bad' | 'warn' | 'info';
  /** The row it leads to (the first of its kind); none for the count and the outage. */
  workerId?: string;
  /** The outage item opens the connectivity history. */
  opensConnectivity?: boolean;
}

const ITEM: Record<
  Exclude<Attention, 'fine'>,
  { one: string; many: string; tone: SummaryItem['tone'] }
> = {
  'crash-loop': { one: 'crash-looping', many: 'crash-looping', tone: 'bad' },
  'needs-runtime': { one: 'without its runtime', many: 'without their runtime', tone: 'warn' },
  'not-running': { one: 'not running', many: 'not running', tone: 'warn' },
  stale: { one: 'with out-of-date status', many: 'with out-of-date status', tone: 'neutral' },
  upgrade: { one: 'upgrade available', many: 'upgrades available', tone: 'info' },
};

/**
 * "3 workers · 1 crash-looping · 1 upgrade available · PipedAI unreachable for 40s". Stale rows
 * are not counted while the outage item says why they all are.
 */
export function summaryItems(
  workers: readonly FusedWorker[],
  connectivity: { current: ConnectivitySample | null; history: readonly ConnectivitySample[] },
  now: number,
): SummaryItem[] {
  const n = workers.length;
  const items: SummaryItem[] = [
    { key: 'count', text: `${n} worker${n === 1 ? '' : 's'}`, tone: 'neutral' },
  ];
  const outage = outageItem(connectivity, now);
  for (const kind of ATTENTION) {
    if (kind === 'fine' || (kind === 'stale' && outage)) continue;
    // A row's worst problem counts once; an upgrade is on offer whatever else is wrong.
    const of = workers.filter((w) =>
      kind === 'upgrade' ? upgradeTarget(w) !== null : attentionOf(w) === kind,
    );
    const first = of[0];
    if (!first) continue;
    const { one, many, tone } = ITEM[kind];
    items.push({
      key: kind,
      text: `${of.length} ${of.length === 1 ? one : many}`,
      tone,
      workerId: first.id,
    });
  }
  if (outage) items.push(outage);
  return items;
}

function outageItem(
  c: { current: ConnectivitySample | null; history: readonly ConnectivitySample[] },
  now: number,
): SummaryItem | null {
  const verdict = c.current?.verdict;
  if (verdict !== 'offline' && verdict !== 'api-unreachable') return null;
  const since = outageSinceOf(c);
  const what = verdict === 'offline' ? 'No network' : 'PipedAI unreachable';
  return {
    key: 'outage',
    text: since === null ? what : `${what} for ${duration(Math.max(0, now - since))}`,
    tone: 'bad',
    opensConnectivity: true,
  };
}

/** When the outage began, from the history and the latest sample (which may be newer). */
export function outageSinceOf(c: {
  current: ConnectivitySample | null;
  history: readonly ConnectivitySample[];
}): number | null {
  const last = c.history.at(-1);
  const samples =
    c.current && (!last || c.current.ts > last.ts) ? [...c.history, c.current] : c.history;
  return outageSince(samples);
}

/** "run finished", "poll error": a raw event type in plain words. */
export function eventTypeText(type: string): string {
  return type.replace(/[._-]+/g, ' ').trim() || type;
}

/** "8 succeeded · 1 failed · 1 cancelled" (kinds with none left out). */
export function runCounts(outcomes: readonly RunOutcome[]): string {
  const kinds = ['succeeded', 'failed', 'cancelled'] as const;
  return kinds
    .map((k) => [k, outcomes.filter((o) => o === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(' · ');
}
