import { describe, expect, it } from 'vitest';
import { loadTemplate } from './render.ts';
import { stopTimeouts } from './stop-timeouts.ts';
import { renderSystemdUnit } from './systemd.ts';
import {
  assertPrintable,
  desktopExec,
  desktopExecArg,
  escapeXml,
  quoteWindowsArg,
  systemdEnvironment,
  systemdExecArgs,
  systemdPlain,
} from './escape.ts';

describe('assertPrintable', () => {
  it('refuses control characters, naming the value', () => {
    expect(() => assertPrintable('a\nb', 'PIPEDAI_HOME')).toThrow(
      /PIPEDAI_HOME contains a control character/,
    );
    expect(() => assertPrintable('a\u007fb', 'x')).toThrow(/control character/);
    expect(() => assertPrintable('C:\\Users\\First Last\\ü', 'x')).not.toThrow();
  });
});

describe('escapeXml', () => {
  it('escapes the five XML specials and leaves the rest', () => {
    expect(escapeXml(`a & b < c > d "e" 'f' 100% $x`)).toBe(
      'a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos; 100% $x',
    );
  });
  it('refuses a newline (no XML 1.0 spelling survives launchd round-trips)', () => {
    expect(() => escapeXml('a\tb', 'PATH')).toThrow(/PATH contains a control character/);
  });
  it('names a value it is not told the name of as "value"', () => {
    expect(() => escapeXml('a\nb')).toThrow(/^value contains a control character/);
  });
});

describe('systemd quoting', () => {
  it('quotes every ExecStart word, doubling % and $ and escaping \\ and "', () => {
    expect(systemdExecArgs(['/usr/bin/node', '/opt/my app/cli.js', 'start'])).toBe(
      '"/usr/bin/node" "/opt/my app/cli.js" "start"',
    );
    expect(systemdExecArgs(['/opt/100%/$HOME/a\\b"c&.js'])).toBe(
      '"/opt/100%%/$$HOME/a\\\\b\\"c&.js"',
    );
    // A leading `-` or `@` would be a systemd prefix if unquoted.
    expect(systemdExecArgs(['-x', '@y'])).toBe('"-x" "@y"');
  });

  it('quotes an Environment assignment whole, doubling % but not $ (no expansion there)', () => {
    expect(systemdEnvironment('PIPEDAI_HOME', '/srv/100% $HOME "q" \\')).toBe(
      '"PIPEDAI_HOME=/srv/100%% $HOME \\"q\\" \\\\"',
    );
    expect(() => systemdEnvironment('BAD NAME', 'x')).toThrow(/invalid environment variable name/);
  });

  it('escapes specifiers in a plain value and refuses whitespace', () => {
    expect(systemdPlain('alice', 'User')).toBe('alice');
    expect(systemdPlain('a%b', 'User')).toBe('a%%b');
    expect(() => systemdPlain('a b', 'User')).toThrow(/User must not contain whitespace/);
  });
});

