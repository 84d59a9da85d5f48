// One escaper per unit format. The reference pasted raw paths into its units, so a profile such
// as "C:\Users\First Last" or a `&` in a plist broke them (contract §12). Every value that
// reaches a template goes through the function for its format and context.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Control characters have no safe spelling in these formats (a newline would start a new line). */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

export function assertPrintable(value: string, what: string): void {
  if (hasControlCharacter(value)) {
    throw new Error(`${what} contains a control character; refusing to write it into a unit file`);
  }
}

// ---- XML (launchd plist) ----

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(value: string, what = 'value'): string {
  assertPrintable(value, what);
  return value.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

// ---- systemd ----

/**
 * One word of a systemd directive, always double-quoted: inside quotes systemd applies C escapes
 * (so `\` and `"` are backslash-escaped), `%` starts a specifier everywhere (`%%` is a literal
 * percent) and, in Exec lines only, `$` starts a variable (`$$` is a literal dollar).
 */
function quoteSystemd(value: string, what: string, execLine: boolean): string {
  assertPrintable(value, what);
  let out = '"';
  for (const c of value) {
    if (c === '\\' || c === '"') out += `\\${c}`;
    else if (c === '%') out += '%%';
    else if (c === '$' && execLine) out += '$$';
    else out += c;
  }
  return `${out}"`;
}

/** `ExecStart=` arguments: every word quoted, so spaces and systemd's prefixes (`-`, `@`…) are literal. */
export function systemdExecArgs(args: readonly string[]): string {
  return args.map((a, i) => quoteSystemd(a, `ExecStart argument ${i}`, true)).join(' ');
}

/** `Environment=` value: one quoted assignment. systemd does not expand `$` there, so it stays single. */
export function systemdEnvironment(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new Error(`invalid environment variable name: ${name}`);
  return quoteSystemd(`${name}=${value}`, name, false);
}

/** A plain (unquoted) directive value such as `User=`: only specifiers need escaping. */
export function systemdPlain(value: string, what: string): string {
  assertPrintable(value, what);
  if (/\s/.test(value)) throw new Error(`${what} must not contain whitespace`);
  return value.replace(/%/g, '%%');
}

// ---- Windows: the C runtime's argv rules ----

/**
 * Quote one argument the way CommandLineToArgvW / the MSVC runtime parse it back: backslashes are
 * literal except before a quote, where they are doubled and the quote escaped; trailing
 * backslashes are doubled before the closing quote.
 */
export function quoteWindowsArg(value: string, what = 'argument'): string {
  assertPrintable(value, what);
  const body = value.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1');
  return `"${body}"`;
}

// ---- XDG desktop entry ----

// Characters the Desktop Entry Specification reserves in Exec arguments (they force quoting).
const DESKTOP_RESERVED = /[ \t"'\\<>~|&;$*?#()`]/;

/**
 * One Exec argument per the Desktop Entry Specification: quote it when it holds a reserved
 * character (escaping `"`, `` ` ``, `$` and `\` inside the quotes), double `%` (field codes), then
 * apply the string-value escape, which doubles every backslash once more.
 */
export function desktopExecArg(value: string, what = 'Exec argument'): string {
  assertPrintable(value, what);
  const quoted =
    value === '' || DESKTOP_RESERVED.test(value) ? `"${value.replace(/["`$\\]/g, '\\$&')}"` : value;
  return quoted.replace(/%/g, '%%').replace(/\\/g, '\\\\');
}

export function desktopExec(args: readonly string[]): string {
  return args.map((a, i) => desktopExecArg(a, `Exec argument ${i}`)).join(' ');
}
