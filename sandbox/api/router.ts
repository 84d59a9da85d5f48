// Path matching for the emulator's route tables: `/a/:id/b` patterns, URL-decoded parameters,
// 405 with the allowed methods when only the method differs.
export interface Route<H> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  handler: H;
}

export type Match<H> =
  | { kind: 'found'; handler: H; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

function decodeSegments(pathname: string): string[] | null {
  try {
    return pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return null; // a malformed escape is a non-match (404), not a crash
  }
}

export function createRouter<H>(
  routes: Route<H>[],
): (method: string, pathname: string) => Match<H> {
  const compiled = routes.map((r) => ({
    ...r,
    segments: r.path.split('/').filter((s) => s !== ''),
  }));
  return (method, pathname) => {
    const segments = decodeSegments(pathname);
    if (!segments) return { kind: 'not-found' };
    const allow: string[] = [];
    for (const route of compiled) {
      if (route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matches = route.segments.every((pattern, i) => {
        const actual = segments[i] ?? '';
        if (!pattern.startsWith(':')) return pattern === actual;
        params[pattern.slice(1)] = actual;
        return actual !== '';
      });
      if (!matches) continue;
      if (route.method !== method) {
        allow.push(route.method);
        continue;
      }
      return { kind: 'found', handler: route.handler, params };
    }
    return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  };
}
