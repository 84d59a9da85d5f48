// @ts-check
// The critical rooms that mutation testing covers (issue #20), one source of truth for
// stryker.config.mjs, vitest.mutation.config.ts, scripts/mutation.mjs and the report.
// Each room: the product files Stryker mutates, and the unit tests that may kill those mutants
// (the room's own tests: no Chromium, no fault or services suite, no CLI bundle).

/** Never mutated: tests and what only tests load. */
const NOT_PRODUCT = ['!**/*.test.ts', '!**/test-support.ts', '!**/fixtures/**'];

/**
 * @typedef {{ name: string, label: string, mutate: string[], tests: string[] }} Room
 * @type {Room[]}
 */
export const ROOMS = [
  {
    name: 'supervisor',
    label: 'daemon/supervisor',
    mutate: ['app/main/daemon/supervisor/**/*.ts', ...NOT_PRODUCT],
    tests: ['app/main/daemon/supervisor/**/*.test.ts'],
  },
  {
    name: 'store',
    label: 'daemon/store',
    mutate: ['app/main/daemon/store/**/*.ts', ...NOT_PRODUCT],
    tests: ['app/main/daemon/store/**/*.test.ts'],
  },
  {
    name: 'owner',
    label: 'daemon/owner',
    mutate: ['app/main/daemon/owner/**/*.ts', ...NOT_PRODUCT],
    tests: ['app/main/daemon/owner/**/*.test.ts'],
  },
  {
    name: 'status',
    label: 'daemon/status',
    mutate: ['app/main/daemon/status/**/*.ts', ...NOT_PRODUCT],
    tests: ['app/main/daemon/status/**/*.test.ts'],
  },
  {
    name: 'control',
    label: 'control (security, server)',
    mutate: ['app/main/control/security.ts', 'app/main/control/server.ts'],
    tests: ['app/main/control/**/*.test.ts'],
  },
  {
    name: 'shared',
    label: 'shared (util, http, errors)',
    mutate: ['app/shared/util.ts', 'app/shared/http.ts', 'app/shared/errors.ts'],
    tests: ['app/shared/**/*.test.ts'],
  },
  {
    name: 'escape',
    label: 'service/escape.ts',
    mutate: ['app/main/service/escape.ts'],
    tests: ['app/main/service/**/*.test.ts'],
  },
  {
    name: 'shell-logic',
    label: 'shell/logic',
    mutate: ['app/main/shell/logic/**/*.ts', ...NOT_PRODUCT],
    tests: ['app/main/shell/logic/**/*.test.ts'],
  },
  {
    name: 'renderer-model',
    label: 'renderer/model',
    mutate: ['app/renderer/model/**/*.ts', ...NOT_PRODUCT],
    tests: ['app/renderer/model/**/*.test.ts'],
  },
];

/** Where a room's results live between runs (Stryker's incremental file; committed). */
export const resultsFile = (/** @type {string} */ name) => `test/mutation/${name}.json`;

/** @param {string} name */
export function roomNamed(name) {
  const room = ROOMS.find((r) => r.name === name);
  if (!room)
    throw new Error(`no mutation room "${name}" (rooms: ${ROOMS.map((r) => r.name).join(', ')})`);
  return room;
}

/** `**` any depth, `*` within a segment: enough for the globs above. */
function globToRegExp(/** @type {string} */ glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else re += /[.+?^${}()|[\]\\]/.test(c ?? '') ? `\\${c}` : c;
  }
  return new RegExp(`^${re}$`);
}

/** Whether a repository path (with `/`) is a file the room mutates. */
export function mutates(/** @type {Room} */ room, /** @type {string} */ path) {
  const include = room.mutate.filter((g) => !g.startsWith('!')).map(globToRegExp);
  const exclude = room.mutate.filter((g) => g.startsWith('!')).map((g) => globToRegExp(g.slice(1)));
  return include.some((re) => re.test(path)) && !exclude.some((re) => re.test(path));
}

/**
 * Whether a change to this path can change the room's score: a file under its globs (product,
 * test support, fixtures) or one of its tests.
 */
export function touches(/** @type {Room} */ room, /** @type {string} */ path) {
  const globs = [...room.mutate.filter((g) => !g.startsWith('!')), ...room.tests];
  return globs.map(globToRegExp).some((re) => re.test(path));
}
