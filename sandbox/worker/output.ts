// The worker's stdout/stderr. When a daemon that reads them through pipes dies, the pipes break
// (EPIPE). By default the simulator then dies at its next line, as a plain Node CLI does (Node
// ignores SIGPIPE, so the write fails with an 'error' nobody handles): the orchestrator must
// never leave a worker on a pipe it may lose. `PIPEDAI_SIM_SURVIVE_EPIPE=1` drops the broken
// stream instead and keeps working (the simulator's behaviour before the orchestrator wrote worker
// output to files). Writes are bounded: past MAX_BUFFERED_BYTES of unflushed output, lines are
// dropped.
import type { Writable } from 'node:stream';

export const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** A block of whole lines for stdout that may be dropped under backpressure; false when dropped. */
  bulk(block: string): boolean;
  /** Resolves once what was written has been handed to the OS (or the stream is gone), at most `capMs`. */
  flush(capMs: number): Promise<void>;
}

interface Channel {
  write(text: string, droppable: boolean): boolean;
  flush(): Promise<void>;
}

function channel(stream: Writable, surviveEpipe: boolean): Channel {
  let broken = false;
  // An 'error' listener turns EPIPE (and any later write-after-destroy) into a quiet drop; without
  // one the error is uncaught and ends the process.
  if (surviveEpipe)
    stream.on('error', () => {
      broken = true;
    });
  return {
    write(text, droppable) {
      if (broken || stream.destroyed || !stream.writable) return false;
      if (stream.writableLength > MAX_BUFFERED_BYTES) return false;
      if (droppable && stream.writableNeedDrain) return false;
      stream.write(text);
      return true;
    },
    flush() {
      if (broken || stream.destroyed || !stream.writable) return Promise.resolve();
      return new Promise((resolve) => stream.write('', () => resolve()));
    },
  };
}

export function createOutput(
  stdout: Writable,
  stderr: Writable,
  opts: { surviveEpipe?: boolean } = {},
): Output {
  const o = channel(stdout, opts.surviveEpipe === true);
  const e = channel(stderr, opts.surviveEpipe === true);
  return {
    out: (line) => void o.write(`${line}\n`, false),
    err: (line) => void e.write(`${line}\n`, false),
    bulk: (block) => o.write(block, true),
    async flush(capMs) {
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, capMs)));
      await Promise.race([Promise.all([o.flush(), e.flush()]), cap]);
      clearTimeout(timer);
    },
  };
}
