// The fuzz catalogue of fault 7: request generators over the command table, each producing a
// request with exactly one defect and the statuses that defect may get.
import { commands, type CommandName } from '../../../app/shared/index.ts';
import { pick } from './random.ts';
import type { RawRequest } from './raw-http.ts';

export interface Probe {
  what: string;
  req: RawRequest;
  expect: readonly number[];
}

type Route = { name: CommandName; method: string; path: string };
const ROUTES: Route[] = (Object.keys(commands) as CommandName[]).map((name) => ({
  name,
  method: commands[name].method,
  path: commands[name].path,
}));
const WRITE_ROUTES = ROUTES.filter((r) => r.method !== 'GET');
const GET_ROUTES = ROUTES.filter((r) => r.method === 'GET');
const fill = (path: string, params: Record<string, string>): string =>
  path.replace(/:(\w+)/g, (_, p: string) => params[p] ?? 'x');

const long = (n: number): string => 'a'.repeat(n);
/** Path ids that are not ours to follow: traversal, encodings, odd names, overlong. */
const ODD_IDS = [
  '..',
  '.',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2forchestrator',
  '..%5C..%5Cwindows',
  'a%00b',
  '%E2%80%AE',
  'CON',
  '-rf',
  '%20',
  `${long(201)}`,
  `${long(5000)}`,
];
const MALFORMED_ESCAPES = ['%', '%zz', '%E0%A4%A', 'a%2'];
const ODD_NUMBERS = ['-1', '0', '1e309', 'NaN', '-Infinity', '99999999999999999999', '1.5', '0x10'];
const ODD_VALUES = [
  ...ODD_NUMBERS,
  '',
  'abc',
  '%00',
  '%F0%9F%99%82',
  encodeURIComponent('"}{'),
  long(4000),
];
const BAD_AUTH = (token: string): Array<string | null> => [
  null,
  '',
  'Bearer',
  'Bearer ',
  `Basic ${Buffer.from(`x:${token}`).toString('base64')}`,
  `Bearer ${token}x`,
  `Bearer ${token.slice(0, -1)}`,
  `Bearer ${token.toUpperCase()}`,
  `Bearer ${long(8000)}`,
  `Bearer ${token} extra`,
  `Token ${token}`,
];
const BAD_JSON = [
  '{',
  '{"a":',
  "{'a': 1}",
  '{"a": 1,}',
  'nul',
  '\u0000',
  '{"a": "\u0001"}',
  '[[[[[[[[[[',
  `${'['.repeat(50_000)}`,
  '{"a":1}{"b":2}',
];
const NON_OBJECTS = [
  '[]',
  '[{}]',
  '1',
  '-0',
  '"text"',
  'null',
  'true',
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
];
/** Noise keys that must never change how a body is handled. */
const NOISE: Record<string, unknown>[] = [
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>,
  { constructor: { prototype: { polluted: true } } },
  { '\u202e': 'x', ключ: [1, 2, { deep: null }] },
  { id: 'someone-else' },
];

/** A body with exactly one wrong field for each route that takes a body (null: no such field). */
function wrongField(random: () => number, name: CommandName): Record<string, unknown> | null {
  const notUrl = pick(random, [
    'not a url',
    42,
    null,
    ['http://x'],
    { href: 'http://x' },
    'javascript:alert(1)',
    'file:///etc/passwd',
    'ftp://127.0.0.1/',
  ]);
  switch (name) {
    case 'buildWorker':
      return { apiUrl: notUrl, token: 'wrk_x', label: 'x' };
    case 'stopWorker':
      return { force: pick(random, ['true', 1, null, [], {}]) };
    case 'upgradeWorker':
    case 'upgradeSelf':
      return pick(random, [
        {
          version: pick(random, [
            'file:../x',
            'git+https://x/y',
            '../../x',
            '1.2',
            123,
            '1.2.3 && rm -rf /',
          ]),
        },
        { version: '1.2.3', fromLocal: '/tmp' },
        {},
        { fromLocal: '' },
        { version: '1.2.3', runScripts: true },
      ]);
    case 'startPairing':
      return pick(random, [{ apiUrl: notUrl }, { label: '' }, { label: long(300) }]);
    default:
      return null;
  }
}
export interface FuzzTarget {
  random: () => number;
  port: number;
  /** The daemon's local token. */
  token: string;
  /** Ids of real workers (a defect must be refused even for them). */
  workerIds: readonly string[];
}

