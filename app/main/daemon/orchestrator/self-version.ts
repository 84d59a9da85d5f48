// Which orchestrator versions a self-upgrade may install: never an older one by accident.
import { CommandError, compareVersions, type CommandArgs } from '../../../shared/index.ts';

/**
 * Refuse a downgrade unless the caller asked for it: `version` older than `current`. A local
 * directory (fromLocal) or a dist-tag (`latest`) names no comparable version until installed;
 * `after` says what already happened when the installed one turns out older.
 */
export function refuseDowngrade(
  current: string,
  input: Pick<CommandArgs<'upgradeSelf'>, 'version' | 'allowDowngrade'>,
  after?: string,
): void {
  if (input.version === undefined || input.allowDowngrade === true) return;
  const cmp = compareVersions(input.version, current);
  if (cmp !== null && cmp < 0)
    throw new CommandError(
      'conflict',
      `refusing to downgrade the orchestrator ${current} → ${input.version}${after ? ` (${after})` : ''}; ask for it explicitly (allowDowngrade, or \`upgrade --self --version ${input.version} --allow-downgrade\`)`,
      'version',
    );
}
