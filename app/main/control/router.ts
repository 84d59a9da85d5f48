// Compiles the contract's command table into route matchers. Routes are never written by hand.
import { commands, type CommandName, type HttpMethod } from '../../shared/index.ts';

interface CompiledRoute {
  name: CommandName;
  method: HttpMethod;
  pattern: RegExp;
  params: string[];
}

export type RouteMatch =
  | { kind: 'command'; name: CommandName; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: HttpMethod[] }
  | { kind: 'not-found' };

function compile(name: CommandName, method: HttpMethod, path: string): CompiledRoute {
  const params: string[] = [];
  const source = path
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        params.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { name, method, pattern: new RegExp(`^${source}/?$`), params };
}

const routes: CompiledRoute[] = (Object.keys(commands) as CommandName[]).map((name) =>
  compile(name, commands[name].method, commands[name].path),
);

/** Path parameters are URL-decoded; a malformed escape is a non-match (404), not a crash. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const allow: HttpMethod[] = [];
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
      allow.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    try {
      route.params.forEach((p, i) => {
        params[p] = decodeURIComponent(m[i + 1] ?? '');
      });
    } catch {
      return { kind: 'not-found' };
    }
    return { kind: 'command', name: route.name, params };
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
}
