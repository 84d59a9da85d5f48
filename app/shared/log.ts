// The daemon's own log: how a line is told (fields beside the text) and the formats `start`
// writes it in. Zod-free on purpose: the CLI's option parser reads LOG_FORMATS on its light path.

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function isLogFormat(v: unknown): v is LogFormat {
  return typeof v === 'string' && (LOG_FORMATS as readonly string[]).includes(v);
}

export type LogLevel = 'info' | 'warn' | 'error';

/** What a log line is about, beside its text (JSON logs carry them as fields). */
export interface LogFields {
  level?: LogLevel;
  /** A short name for what happened; by default the text before its first `: `. */
  event?: string;
  /** The worker id it concerns. */
  worker?: string;
}

/** The daemon's log: a line for people, with fields for log shippers. */
export type DaemonLog = (line: string, fields?: LogFields) => void;

/** One JSON log record: level, time, event, worker (when known) and the message. */
export interface LogRecord {
  level: LogLevel;
  time: string;
  event: string;
  worker?: string;
  msg: string;
}

const EVENT_PREFIX = /^([a-z][a-z0-9 /_-]{0,39}): /;

export function logRecord(line: string, fields: LogFields = {}, now = Date.now()): LogRecord {
  const prefix = EVENT_PREFIX.exec(line)?.[1];
  return {
    level: fields.level ?? 'info',
    time: new Date(now).toISOString(),
    event: fields.event ?? prefix?.replace(/[ /]+/g, '_') ?? 'daemon',
    ...(fields.worker ? { worker: fields.worker } : {}),
    msg: line,
  };
}
