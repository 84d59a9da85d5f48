import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../shared/index.ts';
import { TEXT_CUT, TOOL_CUT, eventText, eventTone, runItemText } from './run-text.ts';

const ev = (type: string, payload: unknown): RunEvent => ({
  seq: 1,
  type,
  ts: '2025-01-01T00:00:00Z',
  payload,
});
const msg = (...content: unknown[]) => ({ message: { role: 'assistant', content } });

describe('eventText', () => {
  it('renders text, tool use and tool result blocks', () => {
    expect(eventText(ev('assistant', msg({ type: 'text', text: 'Thinking.' })))).toBe('Thinking.');
    expect(
      eventText(ev('assistant', msg({ type: 'tool_use', name: 'Bash', input: { command: 'ls' } }))),
    ).toBe('🔧 Bash({"command":"ls"})');
    expect(
      eventText(ev('user', msg({ type: 'tool_result', tool_use_id: 't', content: 'a\n  b' }))),
    ).toBe('↩ a b');
    expect(
      eventText(
        ev('user', msg({ type: 'tool_result', content: [{ type: 'text', text: 'from blocks' }] })),
      ),
    ).toBe('↩ from blocks');
    expect(
      eventText(ev('assistant', msg({ type: 'text', text: 'one' }, { type: 'text', text: 'two' }))),
    ).toBe('one\ntwo');
  });

  it('cuts tool inputs and results to 140 characters, everything to 2000', () => {
    const long = 'x'.repeat(500);
    const tool = eventText(
      ev('assistant', msg({ type: 'tool_use', name: 'Write', input: { long } })),
    );
    expect(tool.startsWith('🔧 Write(')).toBe(true);
    expect(tool.length).toBe('🔧 Write('.length + TOOL_CUT + 1);
    expect(tool.endsWith('…)')).toBe(true);
    const text = eventText(ev('assistant', { text: 'y'.repeat(5000) }));
    expect(text.length).toBe(TEXT_CUT);
    expect(text.endsWith('…')).toBe(true);
  });

  it('falls back to payload.text, payload.result, then the JSON payload', () => {
    expect(eventText(ev('stderr', { text: 'warning: x' }))).toBe('warning: x');
    expect(eventText(ev('result', { subtype: 'success', result: 'Done.' }))).toBe('Done.');
    expect(eventText(ev('system', { subtype: 'init', model: 'm' }))).toBe(
      '{"subtype":"init","model":"m"}',
    );
    expect(eventText(ev('system', undefined))).toBe('');
    expect(eventText(ev('user', { message: { content: 'plain prompt' } }))).toBe('plain prompt');
  });
});

describe('eventTone', () => {
  it('marks stderr and error results red, tools and results apart', () => {
    expect(eventTone(ev('stderr', { text: 'x' }))).toBe('error');
    expect(eventTone(ev('result', { is_error: true, result: 'x' }))).toBe('error');
    expect(eventTone(ev('result', { result: 'x' }))).toBe('result');
    expect(eventTone(ev('assistant', msg({ type: 'tool_use', name: 'x' })))).toBe('tool');
    expect(eventTone(ev('assistant', msg({ type: 'text', text: 'x' })))).toBe('text');
    expect(eventTone(ev('system', {}))).toBe('system');
  });
});

