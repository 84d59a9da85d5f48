// Entry of the pipedai-worker simulator (sandbox/bin/pipedai-worker): argv and knobs in, one
// command out. Exit codes: 0 success, 1 failure, 2 bad usage or bad environment; `run` exits 0
// after a SIGTERM/SIGINT drain, or with PIPEDAI_SIM_EXIT_CODE when the crash knob fires.
// `register` and `run` load their modules on demand: `version` is probed often and stays quick.
import { parseArgs, USAGE } from './args.ts';
import { parseAuthMode, parseKnobs } from './knobs.ts';
import { createOutput, type Output } from './output.ts';
import { errorDetail } from '../../app/shared/index.ts';

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  output: Output,
): Promise<number> {
  const args = parseArgs(argv);
  if (!args.ok) {
    output.err(`pipedai-worker: ${args.error}`);
    output.err(USAGE);
    return 2;
  }
  const knobs = parseKnobs(env);
  if (!knobs.ok) {
    output.err(`pipedai-worker: ${knobs.error}`);
    return 2;
  }
  const command = args.command;
  switch (command.kind) {
    case 'help':
      output.out(USAGE);
      return 0;
    case 'version':
      output.out(knobs.value.version);
      return 0;
    case 'register': {
      const authMode = parseAuthMode(env);
      if (!authMode.ok) {
        output.err(`pipedai-worker: ${authMode.error}`);
        return 2;
      }
      const [{ register }, { createWorkerApi }] = await Promise.all([
        import('./register.ts'),
        import('./api-client.ts'),
      ]);
      return register(command, {
        knobs: knobs.value,
        authMode: authMode.value,
        api: (apiUrl) => createWorkerApi({ apiUrl, version: knobs.value.version }),
        output,
      });
    }
    case 'run': {
      const { runCommand } = await import('./run-command.ts');
      return runCommand(command, knobs.value, env, output);
    }
  }
}

/** What the bin calls: runs the command, lets the output drain (bounded), exits. */
export async function runCli(env: NodeJS.ProcessEnv = process.env): Promise<never> {
  const output = createOutput(process.stdout, process.stderr);
  let code: number;
  try {
    code = await main(process.argv.slice(2), env, output);
  } catch (error) {
    output.err(`pipedai-worker: internal error: ${errorDetail(error)}`);
    code = 70;
  }
  await output.flush(2000);
  process.exit(code);
}
