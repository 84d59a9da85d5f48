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

/** Columns padded to the widest cell (ANSI colour codes do not count toward width). */
export function table(rows: string[][]): string[] {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters
  const visible = (s: string): number => s.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(c))));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - visible(c))))
      .join('  ')
      .trimEnd(),
  );
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
