import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultTemplatesDir, loadTemplate, renderTemplate, type TemplateName } from './render.ts';

const scratch = mkdtempSync(join(tmpdir(), 'pipedai-render-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('renderTemplate', () => {
  it('substitutes every placeholder verbatim', () => {
    expect(renderTemplate('t', 'A={{a}}\nB={{b}} and {{a}}\n', { a: '1 %', b: '"2"' })).toBe(
      'A=1 %\nB="2" and 1 %\n',
    );
  });

  it('drops a line whose only content is a placeholder with an empty value', () => {
    expect(
      renderTemplate('t', 'x\n{{user}}\n  {{env}}\ny={{user}}z\n', { user: '', env: 'E=1\nF=2' }),
    ).toBe('x\n  E=1\nF=2\ny=z\n');
  });

  it('normalises CRLF templates', () => {
    expect(renderTemplate('t', 'a={{a}}\r\nb\r\n', { a: '1' })).toBe('a=1\nb\n');
  });

  it('refuses a placeholder without a value, naming it', () => {
    expect(() => renderTemplate('systemd.service', 'User={{user}}\n', {})).toThrow(
      'template systemd.service: no value for placeholder {{user}}',
    );
  });

  it('refuses a value the template has no placeholder for', () => {
    expect(() => renderTemplate('t', 'a={{a}}', { a: '1', extra: 'x', more: 'y' })).toThrow(
      'template t: no placeholder for {{extra}}, {{more}}',
    );
  });

  it('refuses malformed placeholders and stray braces', () => {
    expect(() => renderTemplate('t', 'a={{ a }}', { a: '1' })).toThrow(
      'malformed placeholder {{ a }}',
    );
    expect(() => renderTemplate('t', 'a={{a-b}}', {})).toThrow('malformed placeholder {{a-b}}');
    expect(() => renderTemplate('t', 'a={{a}', { a: '1' })).toThrow(
      'unbalanced placeholder braces',
    );
  });

  it('does not treat braces inside values as placeholders', () => {
    expect(renderTemplate('t', '{{a}}', { a: '{{b}}' })).toBe('{{b}}');
  });
});

describe('templates folder', () => {
  it('finds the shipped templates from this module and loads each one', async () => {
    const dir = defaultTemplatesDir();
    const names: TemplateName[] = ['launchd.plist', 'systemd.service', 'autostart.desktop'];
    for (const name of names) {
      const text = await loadTemplate(name, dir);
      expect(text, name).toMatch(/\{\{[a-zA-Z]+\}\}/);
    }
  });

  it('walks up from a nested folder (dist/ or out/main/ of the package)', () => {
    const pkg = join(scratch, 'pkg');
    mkdirSync(join(pkg, 'templates'), { recursive: true });
    mkdirSync(join(pkg, 'out', 'main'), { recursive: true });
    writeFileSync(join(pkg, 'templates', 'systemd.service'), '');
    expect(defaultTemplatesDir(join(pkg, 'out', 'main'))).toBe(join(pkg, 'templates'));
  });

  it('says so when there is no templates folder', () => {
    const lonely = join(scratch, 'lonely', 'a', 'b');
    mkdirSync(lonely, { recursive: true });
    expect(() => defaultTemplatesDir(lonely)).toThrow(/templates folder not found/);
  });
});
