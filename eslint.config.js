import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The rooms of DESIGN.md, enforced (as VS Code's lint enforces its layers): what each folder of
// product code may import. A room reaches another only through its public face (its index.ts,
// or a light face a short-lived process loads alone: boot.ts, client.ts);
// the daemon never reaches the doors, the hosts or the shell; only the shell's adapters and the
// preload import electron. Tests and their support may reach anything.
const ELECTRON = {
  name: 'electron',
  message:
    'electron is imported only by the shell adapters (app/main/shell, not logic/) and the preload',
};
const never = (room, why) => ({ regex: `(^|/)${room}/`, message: why });
const faceOnly = (room) => ({
  regex: `(^|/)${room}/(?!(index|boot|client)\\.ts$)`,
  message: `import ${room}/ through its public face, ${room}/index.ts (or its light boot.ts, client.ts)`,
});
const FACES = ['daemon', 'control', 'hosts', 'service'].map(faceOnly);
const UI = 'the renderer and the preload talk to the daemon only through the Bridge (app/shared)';
const RULES = [
  {
    files: ['app/shared/**'],
    patterns: [
      never('main', 'app/shared is the contract: it imports nothing of the rooms that use it'),
      never('renderer', 'app/shared is the contract: it imports nothing of the rooms that use it'),
      never('preload', 'app/shared is the contract: it imports nothing of the rooms that use it'),
      { regex: '^node:', message: 'app/shared runs in the browser too: no Node built-ins' },
    ],
  },
  {
    files: ['app/main/daemon/**'],
    patterns: [
      ...['control', 'hosts', 'shell', 'service'].map((room) =>
        never(
          room,
          `the daemon never imports ${room}/: it is pure Node under both hosts and both doors`,
        ),
      ),
      // The worker runtime is a room inside the daemon: the orchestrator uses its face.
      faceOnly('runtime'),
    ],
  },
  {
    files: ['app/main/control/**', 'app/main/service/**'],
    patterns: [
      never('hosts', 'hosts/ construct the doors, not the other way round'),
      never('shell', 'only the desktop host knows the shell'),
      ...FACES,
    ],
  },
  {
    files: ['app/main/hosts/**'],
    patterns: [
      never('shell', 'hosts/ are plain Node: the shell uses them, never the other way round'),
      ...FACES,
    ],
  },
  { files: ['app/main/shell/**'], patterns: FACES, electron: true },
  { files: ['app/main/shell/logic/**'], patterns: FACES },
  {
    files: ['app/preload/**'],
    patterns: [never('main', UI), never('renderer', UI)],
    electron: true,
  },
  { files: ['app/renderer/**'], patterns: [never('main', UI), never('preload', UI)] },
  {
    files: ['cli/**'],
    patterns: [
      never('shell', 'the CLI runs on plain Node: no shell'),
      never('renderer', UI),
      ...FACES,
    ],
  },
  { files: ['sandbox/**'], patterns: [] },
];
function rooms() {
  return RULES.map(({ files, patterns, electron }) => ({
    files,
    ignores: ['**/*.test.ts', '**/test-support.ts', '**/fixtures/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: electron ? [] : [ELECTRON], patterns }],
    },
  }));
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      '.tools/**',
      '.cache/**',
      'coverage/**',
      'test-results/**',
      'reports/**',
      '.stryker-tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['app/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  ...rooms(),
  {
    files: ['sandbox/bin/*', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
