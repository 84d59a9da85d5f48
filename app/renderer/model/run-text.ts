// How a run event reads in the Runs drawer (contract §9.5): message blocks as text,
// `🔧 name(input…)` for tool use, `↩ …` for tool results; else payload.text or payload.result;
// else the JSON payload. Tool inputs/results are cut to 140 characters, everything to 2000.
import { duration, type RunEvent, type RunSummary } from '../../shared/index.ts';
import { ago, timeOfDay } from './format.ts';

export const TOOL_CUT = 140;
export const TEXT_CUT = 2000;

export type EventTone = 'error' | 'tool' | 'result' | 'system' | 'text';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, Math.max(0, max - 1))}…` : s;
}

function json(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return String(v);
  }
}

/** A tool result's content: a string, or text blocks. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const texts = content
      .map((b) => (isRecord(b) && typeof b.text === 'string' ? b.text : null))
      .filter((t): t is string => t !== null);
    if (texts.length > 0) return texts.join(' ');
  }
  return json(content);
}

function blockText(block: unknown): string | null {
  if (!isRecord(block)) return null;
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? block.text : null;
    case 'tool_use': {
      const name = typeof block.name === 'string' ? block.name : 'tool';
      return `🔧 ${name}(${cut(json(block.input ?? {}), TOOL_CUT)})`;
    }
    case 'tool_result':
      return `↩ ${cut(resultText(block.content).replace(/\s+/g, ' ').trim(), TOOL_CUT)}`;
    default:
      return null;
  }
}

export function eventText(event: RunEvent): string {
  const p = event.payload;
  if (p === undefined || p === null) return '';
  if (isRecord(p)) {
    const message = p.message;
    if (isRecord(message)) {
      if (typeof message.content === 'string') return cut(message.content, TEXT_CUT);
      if (Array.isArray(message.content)) {
        const parts = message.content.map(blockText).filter((t): t is string => t !== null);
        if (parts.length > 0) return cut(parts.join('\n'), TEXT_CUT);
      }
    }
    if (typeof p.text === 'string') return cut(p.text, TEXT_CUT);
    if (typeof p.result === 'string') return cut(p.result, TEXT_CUT);
  }
  if (typeof p === 'string') return cut(p, TEXT_CUT);
  return cut(json(p), TEXT_CUT);
}

export function eventTone(event: RunEvent): EventTone {
  const p = event.payload;
  if (event.type === 'stderr' || (isRecord(p) && p.is_error === true)) return 'error';
  if (event.type === 'result') return 'result';
  if (event.type === 'system') return 'system';
  if (isRecord(p) && isRecord(p.message) && Array.isArray(p.message.content)) {
    const first = p.message.content[0];
    if (isRecord(first) && (first.type === 'tool_use' || first.type === 'tool_result'))
      return 'tool';
  }
  return 'text';
}

/**
 * A run in the list: "started 15:53:02 · took 1m 12s" once it ended, "started 15:53:02 · 40s so
 * far" while it runs; when its first event's time is unknown, how long ago it last changed.
 */
export function runItemText(r: RunSummary, now: number): string {
  if (r.startedAt === undefined) return `updated ${ago(r.updatedAt, now)}`;
  const started = `started ${timeOfDay(r.startedAt)}`;
  if (r.outcome === 'running')
    return `${started} · ${duration(Math.max(0, now - r.startedAt))} so far`;
  return r.durationMs === undefined ? started : `${started} · took ${duration(r.durationMs)}`;
}
