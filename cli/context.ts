// What CLI commands share: where state lives, the stores, and the running owner's control client.
import { CommandError } from '../app/shared/index.ts';
import { createControlClient, type ControlClient } from '../app/main/control/client.ts';
import {
  childEnv,
  openStore,
  pathsFor,
  readLiveOwner,
  resolveHome,
  type Paths,
  type Store,
} from '../app/main/daemon/client.ts';
import { sudoInvoker, type Invoker } from '../app/main/service/boot.ts';
import { UsageError } from './args.ts';

export interface CliContext {
  env: NodeJS.ProcessEnv;
  paths: Paths;
  store: Store;
  /**
   * The user behind `sudo`, whose state this is: their home's `.pipedai` (unless PIPEDAI_HOME says
   * otherwise), and what the command creates there is handed back to them (`handBack`).
   */
  invoker: Invoker | null;
}

export function cliContext(
  env: NodeJS.ProcessEnv = process.env,
  isRoot: boolean = process.getuid?.() === 0,
): CliContext {
  const invoker = sudoInvoker(env, isRoot);
  const paths = pathsFor(resolveHome(env, invoker ? () => invoker.home : undefined));
  // What the CLI's children inherit: never the launcher's ELECTRON_RUN_AS_NODE.
  return { env: childEnv(env), paths, store: openStore(paths), invoker };
}

/**
 * The port of the live owner (its runtime record, pid and start time verified), or the one given.
 * No default port: with no owner there is nobody to talk to, and whatever listens on 4599 then
 * is not ours.
 */
export async function daemonPort(ctx: CliContext, explicit?: number): Promise<number> {
  if (explicit !== undefined) return explicit;
  const owner = await readLiveOwner(ctx.paths);
  if (owner === null)
    throw new CommandError(
      'unavailable',
      `no daemon running for ${ctx.paths.home}: start it with \`pipedai-orchestrator start\` (or \`install\` for a service)`,
    );
  if (owner.port === null)
    throw new CommandError(
      'unavailable',
      `the ${owner.host} daemon (pid ${owner.pid}) is starting and has not published its port yet; try again in a moment`,
    );
  return owner.port;
}

/** A client of the running owner that has proven itself (control/proof.ts): only then the token goes. */
export async function connectDaemon(
  ctx: CliContext,
  explicitPort?: number,
): Promise<ControlClient> {
  const port = await daemonPort(ctx, explicitPort);
  const token = await ctx.store.credentials.localToken();
  const client = createControlClient({ baseUrl: `http://127.0.0.1:${port}`, token });
  try {
    await client.verify();
  } catch (e) {
    if (e instanceof CommandError && e.code === 'unavailable')
      throw new CommandError(
        'unavailable',
        `no daemon answers on 127.0.0.1:${port}; start it with \`pipedai-orchestrator start\` (or \`install\` for a service)`,
      );
    throw e;
  }
  return client;
}

export async function readStdinIfPiped(
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<string | null> {
  if (stdin.isTTY) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stdin as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > 64 * 1024)
      throw new UsageError('stdin is larger than 64 KiB: expected a single token');
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text === '' ? null : text;
}

/**
 * A secret typed at the terminal without echo (Windows service password), or the first line of a
 * piped stdin. Ctrl-C cancels.
 */
export async function readSecret(
  prompt: string,
  stdin: NodeJS.ReadStream = process.stdin,
  out: NodeJS.WriteStream = process.stderr,
): Promise<string> {
  if (!stdin.isTTY) return ((await readStdinIfPiped(stdin)) ?? '').split(/\r?\n/)[0] ?? '';
  out.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: Buffer): void => {
        for (const c of chunk.toString('utf8')) {
          if (c === '\r' || c === '\n') {
            stdin.off('data', onData);
            return resolve(typed);
          }
          if (c === '\u0003') {
            stdin.off('data', onData);
            return reject(new UsageError('cancelled'));
          }
          if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
          else if (typed.length < 1024) typed += c;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    out.write('\n');
  }
}
