// The page's own CSP (a <meta> in the built index.html) and the headers both servers send are all
// enforced together: the meta must allow everything either header allows, or it would break that
// door, and must carry nothing a <meta> policy cannot.
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../main/control/static-files.ts';
import { CONTENT_SECURITY_POLICY } from '../main/shell/logic/window.ts';
import { DASHBOARD_META_CSP, cspMetaTag } from './csp.ts';

type Policy = Map<string, string[]>;
const parse = (csp: string): Policy =>
  new Map(
    csp.split('; ').map((d) => {
      const [name = '', ...sources] = d.split(' ');
      return [name, sources];
    }),
  );
/** The sources a directive allows, falling back to default-src as browsers do. */
const sources = (p: Policy, directive: string): string[] =>
  p.get(directive) ?? p.get('default-src') ?? [];
/** Does a meta source allow what a header source names (`ws://host:*` covers any port)? */
const covers = (meta: string[], source: string): boolean =>
  meta.some((m) => m === source || (m.endsWith(':*') && source.startsWith(m.slice(0, -1))));

describe('the dashboard page CSP', () => {
  const meta = parse(DASHBOARD_META_CSP);
  const headers = {
    electron: parse(CONTENT_SECURITY_POLICY),
    http: parse(contentSecurityPolicy('127.0.0.1:4599')),
    // Through an SSH tunnel on the operator's own port.
    tunnel: parse(contentSecurityPolicy('localhost:8080')),
    ipv6: parse(contentSecurityPolicy('[::1]:8080')),
  };

  it('allows everything either door allows (for what the page loads)', () => {
    for (const [door, header] of Object.entries(headers))
      for (const directive of ['script-src', 'style-src', 'img-src', 'font-src', 'connect-src'])
        for (const source of sources(header, directive))
          expect(covers(sources(meta, directive), source), `${door} ${directive} ${source}`).toBe(
            true,
          );
  });

  it('is no looser than the strictest: no inline, no eval, no wildcard hosts', () => {
    expect(DASHBOARD_META_CSP).not.toMatch(/unsafe-|'\*'| \* |https?:(?!\/\/)/);
    expect(sources(meta, 'object-src')).toEqual(["'none'"]);
    expect(sources(meta, 'base-uri')).toEqual(["'none'"]);
    expect(meta.get('default-src')).toEqual(["'none'"]);
    // A <meta> policy cannot carry these (the browser ignores them and says so).
    for (const d of ['frame-ancestors', 'report-uri', 'sandbox']) expect(meta.has(d)).toBe(false);
  });

  it('is one meta tag, escaped for an attribute', () => {
    expect(cspMetaTag()).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_META_CSP}" />`,
    );
    expect(DASHBOARD_META_CSP).not.toMatch(/["<>&]/);
    // Chromium drops an IPv6 literal host ([::1]) from a source list as invalid, and says so.
    expect(DASHBOARD_META_CSP).not.toContain('[');
  });
});
