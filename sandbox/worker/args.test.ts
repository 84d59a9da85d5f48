import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.ts';

const TOKEN = 'wrk_secretsecretsecret';
const base = [
  '--token',
  TOKEN,
  '--api-url',
  'http://127.0.0.1:1234/',
  '--config',
  '/tmp/w.json',
  '--hostname',
  'host-a',
];

describe('parseArgs', () => {
  it('reads version in both spellings', () => {
    expect(parseArgs(['version'])).toEqual({ ok: true, command: { kind: 'version' } });
    expect(parseArgs(['--version'])).toEqual({ ok: true, command: { kind: 'version' } });
    expect(parseArgs(['version', 'extra']).ok).toBe(false);
  });

  it('reads the exact register argv of the contract, with and without --pool', () => {
    expect(parseArgs(['register', ...base])).toEqual({
      ok: true,
      command: {
        kind: 'register',
        token: TOKEN,
        apiUrl: 'http://127.0.0.1:1234/',
        configPath: '/tmp/w.json',
        hostname: 'host-a',
        pool: false,
      },
    });
    const pool = parseArgs(['register', ...base, '--pool']);
    expect(pool.ok && pool.command.kind === 'register' && pool.command.pool).toBe(true);
  });

  it('accepts --flag=value and any flag order', () => {
    const parsed = parseArgs([
      'register',
      '--hostname=h',
      '--pool',
      `--token=${TOKEN}`,
      '--config=/c.json',
      '--api-url=https://api.pipedai.app',
    ]);
    expect(parsed).toMatchObject({
      ok: true,
      command: { hostname: 'h', pool: true, token: TOKEN, configPath: '/c.json' },
    });
  });

  it('reads run --config', () => {
    expect(parseArgs(['run', '--config', '/x.json'])).toEqual({
      ok: true,
      command: { kind: 'run', configPath: '/x.json' },
    });
  });

  it.each([
    [[], 'no command'],
    [['bogus'], "unknown command 'bogus'"],
    [['run'], '--config: is required'],
    [['run', '--config'], '--config needs a value'],
    [['run', '--config', '/a', '--config', '/b'], 'given twice'],
    [['run', '--config', '/a', '--verbose'], "unknown option '--verbose'"],
    [['register', ...base.slice(2)], '--token: is required'],
    [['register', ...base, '--pool=yes'], '--pool takes no value'],
    [
      ['register', ...base.slice(0, 2), '--api-url', 'ftp://x', ...base.slice(4)],
      '--api-url: must be an http(s) URL',
    ],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    const parsed = parseArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it('never echoes a token that landed in the wrong place', () => {
    for (const argv of [
      ['register', TOKEN, ...base],
      ['register', ...base, `--${TOKEN}`],
      [TOKEN],
    ]) {
      const parsed = parseArgs(argv);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).not.toContain('secretsecret');
    }
  });
});
