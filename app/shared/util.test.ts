import { describe, expect, it } from 'vitest';
import {
  PathSegment,
  TOKEN_PATTERN,
  bytesText,
  compareVersions,
  cpuText,
  duration,
  isVersion,
  lastFour,
  normalizeApiUrl,
  resourceCells,
  scrub,
  scrubTokens,
  shortId,
  slugify,
  tokenHint,
} from './util.ts';

// Every token kind with a prefix in the contract (§1 "Token kinds"), each as it is spelled: the
// local control token is `oct_` + 43 base64url characters, which may hold `-` and `_`.
const TOKENS: Record<string, string> = {
  enr: 'enr_Q7cK2mZp9xLr', // enrollment code (connect flow A)
  wrk: 'wrk_5hT9vB2nX8kQ', // workspace worker registration token
  pool: 'pool_Zr81pQ_m4Kx-7', // pool worker registration token
  wkt: 'wkt_b3N7qT0wYd2Lf', // the worker's own durable token
  hos: 'hos_Jm4Rx9Vt2pQa', // host operator credential (redeem's operatorToken)
  pwk: 'pwk_8aWc3Hy6LmZ1', // workspace operator API key
  pop: 'pop_Tq2xN5bK9rDs', // operator pool-read token
  oct: 'oct_' + 'Ab3_-Zx9'.repeat(5) + 'k2Q', // local control token
};

/** The shapes a token takes in the text the scrubbers see. */
const SHAPES: Record<string, (t: string) => string> = {
  bare: (t) => `register failed for ${t}.`,
  json: (t) => JSON.stringify({ token: t, workerToken: t }),
  url: (t) => `GET https://api.example.test/api/v1/enroll?code=${t}&next=%2F failed`,
  'url path': (t) => `https://api.example.test/redeem/${t}/status`,
  bearer: (t) => `authorization: Bearer ${t}`,
  'end of line': (t) => `token\t${t}\nnext line`,
};

describe('scrubTokens', () => {
  it('knows exactly the contract’s token prefixes', () => {
    const prefixes = /\(\?:([a-z|]+)\)_/.exec(TOKEN_PATTERN.source)?.[1]?.split('|');
    expect(new Set(prefixes)).toEqual(new Set(Object.keys(TOKENS)));
  });

  for (const [kind, token] of Object.entries(TOKENS)) {
    for (const [shape, render] of Object.entries(SHAPES)) {
      it(`hides a ${kind}_ token (${shape}) behind its first 5 characters`, () => {
        const out = scrubTokens(render(token));
        expect(out).not.toContain(token);
        expect(out).not.toContain(token.slice(5));
        expect(out).toBe(render(`${token.slice(0, 5)}…`));
      });
    }
  }

  it('scrubs several tokens of different kinds in one text, and is stable on its output', () => {
    const text = Object.values(TOKENS).join(' and ');
    const once = scrubTokens(text);
    for (const token of Object.values(TOKENS)) expect(once).not.toContain(token);
    expect(scrubTokens(once)).toBe(once);
  });

  it('leaves words that only look alike: short tails, other prefixes, a prefix inside a word', () => {
    for (const text of [
      'enr_short', // 5 characters after the prefix: fewer than 8
      'pool_1234567', // 7
      'key_abcdefghijkl',
      'xwkt_abcdefghijkl', // no word boundary before the prefix
      'wkt-abcdefghijkl',
      'WKT_abcdefghijkl', // prefixes are lower case
      'the pool_ size and the oct_ prefix',
    ])
      expect(scrubTokens(text)).toBe(text);
    expect(scrubTokens('wkt_abcdefgh')).toBe('wkt_a…'); // exactly 8 is a token
  });
});

