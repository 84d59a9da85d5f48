import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse.ts';

const ev = (data: string, event?: string, id?: string): SseEvent => ({ event, data, id });

function parseAll(chunks: (string | Uint8Array)[], parser = new SseParser()): SseEvent[] {
  return chunks.flatMap((c) => parser.push(c));
}

describe('SseParser wire format', () => {
  it('dispatches on a blank line and joins data lines with \\n', () => {
    expect(parseAll(['data: a\ndata: b\n\n'])).toEqual([ev('a\nb')]);
  });

  it('reads event and id; id persists, event name resets after dispatch', () => {
    const out = parseAll(['event: worker.started\nid: 7\ndata: {}\n\ndata: x\n\n']);
    expect(out).toEqual([ev('{}', 'worker.started', '7'), ev('x', undefined, '7')]);
  });

  it('strips exactly one space after the colon; a line without colon is a field with empty value', () => {
    expect(parseAll(['data:  two\n\n'])).toEqual([ev(' two')]);
    expect(parseAll(['data:none\n\n'])).toEqual([ev('none')]);
    expect(parseAll(['data\ndata: x\n\n'])).toEqual([ev('\nx')]);
    expect(parseAll(['data: a:b: c\n\n'])).toEqual([ev('a:b: c')]);
  });

  it('counts comments as keep-alives and ignores retry and unknown fields', () => {
    const p = new SseParser();
    const out = parseAll([': keep-alive\n\n:\nretry: 10\nfoo: bar\ndata: x\n\n'], p);
    expect(out).toEqual([ev('x')]);
    expect(p.stats).toEqual({ events: 1, comments: 2, droppedLines: 0, droppedEvents: 0 });
  });

  it('does not dispatch an event without data, and drops its event name', () => {
    expect(parseAll(['event: lonely\n\ndata: x\n\n'])).toEqual([ev('x')]);
  });

  it('ignores an id containing NUL', () => {
    expect(parseAll(['id: 1\n\nid: a\0b\ndata: x\n\n'])).toEqual([ev('x', undefined, '1')]);
  });

  it('accepts CRLF, LF and lone CR line ends, also when CRLF is split across chunks', () => {
    expect(parseAll(['data: a\r\n\r\ndata: b\r\rdata: c\n\n'])).toEqual([
      ev('a'),
      ev('b'),
      ev('c'),
    ]);
    // `\r` ends one chunk, `\n` starts the next: one line end, not a blank line.
    expect(parseAll(['data: a\r', '\ndata: b\r', '\n\r', '\n'])).toEqual([ev('a\nb')]);
  });

  it('keeps an unterminated event pending (never dispatched without its blank line)', () => {
    const p = new SseParser();
    expect(p.push('data: a\n')).toEqual([]);
    expect(p.push('data: b')).toEqual([]);
    expect(p.push('\n\n')).toEqual([ev('a\nb')]);
  });
});

describe('SseParser chunking', () => {
  const stream =
    ': hello\r\nevent: worker.started\r\ndata: {"type":"worker.started","ts":"2025-01-01T00:00:00Z"}\r\n\r\n' +
    'id: 42\ndata: line1\ndata:line2\n\n:ka\n\ndata: é中文 ✓ 😀\n\n';
  const whole = parseAll([stream]);

  it('gives the same events for every split point', () => {
    expect(whole).toHaveLength(3);
    for (let i = 0; i <= stream.length; i++) {
      expect(parseAll([stream.slice(0, i), stream.slice(i)]), `split at ${i}`).toEqual(whole);
    }
  });

  it('gives the same events fed one character at a time', () => {
    expect(parseAll([...stream])).toEqual(whole);
  });

  it('decodes UTF-8 split anywhere across Buffer chunks', () => {
    const bytes = Buffer.from(stream, 'utf8');
    for (let i = 0; i <= bytes.length; i++) {
      expect(parseAll([bytes.subarray(0, i), bytes.subarray(i)]), `split at byte ${i}`).toEqual(
        whole,
      );
    }
    expect(parseAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(whole);
  });

  it('turns invalid UTF-8 into replacement characters instead of failing', () => {
    expect(parseAll([Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x0a, 0x0a])])).toEqual([
      ev('\uFFFD'),
    ]);
  });
});

describe('SseParser bounds', () => {
  const limits = { maxLineLength: 100, maxEventLength: 250 };
  const buffered = (p: SseParser): number => (p as unknown as { line: string }).line.length;

  it('drops an over-long line without buffering it, drops its event, and recovers', () => {
    const p = new SseParser(limits);
    const out: SseEvent[] = [];
    out.push(...p.push('data: ok\n\ndata: '));
    for (let i = 0; i < 1000; i++) {
      out.push(...p.push('x'.repeat(1000)));
      expect(buffered(p)).toBeLessThanOrEqual(limits.maxLineLength);
    }
    out.push(...p.push('\ndata: tail\n\ndata: after\n\n'));
    expect(out).toEqual([ev('ok'), ev('after')]);
    expect(p.stats).toMatchObject({ events: 2, droppedLines: 1, droppedEvents: 1 });
  });

  it('an over-long comment is dropped but does not spoil the event around it', () => {
    const p = new SseParser(limits);
    const out = parseAll([`data: a\n:${'k'.repeat(500)}\ndata: b\n\n`], p);
    expect(out).toEqual([ev('a\nb')]);
    expect(p.stats).toMatchObject({ droppedLines: 1, droppedEvents: 0, comments: 0 });
  });

  it('an over-long line arriving in one chunk is dropped too', () => {
    const p = new SseParser(limits);
    expect(parseAll([`data: ${'y'.repeat(200)}\n\ndata: z\n\n`], p)).toEqual([ev('z')]);
    expect(p.stats).toMatchObject({ droppedLines: 1, droppedEvents: 1 });
  });

  it('drops an event whose data outgrows the cap, and frees its data', () => {
    const p = new SseParser(limits);
    const line = `data: ${'d'.repeat(90)}\n`;
    const out = parseAll([line.repeat(10), '\n', 'data: next\n\n'], p);
    expect(out).toEqual([ev('next')]);
    expect(p.stats).toMatchObject({ events: 1, droppedLines: 0, droppedEvents: 1 });
    expect((p as unknown as { data: string[] }).data).toEqual([]);
  });

  it('keeps an event exactly at the caps', () => {
    const p = new SseParser({ maxLineLength: 10, maxEventLength: 4 });
    expect(parseAll(['data: abcd\n\n'], p)).toEqual([ev('abcd')]);
    expect(p.stats.droppedEvents).toBe(0);
  });
});