/** One generator per kind of defect; call a random one for each request. */
export function fuzzProbes({ random, port, token, workerIds }: FuzzTarget): Array<() => Probe> {
  const realId = (): string => pick(random, workerIds);
  const host = `127.0.0.1:${port}`;
  const ok = { host, authorization: `Bearer ${token}` };
  const json = { ...ok, 'content-type': 'application/json' };

  const params = (): Record<string, string> => ({ id: realId(), runId: 'r1', pairingId: 'p1' });
  return [
    // Bad token.
    () => {
      const r = pick(random, ROUTES);
      const auth = pick(random, BAD_AUTH(token));
      return {
        what: `auth ${JSON.stringify(auth?.slice(0, 40))}`,
        req: {
          method: r.method,
          path: fill(r.path, params()),
          headers: { host, ...(auth === null ? {} : { authorization: auth }) },
        },
        expect: [401],
      };
    },
    // Bad Host (DNS rebinding). A loopback name on another port is a tunnel, not a defect.
    () => {
      const r = pick(random, ROUTES);
      const h = pick(random, [
        'evil.example',
        `evil.example:${port}`,
        'localhost:0',
        '127.0.0.1:65536',
        `127.0.0.1:${port}:1`,
        `127.0.0.1:${port}.evil.example`,
        `localhost.evil.example:${port}`,
        `[::2]:${port}`,
        `127.0.0.2:${port}`,
      ]);
      return {
        what: `host ${h}`,
        req: { method: r.method, path: fill(r.path, params()), headers: { ...ok, host: h } },
        expect: [403],
      };
    },
    // Bad Origin on a state-changing route.
    () => {
      const r = pick(random, WRITE_ROUTES);
      const o = pick(random, [
        'http://evil.example',
        'null',
        `http://127.0.0.1:${port}.evil.example`,
        `https://127.0.0.1:${port}`,
        `http://localhost.evil.example:${port}`,
        `http://[::2]:${port}`,
        'file://',
        long(3000),
      ]);
      return {
        what: `origin ${o.slice(0, 40)} ${r.name}`,
        req: {
          method: r.method,
          path: fill(r.path, params()),
          headers: { ...json, origin: o },
          body: Buffer.from('{}'),
        },
        expect: [403],
      };
    },
    // A method no route takes.
    () => {
      const r = pick(random, ROUTES);
      const m = pick(random, ['PUT', 'PATCH', 'OPTIONS', 'PROPFIND', 'TRACE', 'FOO']);
      return {
        what: `method ${m} ${r.name}`,
        req: { method: m, path: fill(r.path, params()), headers: ok },
        expect: [400, 405],
      };
    },
    // A body that is not JSON, or not an object.
    () => {
      const r = pick(random, WRITE_ROUTES);
      const body = random() < 0.5 ? pick(random, BAD_JSON) : pick(random, NON_OBJECTS);
      const raw =
        random() < 0.1
          ? Buffer.concat([Buffer.from('{'), Buffer.from([0xff, 0xfe]), Buffer.from('}')])
          : Buffer.from(body);
      return {
        what: `body ${JSON.stringify(raw.toString('utf8').slice(0, 30))} ${r.name}`,
        req: { method: r.method, path: fill(r.path, params()), headers: json, body: raw },
        expect: [400],
      };
    },
    // A wrong field (with noise), or an id longer than the contract allows. restartToUpdate takes
    // no input at all: nothing of it can be wrong.
    () => {
      const r = pick(
        random,
        WRITE_ROUTES.filter((x) => x.name !== 'restartToUpdate'),
      );
      const wrong = wrongField(random, r.name);
      const noise = pick(random, NOISE);
      const ids = wrong === null ? { id: long(201), pairingId: long(101) } : params();
      const body = Buffer.from(JSON.stringify({ ...noise, ...(wrong ?? {}) }));
      return {
        what: `schema ${r.name} ${body.toString('utf8').slice(0, 60)}`,
        req: {
          method: r.method,
          path: fill(r.path, { ...params(), ...ids }),
          headers: json,
          body,
        },
        expect: [400],
      };
    },
    // Oversized: declared, or streamed without a length.
    () => {
      const r = pick(random, WRITE_ROUTES);
      const declared = random() < 0.5;
      const body = Buffer.alloc(declared ? 64 * 1024 : 1024 * 1024 + 4096, 0x20);
      return {
        what: `oversize ${declared ? 'declared' : 'streamed'} ${r.name}`,
        req: {
          method: r.method,
          path: fill(r.path, params()),
          headers: {
            ...json,
            connection: 'close',
            ...(declared
              ? { 'content-length': String(2 * 1024 * 1024) }
              : { 'transfer-encoding': 'chunked' }),
          },
          body,
        },
        expect: [413],
      };
    },
    // Odd ids in the path: traversal, encodings, malformed escapes, overlong.
    () => {
      const r = pick(
        random,
        ROUTES.filter((x) => x.path.includes(':')),
      );
      const malformed = random() < 0.2;
      const odd = malformed ? pick(random, MALFORMED_ESCAPES) : pick(random, ODD_IDS);
      const ps = { id: odd, runId: random() < 0.5 ? odd : 'r1', pairingId: odd };
      const isWrite = r.method !== 'GET';
      return {
        what: `path ${r.name} ${odd.slice(0, 40)}`,
        req: {
          method: r.method,
          path: fill(r.path, ps),
          headers: isWrite ? json : ok,
          ...(r.name === 'upgradeWorker' ? { body: Buffer.from('{}') } : {}),
        },
        // A GET of an id that is merely unknown is an empty answer (§7.3), and so is deleting one.
        // `.`/`..` are resolved by URL parsing first, which may land on another route's path (405).
        expect: malformed
          ? [404]
          : r.method === 'GET' || r.name === 'deleteWorker'
            ? [200, 400, 404, 405]
            : [400, 404, 405],
      };
    },
    // Absurd query values on the read routes (clamped, or refused).
    () => {
      const r = pick(random, GET_ROUTES);
      const keys = ['tail', 'after', 'tail', '__proto__', 'constructor', 'id', 'x'];
      const q = Array.from(
        { length: 1 + Math.floor(random() * 4) },
        () => `${pick(random, keys)}=${pick(random, ODD_VALUES)}`,
      ).join('&');
      const huge = random() < 0.05 ? `&pad=${long(20_000)}` : '';
      return {
        what: `query ${r.name} ?${q.slice(0, 60)}`,
        req: { method: 'GET', path: `${fill(r.path, params())}?${q}${huge}`, headers: ok },
        expect: huge ? [431, 414] : [200, 400, 404],
      };
    },
    // Unknown paths under /api.
    () => {
      const p = pick(random, [
        '/api',
        '/api/',
        '/api/workers/x/y/z',
        '/api/../api/nothing',
        '/api/workers//start',
        `/api/${long(300)}`,
        '/api/events',
      ]);
      return {
        what: `unknown ${p.slice(0, 40)}`,
        req: { method: 'GET', path: p, headers: ok },
        expect: [404],
      };
    },
  ];
}
