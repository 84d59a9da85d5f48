// The rooms of DESIGN.md are lint rules, not advice: a forbidden import fails `npm run lint`.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/** What the rooms rule (or a parse error) says about `code` placed at `filePath`. */
async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.fatal)
    .map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint enforces the rooms', () => {
  it.each([
    ['app/main/daemon/orchestrator/x.ts', "import '../../control/server.ts';"],
    ['app/main/daemon/x.ts', "import { startHeadless } from '../hosts/index.ts';"],
    ['app/main/daemon/x.ts', "import '../shell/tray.ts';"],
    ['app/main/daemon/orchestrator/x.ts', "import '../runtime/installer.ts';"],
    ['app/main/hosts/x.ts', "import { pathsFor } from '../daemon/paths.ts';"],
    ['cli/commands/x.ts', "import { openStore } from '../../app/main/daemon/store/index.ts';"],
    ['cli/x.ts', "import { startControlServer } from '../app/main/control/server.ts';"],
    ['cli/x.ts', "import { openDaemon } from '../app/main/daemon/daemon.ts';"],
    ['app/main/shell/logic/x.ts', "import { app } from 'electron';"],
    ['app/main/daemon/x.ts', "import { app } from 'electron';"],
    ['app/renderer/x.ts', "import { startControlServer } from '../main/control/index.ts';"],
    ['app/shared/x.ts', "import { readFile } from 'node:fs/promises';"],
  ])('%s: %s fails', async (file, code) => {
    expect(await violations(file, code)).toEqual([expect.stringMatching(/^no-restricted-imports/)]);
  });

  it.each([
    ['app/main/hosts/x.ts', "import { pathsFor } from '../daemon/index.ts';"],
    ['cli/x.ts', "import { startControlServer } from '../app/main/control/index.ts';"],
    // The light faces: what a command needs without loading the whole room.
    ['cli/x.ts', "import { createControlClient } from '../app/main/control/client.ts';"],
    ['cli/x.ts', "import { VERSION } from '../app/main/daemon/boot.ts';"],
    ['cli/x.ts', "import { readLiveOwner } from '../app/main/daemon/client.ts';"],
    ['app/main/daemon/orchestrator/x.ts', "import '../store/index.ts';"],
    ['app/main/daemon/orchestrator/x.ts', "import '../runtime/index.ts';"],
    ['app/main/daemon/runtime/manager.ts', "import './installer.ts';"],
    ['app/main/shell/tray.ts', "import { Tray } from 'electron';"],
    ['app/main/shell/logic/x.ts', "import '../../hosts/index.ts';"],
    ['app/main/daemon/x.test.ts', "import '../control/server.ts';"],
  ])('%s: %s passes', async (file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });
});
