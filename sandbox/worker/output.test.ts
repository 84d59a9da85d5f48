import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput, MAX_BUFFERED_BYTES } from './output.ts';

/** A stream whose writes fail like a pipe whose reader died. */
function brokenPipe() {
  let attempts = 0;
  const stream = new Writable({
    write(_chunk, _enc, callback) {
      attempts++;
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
  return { stream, attempts: () => attempts };
}

/** A stream nobody reads: writes never complete. */
function stalled(highWaterMark = 64) {
  return new Writable({ highWaterMark, write() {} });
}

const collect = () => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
};

describe('createOutput', () => {
  it('writes lines to the right stream', () => {
    const out = collect();
    const err = collect();
    const output = createOutput(out.stream, err.stream);
    output.out('hello');
    output.err('oops');
    expect(output.bulk('a\nb\n')).toBe(true);
    expect(out.text()).toBe('hello\na\nb\n');
    expect(err.text()).toBe('oops\n');
  });

  it('lets a broken pipe end the process by default, like a plain Node CLI', async () => {
    const out = brokenPipe();
    const output = createOutput(out.stream, collect().stream);
    const uncaught = new Promise<Error>((resolve) => out.stream.once('error', resolve));
    expect(out.stream.listenerCount('error')).toBe(1); // ours, here: the simulator adds none
    output.out('first');
    expect((await uncaught).message).toBe('write EPIPE');
  });

  it('with surviveEpipe, survives a broken pipe and stops writing to it', async () => {
    const out = brokenPipe();
    const err = collect();
    const output = createOutput(out.stream, err.stream, { surviveEpipe: true });
    output.out('first');
    await new Promise((r) => setImmediate(r));
    const attempts = out.attempts();
    expect(() => {
      output.out('second');
      output.bulk('x\n');
    }).not.toThrow();
    expect(out.attempts()).toBe(attempts);
    output.err('still here');
    expect(err.text()).toBe('still here\n');
    await output.flush(1000);
  });

  it('drops bulk output under backpressure and bounds everything else', async () => {
    const stream = stalled();
    const output = createOutput(stream, collect().stream);
    expect(output.bulk('x'.repeat(100))).toBe(true);
    expect(output.bulk('y')).toBe(false);
    const line = 'z'.repeat(64 * 1024);
    for (let i = 0; i < 64; i++) output.out(line);
    expect(stream.writableLength).toBeLessThanOrEqual(MAX_BUFFERED_BYTES + line.length + 1);
    // flush gives up after its cap instead of waiting for a reader that never comes
    await output.flush(50);
  });
});
