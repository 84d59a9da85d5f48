// How a command travels over HTTP, for every client (CLI's control client, browser bridge):
// path parameters fill the route, the rest goes in the query (GET) or the JSON body; the answer
// comes back through one decoder.
import {
  commands,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type HttpMethod,
} from './commands.ts';
import {
  CommandError,
  describeZodError,
  isCommandErrorCode,
  type CommandErrorCode,
} from './errors.ts';

export interface HttpRequestSpec {
  method: HttpMethod;
  /** Path with query string. */
  url: string;
  body: string | undefined;
  successStatus: number;
}

export function httpRequestFor<N extends CommandName>(
  name: N,
  input: CommandInput<N>,
): HttpRequestSpec {
  const def = commands[name];
  const rest: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  const path = def.path.replace(/:([A-Za-z]+)/g, (_, p: string) => {
    const v = rest[p];
    delete rest[p];
    return encodeURIComponent(String(v ?? ''));
  });
  if (def.method === 'GET') {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return {
      method: def.method,
      url: q ? `${path}?${q}` : path,
      body: undefined,
      successStatus: def.status,
    };
  }
  const hasBody = Object.values(rest).some((v) => v !== undefined);
  return {
    method: def.method,
    url: path,
    body: hasBody ? JSON.stringify(rest) : undefined,
    successStatus: def.status,
  };
}

/** How an error status reads when the body carries no code of ours (a proxy, an older daemon). */
const STATUS_CODES: Record<number, CommandErrorCode> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  412: 'precondition',
  413: 'bad-request',
  502: 'upstream',
  503: 'unavailable',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** An error answer (`{error, code, field?}`, or anything else) as the CommandError it stands for. */
export function errorFromAnswer(status: number, body: unknown): CommandError {
  const b = isRecord(body) ? body : {};
  const code = isCommandErrorCode(b.code) ? b.code : (STATUS_CODES[status] ?? 'internal');
  const message = typeof b.error === 'string' && b.error !== '' ? b.error : `HTTP ${status}`;
  return new CommandError(code, message, typeof b.field === 'string' ? b.field : undefined);
}

/** A command's output checked against the contract (whatever door it came through). */
export function decodeOutput<N extends CommandName>(name: N, value: unknown): CommandOutput<N> {
  const parsed = commands[name].output.safeParse(value);
  if (!parsed.success)
    throw new CommandError(
      'upstream',
      `the orchestrator's answer to ${name} did not match the contract (${describeZodError(parsed.error, 2)})`,
    );
  return parsed.data as CommandOutput<N>;
}

/**
 * The control API's answer to `name` (HTTP status and body text) as the command's output, or the
 * CommandError it stands for: the one decoder of every HTTP client (CLI, browser dashboard).
 */
export function decodeAnswer<N extends CommandName>(
  name: N,
  status: number,
  text: string,
): CommandOutput<N> {
  let body: unknown = undefined;
  let isJson = true;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    isJson = false;
  }
  if (status < 200 || status >= 300) throw errorFromAnswer(status, isJson ? body : undefined);
  if (!isJson)
    throw new CommandError('upstream', `the orchestrator's answer to ${name} was not JSON`);
  return decodeOutput(name, body);
}
