// Fills the unit templates shipped in `templates/`. Values arrive already escaped for their
// format (escape.ts); this only substitutes, and refuses any drift between a template and its
// caller: a placeholder without a value, a value without a placeholder, a stray brace pair.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type TemplateName = 'launchd.plist' | 'systemd.service' | 'autostart.desktop';

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const ALONE_ON_LINE = /^\s*\{\{([A-Za-z][A-Za-z0-9]*)\}\}\s*$/;

/**
 * Substitute `{{name}}` placeholders. A placeholder alone on its line whose value is empty removes
 * the line (optional directives such as `User=`). Values are inserted verbatim.
 */
export function renderTemplate(
  template: string,
  source: string,
  values: Readonly<Record<string, string>>,
): string {
  const text = source.replace(/\r\n/g, '\n');
  // Leftover braces mean a placeholder the pattern did not recognise (`{{a}`): never ship it.
  if (/\{\{|\}\}/.test(text.replace(PLACEHOLDER, ''))) {
    throw new Error(`template ${template}: unbalanced placeholder braces`);
  }
  const used = new Set<string>();
  const valueOf = (name: string): string => {
    if (!NAME.test(name))
      throw new Error(`template ${template}: malformed placeholder {{${name}}}`);
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined)
      throw new Error(`template ${template}: no value for placeholder {{${name}}}`);
    used.add(name);
    return value;
  };
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const alone = ALONE_ON_LINE.exec(line);
    if (alone?.[1] !== undefined && valueOf(alone[1]) === '') continue;
    lines.push(line.replace(PLACEHOLDER, (_m, name: string) => valueOf(name)));
  }
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw new Error(
      `template ${template}: no placeholder for ${unused.map((k) => `{{${k}}}`).join(', ')}`,
    );
  }
  return lines.join('\n');
}

/**
 * The `templates/` folder of this package: beside `dist/` in the published CLI, at the repository
 * root when running from source, beside `out/` in the desktop app.
 */
export function defaultTemplatesDir(
  from: string = dirname(fileURLToPath(import.meta.url)),
): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'systemd.service'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`templates folder not found above ${from}`);
}

export async function loadTemplate(
  name: TemplateName,
  dir: string = defaultTemplatesDir(),
): Promise<string> {
  return readFile(join(dir, name), 'utf8');
}
