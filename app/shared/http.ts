// How a command travels over HTTP, for every client (CLI's control client, browser bridge):
// path parameters fill the route, the rest goes in the query (GET) or the JSON body.
import { commands, type CommandInput, type CommandName, type HttpMethod } from './commands.ts';

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
