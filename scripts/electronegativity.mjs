// Electron's security linter (@doyensec/electronegativity) over the shell, the preload and the
// built bundles (main, preload, renderer), as one app, so its global checks (CSP, navigation
// limits, permission handler) see everything. Fails on any finding above informational and on
// any file it could not parse: a file it skipped is a file nobody checked.
//
// A false positive is suppressed where it is: the reason in a comment above, and
// `//! eng-disable <CHECK>` trailing the statement. `//!` makes it a legal comment, the one kind the
// bundler keeps (it moves it to its own line after the statement; this script puts it back and
// reads it as electronegativity's `// eng-disable`), so one comment covers source and bundle.
//
// The linter parses with an old Babel: every file is first lowered to ES2019 by TypeScript
// (comments kept). It is installed apart (tools/electronegativity) so its old eslint and
// typescript stay out of the app's dependencies. Needs `npm run build` first.
// Usage: node scripts/electronegativity.mjs
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOOL = join(ROOT, 'tools', 'electronegativity');
const requireApp = createRequire(join(ROOT, 'package.json'));
const requireTool = createRequire(join(TOOL, 'package.json'));

let electronegativity;
try {
  electronegativity = requireTool('@doyensec/electronegativity');
} catch {
  process.stderr.write(
    `electronegativity is not installed: npm ci --prefix tools/electronegativity --ignore-scripts\n`,
  );
  process.exit(1);
}
const { severity } = requireTool('@doyensec/electronegativity/dist/finder/attributes.js');
const ts = requireApp('typescript');

/** What is scanned: sources (tests and test doubles left out) and the bundles Electron loads. */
const SOURCES = [
  ['app/main/shell', 'src/shell'],
  ['app/preload', 'src/preload'],
];
const BUNDLES = [
  ['out/main/index.cjs', 'bundle/main.js'],
  ['out/preload/index.cjs', 'bundle/preload.js'],
  ['out/renderer', 'bundle/renderer'],
];
const isTestOnly = (rel) => /\.test\.tsx?$|(^|\/)fixtures\/|(^|\/)test-support\.ts$/.test(rel);

// The one check left out: it downloads Electron's release list from GitHub at every run (CI has
// no network) and rates an Electron that is a devDependency informational anyway. Electron's
// version is pinned in package.json and upgraded by hand.
const EXCLUDED = ['availablesecurityfixesglobalcheck'];

for (const [from] of BUNDLES) {
  if (!existsSync(join(ROOT, from))) {
    process.stderr.write(`electronegativity: ${from} is missing; run \`npm run build\` first\n`);
    process.exit(1);
  }
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** `//! eng-disable` trailing a statement, wherever the bundler left it, as the linter reads it. */
function carrySuppressions(text) {
  return text
    .replace(/\n[ \t]*(\/\/! eng-disable[^\n]*)/g, ' $1')
    .replaceAll('//! eng-disable', '// eng-disable');
}

/** TypeScript or modern JavaScript → ES2019 JavaScript, comments and line breaks kept. */
function lower(text, fileName) {
  const js = ts.transpileModule(text, {
    fileName,
    compilerOptions: {
      target: ts.ScriptTarget.ES2019,
      module: ts.ModuleKind.ESNext,
      jsx: ts.JsxEmit.Preserve,
      allowJs: true,
      removeComments: false,
      verbatimModuleSyntax: false,
    },
  }).outputText;
  return carrySuppressions(js);
}

const work = mkdtempSync(join(tmpdir(), 'pipedai-electronegativity-'));
/** Scanned file (relative to the scan root) → the file of this repository it came from. */
const origin = new Map();
const put = (rel, text, from) => {
  const dest = join(work, rel);
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, text);
  origin.set(rel, from);
};
for (const [from, to] of SOURCES) {
  for (const file of walk(join(ROOT, from))) {
    const rel = relative(join(ROOT, from), file).replaceAll('\\', '/');
    if (!/\.tsx?$/.test(rel) || isTestOnly(rel)) continue;
    put(
      `${to}/${rel.replace(/\.tsx?$/, '.js')}`,
      lower(readFileSync(file, 'utf8'), file),
      `${from}/${rel}`,
    );
  }
}
for (const [from, to] of BUNDLES) {
  const src = join(ROOT, from);
  if (statSync(src).isDirectory()) {
    for (const file of walk(src)) {
      const rel = relative(src, file).replaceAll('\\', '/');
      const target = `${to}/${rel}`;
      if (/\.js$/.test(rel)) put(target, lower(readFileSync(file, 'utf8'), file), `${from}/${rel}`);
      else if (/\.html?$/.test(rel)) {
        mkdirSync(dirname(join(work, target)), { recursive: true });
        cpSync(file, join(work, target));
        origin.set(target, `${from}/${rel}`);
      }
    }
  } else put(to, lower(readFileSync(src, 'utf8'), src), from);
}

const { version: electronVersion } = JSON.parse(
  readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8'),
);
let result;
try {
  result = await electronegativity({
    input: work,
    excludeFromScan: EXCLUDED,
    customScan: [],
    severitySet: 'informational',
    confidenceSet: 'tentative',
    isRelative: true,
    isVerbose: true,
    electronVersionOverride: electronVersion,
    parserPlugins: [],
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}

const where = (issue) => {
  const rel = String(issue.file).replaceAll('\\', '/').replace(/^\/+/, '');
  return `${origin.get(rel) ?? rel}:${issue.location.line}`;
};
const problems = [];
for (const e of result.errors) problems.push(`could not parse ${e.file}: ${e.message}`);
const above = result.issues.filter((i) => i.severity.value > severity.INFORMATIONAL.value);
const informational = result.issues.length - above.length;
for (const i of above)
  problems.push(
    `${i.id} (${i.severity.name}, ${i.confidence.name}) at ${where(i)}: ${i.description}${i.sample ? `\n      ${String(i.sample).trim().slice(0, 160)}` : ''}`,
  );

process.stdout.write(
  `electronegativity ${requireTool('@doyensec/electronegativity/package.json').version}, Electron ${electronVersion}: ` +
    `${origin.size} files, ${result.globalChecks + result.atomicChecks} checks, ` +
    `${above.length} finding(s) above informational, ${informational} informational\n`,
);
for (const i of result.issues.filter((x) => !above.includes(x)))
  process.stdout.write(`  (informational) ${i.id} at ${where(i)}\n`);
if (problems.length > 0) {
  process.stderr.write(
    `\nelectronegativity FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}
process.stdout.write('electronegativity passed\n');
