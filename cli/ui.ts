// Terminal output: colour only on a TTY without NO_COLOR, aligned tables, a spinner that
// degrades to a plain line where there is no terminal.
export interface Ui {
  out(line?: string): void;
  err(line?: string): void;
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  spinner(text: string): { update(text: string): void; stop(final?: string): void };
}

export function createUi(
  stream: NodeJS.WriteStream = process.stdout,
  errStream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Ui {
  const color = Boolean(stream.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb';
  const paint = (code: number) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return {
    out: (line = '') => void stream.write(`${line}\n`),
    err: (line = '') => void errStream.write(`${line}\n`),
    bold: paint(1),
    dim: paint(2),
    green: paint(32),
    red: paint(31),
    yellow: paint(33),
    cyan: paint(36),
    spinner(text) {
      if (!color) {
        stream.write(`${text}\n`);
        return {
          update: () => undefined,
          stop: (final) => final && void stream.write(`${final}\n`),
        };
      }
      const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
      let i = 0;
      let current = text;
      const draw = (): void =>
        void stream.write(`\r\u001b[2K${frames[i++ % frames.length]} ${current}`);
      draw();
      const t = setInterval(draw, 100);
      return {
        update(next) {
          current = next;
        },
        stop(final) {
          clearInterval(t);
          stream.write('\r\u001b[2K');
          if (final) stream.write(`${final}\n`);
        },
      };
    },
  };
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters
const ANSI_CODE = /\u001b\[[0-9;]*m/g;
/** Width on screen: ANSI colour codes take none. */
export const visibleWidth = (s: string): number => s.replace(ANSI_CODE, '').length;

/** Columns padded to the widest cell (ANSI colour codes do not count toward width). */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(c))));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - visibleWidth(c))))
      .join('  ')
      .trimEnd(),
  );
}

export interface Column {
  header: string;
  cells: string[];
  /** Columns that may go when the terminal is narrow: the lowest number goes first. */
  drop?: number;
  /** A plain-text column that may be cut (with …) down to this width before anything is dropped. */
  shrinkTo?: number;
}

/** Cut plain text to `width` with an ellipsis. */
export function truncate(s: string, width: number): string {
  return visibleWidth(s) <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * A table that fits `width` (the terminal's columns; null: no limit, as when piped): first cut
 * the shrinkable columns, and only when that is not enough drop the least useful columns, one at
 * a time, giving the room back to the cut ones.
 */
export function fitTable(columns: Column[], width: number | null): string[] {
  const natural = columns.map((c) =>
    Math.max(visibleWidth(c.header), ...c.cells.map(visibleWidth)),
  );
  const dropOrder = columns
    .map((c, i) => ({ i, drop: c.drop }))
    .filter((c): c is { i: number; drop: number } => c.drop !== undefined)
    .sort((a, b) => a.drop - b.drop)
    .map((c) => c.i);
  let shown = columns.map((_, i) => i);
  let widths = natural.slice();
  for (;;) {
    widths = natural.slice();
    const total = (): number =>
      shown.reduce((sum, i) => sum + (widths[i] ?? 0), 0) + 2 * (shown.length - 1);
    if (width === null || total() <= width) break;
    for (const i of shown) {
      const min = columns[i]?.shrinkTo;
      if (min === undefined) continue;
      const over = total() - width;
      widths[i] = Math.max(min, (widths[i] ?? 0) - over);
    }
    if (total() <= width) break;
    const next = dropOrder.shift();
    if (next === undefined) break; // as narrow as it gets: let the terminal wrap
    shown = shown.filter((i) => i !== next);
  }
  const rows = [
    shown.map((i) => truncate(columns[i]?.header ?? '', widths[i] ?? 0)),
    ...(columns[0]?.cells ?? []).map((_, r) =>
      shown.map((i) => {
        const cell = columns[i]?.cells[r] ?? '';
        return columns[i]?.shrinkTo !== undefined ? truncate(cell, widths[i] ?? 0) : cell;
      }),
    ),
  ];
  return table(rows);
}

/**
 * How wide the output may be: the terminal's columns, else COLUMNS when set (a number), else
 * null: piped output is not cut, so scripts and `grep` see whole lines.
 */
export function outputWidth(
  stream: { isTTY?: boolean; columns?: number } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): number | null {
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const n = Number(env.COLUMNS);
  return env.COLUMNS && Number.isInteger(n) && n > 0 ? n : null;
}

export { ageText as ago } from '../app/shared/age.ts';