describe('Windows quoting', () => {
  it('quotes for the C runtime: quotes escaped, backslashes doubled only before a quote', () => {
    expect(quoteWindowsArg('C:\\Program Files\\nodejs\\node.exe')).toBe(
      '"C:\\Program Files\\nodejs\\node.exe"',
    );
    expect(quoteWindowsArg('C:\\dir\\')).toBe('"C:\\dir\\\\"');
    expect(quoteWindowsArg('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteWindowsArg('a\\"b')).toBe('"a\\\\\\"b"');
    expect(quoteWindowsArg('')).toBe('""');
    // Every trailing backslash is doubled, not only the last one.
    expect(quoteWindowsArg('C:\\a\\\\')).toBe('"C:\\a\\\\\\\\"');
  });

  it('names an argument it is not told the name of as "argument"', () => {
    expect(() => quoteWindowsArg('a\r\nb')).toThrow(/^argument contains a control character/);
  });
});

describe('desktop entry Exec', () => {
  it('leaves plain arguments alone and doubles % (field codes)', () => {
    expect(desktopExecArg('--hidden')).toBe('--hidden');
    expect(desktopExecArg('/opt/100%/app')).toBe('/opt/100%%/app');
  });

  it('quotes reserved characters and applies the string escape on top', () => {
    expect(desktopExecArg('/home/First Last/PipedAI.AppImage')).toBe(
      '"/home/First Last/PipedAI.AppImage"',
    );
    expect(desktopExecArg('/a b/100%')).toBe('"/a b/100%%"');
    expect(desktopExecArg('~/x')).toBe('"~/x"');
    expect(desktopExecArg('')).toBe('""');
    // Quoting escapes $ " \ ` with a backslash; the string escape then doubles every backslash,
    // so a literal backslash takes four.
    expect(desktopExecArg('/a b/$x"q\\`')).toBe('"/a b/\\\\$x\\\\"q\\\\\\\\\\\\`"');
  });

  it('joins arguments with spaces', () => {
    expect(desktopExec(['/opt/My Apps/pipedai', '--hidden'])).toBe(
      '"/opt/My Apps/pipedai" --hidden',
    );
  });
});

// A control character has no safe spelling in any unit format: a newline in an install path
// would start a new directive (`ExecStartPre=…` injected into a systemd unit, a new `<key>` in a
// plist, a new argument on Windows). Every quoting function refuses it, naming the value.
const CONTROL_CHARACTERS = ['\n', '\r', '\t', '\0', '\u001b', '\u001f', '\u007f'];
const injected = (c: string) => `/opt/app${c}ExecStartPre=/bin/sh -c evil`;

describe('every quoting function refuses control characters', () => {
  const cases: Array<[string, (value: string) => string, RegExp]> = [
    ['escapeXml', (v) => escapeXml(v, 'ProgramArguments[1]'), /ProgramArguments\[1\]/],
    ['systemdExecArgs', (v) => systemdExecArgs(['/usr/bin/node', v]), /ExecStart argument 1/],
    ['systemdEnvironment', (v) => systemdEnvironment('PIPEDAI_HOME', v), /PIPEDAI_HOME/],
    ['systemdPlain', (v) => systemdPlain(v.replace(/[ \u00a0]/g, '_'), 'User'), /User/],
    ['quoteWindowsArg', (v) => quoteWindowsArg(v, 'CLI path'), /CLI path/],
    ['desktopExecArg', (v) => desktopExecArg(v), /Exec argument/],
    ['desktopExec', (v) => desktopExec(['/opt/app', v]), /Exec argument 1/],
  ];
  for (const [name, quote, what] of cases) {
    it(`${name}: each of \\n \\r \\t NUL ESC US DEL`, () => {
      for (const c of CONTROL_CHARACTERS) {
        expect(() => quote(injected(c)), JSON.stringify(c)).toThrow(/contains a control character/);
        expect(() => quote(injected(c))).toThrow(what);
      }
      // The printable neighbours pass: space, ~, and beyond ASCII (NBSP, é, an emoji).
      expect(() => quote('/opt/a b~\u00a0é😀')).not.toThrow();
    });
  }

  it('a systemd unit is never written with an injected line', async () => {
    const template = await loadTemplate('systemd.service');
    const unit = (cliPath: string, home = '/srv/pipedai') =>
      renderSystemdUnit(template, {
        wantedBy: 'default.target',
        spec: {
          nodePath: '/usr/bin/node',
          cliPath,
          args: ['/usr/bin/node', cliPath, 'start'],
          environment: [['PIPEDAI_HOME', home]],
          stop: stopTimeouts(null),
        },
      });
    expect(unit('/opt/my app/cli.js')).toContain('ExecStart="/usr/bin/node" "/opt/my app/cli.js"');
    expect(() => unit('/opt/app\nExecStartPre=/bin/sh -c evil/cli.js')).toThrow(
      /ExecStart argument 1 contains a control character/,
    );
    expect(() => unit('/opt/app/cli.js', '/srv\r\nExecStartPre=/bin/true')).toThrow(
      /PIPEDAI_HOME contains a control character/,
    );
  });
});
