// Runs the service manager's commands in order and keeps a record of each, so install and
// uninstall can report exactly what ran. A required command that fails stops install with its
// stderr; uninstall's commands are best effort and their failures are collected.
import {
  ServiceCommandError,
  type CommandRecord,
  type ServiceFs,
  type ServiceRunner,
} from './types.ts';

export function commandLine(record: Pick<CommandRecord, 'cmd' | 'args'>): string {
  return [record.cmd, ...record.args].join(' ');
}

/** `systemctl daemon-reload` failed (exit 1): <last lines of stderr, else stdout>. */
export function describeCommandFailure(record: CommandRecord): string {
  const output = (record.stderr.trim() || record.stdout.trim()).split('\n').slice(-5).join(' ');
  const detail = output.length > 500 ? `${output.slice(0, 500)}…` : output;
  return `\`${commandLine(record)}\` failed (exit ${record.code ?? 'none'})${detail ? `: ${detail}` : ''}`;
}

const REDACTED = '********';

export class CommandSequence {
  readonly records: CommandRecord[] = [];
  readonly #runner: ServiceRunner;

  constructor(runner: ServiceRunner) {
    this.#runner = runner;
  }

  /**
   * Run and record; never throws (a runner that throws counts as a failed command). A `secret`
   * argument (a password) reaches the command but never the record, its output or an error.
   */
  async run(cmd: string, args: readonly string[], secret?: string): Promise<CommandRecord> {
    const hide = (s: string): string => (secret ? s.replaceAll(secret, REDACTED) : s);
    const shown = args.map((a) => (secret !== undefined && a === secret ? REDACTED : a));
    let record: CommandRecord;
    try {
      const r = await this.#runner(cmd, args, secret ? { secrets: [secret] } : undefined);
      record = { cmd, args: shown, code: r.code, stdout: hide(r.stdout), stderr: hide(r.stderr) };
    } catch (err) {
      record = {
        cmd,
        args: shown,
        code: null,
        stdout: '',
        stderr: hide(err instanceof Error ? err.message : String(err)),
      };
    }
    this.records.push(record);
    return record;
  }

  /** Run; a non-zero exit throws with the command's stderr. */
  async require(cmd: string, args: readonly string[], secret?: string): Promise<CommandRecord> {
    const record = await this.run(cmd, args, secret);
    if (record.code !== 0)
      throw new ServiceCommandError(describeCommandFailure(record), this.records);
    return record;
  }

  /** Run; a non-zero exit is noted in `errors` and the caller carries on. */
  async tolerate(cmd: string, args: readonly string[], errors: string[]): Promise<CommandRecord> {
    const record = await this.run(cmd, args);
    if (record.code !== 0) errors.push(describeCommandFailure(record));
    return record;
  }
}

/** Uninstall's file removal: best effort, a failure joins the other collected errors. */
export async function removeUnitFile(
  fs: ServiceFs,
  path: string,
  errors: string[],
): Promise<boolean> {
  try {
    return await fs.remove(path);
  } catch (err) {
    errors.push(`could not delete ${path}: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}
