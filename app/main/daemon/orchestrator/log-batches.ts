// Worker output to the doors in `logs` frames: the lines each worker printed during one turn of
// the event loop leave as one frame, not one frame per line (one JSON encode, one socket write,
// one dashboard update). A frame holds at most LOGS_FRAME_MAX_LINES lines and about
// LOGS_FRAME_MAX_BYTES of text; a batch that reaches either bound leaves at once.
import {
  LOGS_FRAME_MAX_BYTES,
  LOGS_FRAME_MAX_LINES,
  type EventFrame,
  type LogLine,
} from '../../../shared/index.ts';

interface Batch {
  lines: LogLine[];
  bytes: number;
}

export interface LogBatches {
  add(id: string, line: LogLine): void;
  /** Send what waits now (shutdown; tests). */
  flush(): void;
}

export function createLogBatches(
  emit: (frame: Extract<EventFrame, { kind: 'logs' }>) => void,
  bounds: { maxLines: number; maxBytes: number } = {
    maxLines: LOGS_FRAME_MAX_LINES,
    maxBytes: LOGS_FRAME_MAX_BYTES,
  },
): LogBatches {
  const pending = new Map<string, Batch>();
  let scheduled = false;
  const send = (id: string, b: Batch): void => {
    pending.delete(id);
    emit({ kind: 'logs', id, lines: b.lines });
  };
  const flush = (): void => {
    scheduled = false;
    for (const [id, b] of [...pending]) send(id, b);
  };
  return {
    add(id, line) {
      let b = pending.get(id);
      if (!b) pending.set(id, (b = { lines: [], bytes: 0 }));
      b.lines.push(line);
      b.bytes += line.line.length;
      if (b.lines.length >= bounds.maxLines || b.bytes >= bounds.maxBytes) send(id, b);
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