describe('scrub', () => {
  it('replaces every occurrence of each given secret by its hint, whatever its shape', () => {
    expect(scrub('a devicecode-1234 b devicecode-1234', ['devicecode-1234'])).toBe(
      'a devic… b devic…',
    );
    expect(scrub('x s3cr3t! y', [null, undefined, 's3cr3t!'])).toBe('x s3cr3… y');
  });

  it('ignores secrets shorter than 6 characters (they would scrub ordinary words)', () => {
    expect(scrub('the error was short', ['short', '', 'error'])).toBe('the error was short');
    expect(scrub('abcdef', ['abcdef'])).toBe('abcde…');
  });
});

describe('token display', () => {
  it('tokenHint shows the first 5 characters; lastFour the last 4, or stars for a short one', () => {
    expect(tokenHint('pwk_abcdefgh')).toBe('pwk_a…');
    expect(lastFour('pwk_abcdefgh')).toBe('…efgh');
    expect(lastFour('abcd')).toBe('****');
    expect(lastFour('abcde')).toBe('…bcde');
  });
});

describe('normalizeApiUrl', () => {
  it('trims blanks and every trailing slash, and nothing else', () => {
    expect(normalizeApiUrl('  https://api.example.test///  ')).toBe('https://api.example.test');
    expect(normalizeApiUrl('https://api.example.test/v1/')).toBe('https://api.example.test/v1');
    expect(normalizeApiUrl('https://API.example.test')).toBe('https://API.example.test');
  });
});

describe('slugify', () => {
  it('lower-cases, folds other runs to one dash, trims dashes, cuts to 60, falls back to worker', () => {
    expect(slugify('  My GPU Box #2!! ')).toBe('my-gpu-box-2');
    expect(slugify('Ünïcode—only')).toBe('n-code-only');
    expect(slugify('---')).toBe('worker');
    expect(slugify('')).toBe('worker');
    const long = slugify(`${'a'.repeat(59)} b`);
    expect(long).toBe('a'.repeat(59)); // cut at 60 leaves a trailing dash, which goes too
    expect(slugify('x'.repeat(80))).toHaveLength(60);
  });
});

describe('PathSegment', () => {
  it('accepts [A-Za-z0-9._-]+ up to 200 characters, without ..', () => {
    for (const ok of ['w1', 'a.b_c-D', 'x'.repeat(200), '.hidden'])
      expect(PathSegment.safeParse(ok).success).toBe(true);
    for (const bad of ['', '..', 'a..b', 'a/b', 'a b', 'x'.repeat(201), 'ü', 'a\\b'])
      expect(PathSegment.safeParse(bad).success).toBe(false);
  });

  it('says why an id cannot name a file', () => {
    expect(PathSegment.safeParse('a/b').error?.issues[0]?.message).toBe(
      'must match [A-Za-z0-9._-]+ (it names a file)',
    );
    expect(PathSegment.safeParse('a..b').error?.issues[0]?.message).toBe('must not contain ..');
  });
});

