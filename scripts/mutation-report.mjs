// @ts-check
// docs/mutation.md's figures from Stryker's results (mutation-testing-report-schema JSON, the
// incremental file each room keeps): score per room, the counts, the mutants still alive and the
// ones marked equivalent in place (`// Stryker disable next-line <mutator>: <reason>`).

export const BEGIN = '<!-- mutation:begin (written by npm run test:mutation; edit outside) -->';
export const END = '<!-- mutation:end -->';
/** Survivors listed per room; the rest are counted. */
const LIST_AT_MOST = 40;

/**
 * @typedef {{ line: number, column: number }} Position
 * @typedef {{ id: string, mutatorName: string, replacement?: string, status: string,
 *   statusReason?: string, location: { start: Position, end: Position } }} Mutant
 * @typedef {{ files: Record<string, { source: string, mutants: Mutant[] }> }} Report
 * @typedef {{ file: string, line: number, mutator: string, replacement: string, status: string,
 *   reason: string }} Row
 * @typedef {{ complete: boolean, seconds: number | null }} Run
 * @typedef {{ room: import('./mutation-rooms.mjs').Room, score: number | null,
 *   counts: Record<string, number>, alive: Row[], equivalent: Row[], files: number,
 *   run: Run | null }} RoomStats
 */

export const STATUSES = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored'];

/** One line of replacement text, short enough for a table. */
function oneLine(/** @type {string | undefined} */ text) {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

/**
 * A room's figures. Score = detected / (detected + undetected): killed and timed-out mutants
 * over those plus survived and uncovered ones (Stryker's "mutation score"); ignored (equivalent),
 * compile-error and runtime-error mutants count in neither.
 * @param {import('./mutation-rooms.mjs').Room} room
 * @param {Report | null} report
 * @param {Run | null} [run] how the last run ended (scripts/mutation.mjs keeps it)
 * @returns {RoomStats}
 */
export function roomStats(room, report, run = null) {
  /** @type {Record<string, number>} */
  const counts = Object.fromEntries([...STATUSES, 'other'].map((s) => [s, 0]));
  /** @type {Row[]} */
  const alive = [];
  /** @type {Row[]} */
  const equivalent = [];
  const files = Object.entries(report?.files ?? {}).sort(([a], [b]) => a.localeCompare(b));
  for (const [file, { mutants }] of files) {
    const sorted = [...mutants].sort(
      (a, b) =>
        a.location.start.line - b.location.start.line ||
        a.location.start.column - b.location.start.column,
    );
    for (const m of sorted) {
      const key = STATUSES.includes(m.status) ? m.status : 'other';
      counts[key] = (counts[key] ?? 0) + 1;
      const row = {
        file,
        line: m.location.start.line,
        mutator: m.mutatorName,
        replacement: oneLine(m.replacement),
        status: m.status,
        reason: oneLine(m.statusReason),
      };
      if (m.status === 'Survived' || m.status === 'NoCoverage') alive.push(row);
      if (m.status === 'Ignored') equivalent.push(row);
    }
  }
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  const score = report === null ? null : valid === 0 ? 100 : (100 * detected) / valid;
  return { room, score, counts, alive, equivalent, files: files.length, run };
}

const cell = (/** @type {string} */ s) => s.replace(/\|/g, '\\|');
/** A code span that holds backticks too. */
const code = (/** @type {string} */ s) =>
  s.includes('`') ? `\`\` ${cell(s)} \`\`` : `\`${cell(s)}\``;

/** The generated part of docs/mutation.md. @param {RoomStats[]} stats */
export function renderRooms(stats) {
  const out = [
    '| Room | Score | Killed | Timeout | Survived | No coverage | Equivalent (ignored) | Files | Last run |',
    '| ---- | ----: | -----: | ------: | -------: | ----------: | -------------------: | ----: | -------: |',
  ];
  for (const s of stats) {
    const c = s.counts;
    const partial = s.run !== null && !s.run.complete;
    const seconds = s.run?.seconds;
    // An incremental rerun often takes less than a minute: "0 min" would say nothing.
    const took =
      seconds == null ? '' : seconds < 60 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
    out.push(
      s.score === null
        ? `| ${s.room.label} | not run | | | | | | | |`
        : `| ${s.room.label} | ${s.score.toFixed(1)} %${partial ? ' (partial)' : ''} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.Ignored} | ${s.files} | ${partial ? 'stopped' : took} |`,
    );
  }
  if (stats.some((s) => s.score !== null && s.run !== null && !s.run.complete))
    out.push(
      '',
      'A partial room is one whose last run was stopped before the end: its figures are those of the mutants tested so far, and its next run continues from them.',
    );
  for (const s of stats) {
    if (s.score === null) continue;
    out.push('', `### ${s.room.label}`, '');
    if (s.alive.length === 0) out.push('Every mutant is killed, timed out or marked equivalent.');
    else {
      out.push(`Still alive (${s.alive.length}):`, '');
      for (const r of s.alive.slice(0, LIST_AT_MOST))
        out.push(
          `- \`${r.file}:${r.line}\` ${r.mutator}${r.status === 'NoCoverage' ? ' (no test reaches it)' : ''}: ${code(r.replacement)}`,
        );
      if (s.alive.length > LIST_AT_MOST)
        out.push(`- …and ${s.alive.length - LIST_AT_MOST} more (the HTML report lists them all)`);
    }
    if (s.equivalent.length > 0) {
      out.push('', `Marked equivalent in place (${s.equivalent.length}):`, '');
      for (const r of s.equivalent)
        out.push(
          `- \`${r.file}:${r.line}\` ${r.mutator}: ${cell(r.reason) || '(no reason given)'}`,
        );
    }
  }
  return out.join('\n');
}

/** The document with its generated part replaced (or appended when it has none yet). */
export function replaceGenerated(/** @type {string} */ doc, /** @type {string} */ generated) {
  const block = `${BEGIN}\n\n${generated}\n\n${END}`;
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin >= 0 && end > begin)
    return `${doc.slice(0, begin)}${block}${doc.slice(end + END.length)}`;
  const head = doc.trim() === '' ? '# Mutation testing' : doc.trimEnd();
  return `${head}\n\n${block}\n`;
}