describe('eventText edges', () => {
  it('nothing for no payload; a string payload as it is; other values as JSON', () => {
    expect(eventText(ev('x', undefined))).toBe('');
    expect(eventText(ev('x', null))).toBe('');
    expect(eventText(ev('x', 'plain words'))).toBe('plain words');
    expect(eventText(ev('x', 42))).toBe('42');
    expect(eventText(ev('x', [1, 'a']))).toBe('[1,"a"]');
    expect(eventText(ev('x', { other: true }))).toBe('{"other":true}');
  });

  it('a message given as a string; text, then result, when there is no message', () => {
    expect(eventText(ev('assistant', { message: { content: 'hello' } }))).toBe('hello');
    expect(eventText(ev('x', { text: 'from text', result: 'from result' }))).toBe('from text');
    expect(eventText(ev('x', { result: 'from result' }))).toBe('from result');
    // A message with no readable block falls through to text.
    expect(eventText(ev('x', { message: { content: [{ type: 'image' }] }, text: 'caption' }))).toBe(
      'caption',
    );
    expect(eventText(ev('x', { message: { content: [] }, text: 'caption' }))).toBe('caption');
  });

  it('joins the readable blocks of a message, one a line, skipping the others', () => {
    expect(
      eventText(
        ev(
          'assistant',
          msg(
            { type: 'text', text: 'a' },
            'junk',
            { type: 'text', text: 5 },
            { type: 'text', text: 'b' },
          ),
        ),
      ),
    ).toBe('a\nb');
    expect(eventText(ev('assistant', msg({ type: 'tool_use' })))).toBe('🔧 tool({})');
  });

  it('a tool result made of text blocks reads as their text; anything else as JSON', () => {
    const result = (content: unknown) =>
      eventText(ev('user', msg({ type: 'tool_result', content })));
    expect(
      result([{ type: 'text', text: 'one' }, { type: 'image' }, { type: 'text', text: 'two' }]),
    ).toBe('↩ one two');
    expect(result([{ type: 'image' }])).toBe('↩ [{"type":"image"}]');
    expect(result({ ok: 1 })).toBe('↩ {"ok":1}');
    expect(result('  spaced\n\tout  ')).toBe('↩ spaced out');
    expect(result(undefined)).toBe('↩ ');
  });

  it('survives what JSON cannot hold and blocks that are not objects', () => {
    // A value JSON.stringify refuses (a BigInt) reads as its string.
    expect(eventText(ev('x', 12n))).toBe('12');
    expect(eventText(ev('assistant', msg(null, { type: 'text', text: 'after' })))).toBe('after');
    // A message whose content is neither text nor a list of blocks: the payload's other fields.
    expect(
      eventText(ev('x', { message: { content: { type: 'text', text: 'no' } }, text: 'caption' })),
    ).toBe('caption');
  });

  it('cuts at exactly the limit, with an ellipsis past it', () => {
    expect(eventText(ev('x', 'x'.repeat(TEXT_CUT)))).toHaveLength(TEXT_CUT);
    expect(eventText(ev('x', 'x'.repeat(TEXT_CUT)))).not.toContain('…');
    expect(eventText(ev('x', 'x'.repeat(TEXT_CUT + 1)))).toMatch(/…$/);
  });
});

describe('eventTone edges', () => {
  it('an error flag on the payload, results and system events, tool blocks first', () => {
    expect(eventTone(ev('assistant', { is_error: true }))).toBe('error');
    expect(eventTone(ev('assistant', { is_error: 'yes' }))).toBe('text');
    expect(eventTone(ev('result', {}))).toBe('result');
    expect(eventTone(ev('system', {}))).toBe('system');
    expect(eventTone(ev('user', msg({ type: 'tool_result', content: 'x' })))).toBe('tool');
    expect(eventTone(ev('assistant', msg({ type: 'tool_use', name: 'Bash' })))).toBe('tool');
    expect(eventTone(ev('assistant', msg({ type: 'text', text: 'a' }, { type: 'tool_use' })))).toBe(
      'text',
    );
    expect(eventTone(ev('assistant', { message: { content: 'text' } }))).toBe('text');
    expect(eventTone(ev('assistant', { message: 'not a record' }))).toBe('text');
    expect(eventTone(ev('assistant', [1]))).toBe('text');
  });
});

describe('a run in the list', () => {
  const startedAt = new Date(2026, 11, 3, 15, 53, 2).getTime();
  const base = { runId: 'r', updatedAt: startedAt + 72_000, bytes: 10 };
  it('says when it started and how long it took, or has taken so far', () => {
    expect(runItemText({ ...base, outcome: 'succeeded', startedAt, durationMs: 72_000 }, 0)).toBe(
      'started 15:53:02 · took 1m 12s',
    );
    expect(runItemText({ ...base, outcome: 'running', startedAt }, startedAt + 40_000)).toBe(
      'started 15:53:02 · 40s so far',
    );
    expect(runItemText({ ...base, outcome: 'failed', startedAt }, 0)).toBe('started 15:53:02');
    expect(runItemText(base, base.updatedAt + 120_000)).toBe('updated 2m ago');
  });
});