describe('compareVersions and isVersion', () => {
  it('orders by major, minor, patch, with a release after its pre-releases', () => {
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('v1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('2.0.0', '1.99.99')).toBe(1);
    expect(compareVersions('1.10.0', '1.9.0')).toBe(1); // numbers, not strings
    expect(compareVersions('1.2.3', '1.2.4')).toBe(-1);
    expect(compareVersions('1.2.3', '1.2.3-rc.1')).toBe(1);
    expect(compareVersions('1.2.3-rc.1', '1.2.3')).toBe(-1);
    expect(compareVersions('1.2.3-alpha', '1.2.3-beta')).toBe(-1);
    expect(compareVersions('1.2.3-beta', '1.2.3-alpha')).toBe(1);
    expect(compareVersions(' 1.2.3 ', '1.2.3')).toBe(0);
    expect(compareVersions('1.2', '1.2.0')).toBeNull();
    expect(compareVersions('1.2.0', 'latest')).toBeNull();
  });

  it('reads every digit of each part, the whole pre-release, and trims either side', () => {
    expect(compareVersions('10.0.0', '9.0.0')).toBe(1);
    expect(compareVersions('1.2.10', '1.2.9')).toBe(1);
    expect(compareVersions('1.2.3-rc.1', '1.2.3-rc.2')).toBe(-1);
    expect(compareVersions('1.2.3', ' 1.2.3 ')).toBe(0);
    // A version starts the text: something before it is no version.
    expect(compareVersions('x1.2.3', '1.2.3')).toBeNull();
    expect(compareVersions('1.2.3', 'pipedai-worker 1.2.3')).toBeNull();
  });

  it('isVersion holds for versions only', () => {
    expect(isVersion('0.8.0')).toBe(true);
    expect(isVersion('1.5.1-rc.2')).toBe(true);
    expect(isVersion('file:../evil')).toBe(false);
    expect(isVersion('')).toBe(false);
    expect(isVersion(null)).toBe(false);
    expect(isVersion(undefined)).toBe(false);
  });
});

describe('figures as people read them', () => {
  it('duration: seconds, minutes, hours, days, two units at most', () => {
    expect(duration(-5)).toBe('0s');
    expect(duration(45_999)).toBe('45s');
    expect(duration(59_999)).toBe('59s');
    expect(duration(60_000)).toBe('1m 0s');
    expect(duration(192_000)).toBe('3m 12s');
    expect(duration(3_599_999)).toBe('59m 59s');
    expect(duration(3_600_000)).toBe('1h 0m');
    expect(duration(7_500_000)).toBe('2h 5m');
    expect(duration(86_399_999)).toBe('23h 59m');
    expect(duration(86_400_000)).toBe('1d 0h');
    expect(duration(356_400_000)).toBe('4d 3h');
  });

  it('shortId cuts past n characters with an ellipsis', () => {
    expect(shortId('abcdefgh')).toBe('abcdefgh');
    expect(shortId('abcdefghi')).toBe('abcdefgh…');
    expect(shortId('abcdef', 4)).toBe('abcd…');
  });

  it('cpuText: one decimal below 100 %, whole numbers from 100 %', () => {
    expect(cpuText(0.44)).toBe('0.4%');
    expect(cpuText(12.46)).toBe('12.5%');
    expect(cpuText(99.94)).toBe('99.9%');
    expect(cpuText(100)).toBe('100%');
    expect(cpuText(140.4)).toBe('140%');
  });

  it('bytesText: binary units, one decimal below 100, none from 100', () => {
    expect(bytesText(-1)).toBe('0 B');
    expect(bytesText(512)).toBe('512 B');
    expect(bytesText(1023)).toBe('1023 B');
    expect(bytesText(1024)).toBe('1.0 KiB');
    expect(bytesText(48.2 * 1024 ** 2)).toBe('48.2 MiB');
    expect(bytesText(150 * 1024 ** 2)).toBe('150 MiB');
    expect(bytesText(100 * 1024)).toBe('100 KiB');
    expect(bytesText(99.94 * 1024)).toBe('99.9 KiB');
    expect(bytesText(1.3 * 1024 ** 3)).toBe('1.3 GiB');
    expect(bytesText(2 * 1024 ** 4)).toBe('2.0 TiB');
    expect(bytesText(2048 * 1024 ** 4)).toBe('2048 TiB'); // no unit past TiB
  });

  it('resourceCells: the figures, n/a for a live process without figures, — when none runs', () => {
    expect(
      resourceCells({ local: { pid: 7 }, resources: { cpuPercent: 3.21, rssBytes: 2048 } }),
    ).toEqual({ cpu: '3.2%', mem: '2.0 KiB' });
    expect(resourceCells({ local: { pid: 7 }, resources: null })).toEqual({
      cpu: 'n/a',
      mem: 'n/a',
    });
    expect(resourceCells({ local: { pid: null } })).toEqual({ cpu: '—', mem: '—' });
    expect(resourceCells({ local: null })).toEqual({ cpu: '—', mem: '—' });
  });
});
