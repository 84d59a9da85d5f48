import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readSecret } from './context.ts';

/** A stream that looks like a terminal: raw mode is recorded, typed keys are pushed in. */
function terminal() {
  const input = new PassThrough() as PassThrough & {
    isTTY: boolean;
    setRawMode(on: boolean): void;
  };
  const modes: boolean[] = [];
  input.isTTY = true;
  input.setRawMode = (on) => void modes.push(on);
  let shown = '';
  const out = new PassThrough();
  out.on('data', (d: Buffer) => (shown += d.toString()));
  return {
    input: input as unknown as NodeJS.ReadStream,
    out: out as unknown as NodeJS.WriteStream,
    type: (s: string) => input.write(s),
    modes,
    shown: () => shown,
  };
}

describe('readSecret', () => {
  it('reads a line at a terminal without echoing it, backspace and all', async () => {
    const t = terminal();
    const secret = readSecret('password: ', t.input, t.out);
    t.type('hunter3\u007f2 x');
    t.type('\r');
    expect(await secret).toBe('hunter2 x');
    expect(t.shown()).toBe('password: \n');
    expect(t.modes).toEqual([true, false]);
  });

  it('Ctrl-C cancels and gives the terminal back', async () => {
    const t = terminal();
    const secret = readSecret('password: ', t.input, t.out);
    t.type('abc\u0003');
    await expect(secret).rejects.toThrow('cancelled');
    expect(t.modes).toEqual([true, false]);
  });

  it('takes the first line of a piped stdin', async () => {
    const piped = new PassThrough() as PassThrough & { isTTY?: boolean };
    piped.end('s3cret with spaces\nignored\n');
    expect(await readSecret('x', piped as unknown as NodeJS.ReadStream)).toBe('s3cret with spaces');
  });
});
