// Shapes shared by the service managers. Everything that touches the system is injected, so the
// tests assert exactly which commands each OS would run and what each unit file holds.

export type ServiceKind = 'systemd' | 'launchd' | 'nssm';

export interface RunResult {
  /** null when the command was killed (timeout) or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one command (no shell on POSIX); `secrets` are scrubbed from what it captures. */
export type ServiceRunner = (
  cmd: string,
  args: readonly string[],
  opts?: { secrets?: readonly string[] },
) => Promise<RunResult>;

/** File operations on unit files; the default is node:fs (serviceFs in system.ts). */
export interface ServiceFs {
  /** Atomic write with this mode. */
  writeFile(path: string, data: string, mode: number): Promise<void>;
  /** mkdir -p; the mode applies to folders it creates (an existing folder keeps its mode). */
  mkdir(path: string, mode: number): Promise<void>;
  /** Delete a file; false when it did not exist. */
  remove(path: string): Promise<boolean>;
  realpath(path: string): Promise<string>;
  /** A small text file's content; null when it does not exist. */
  readFile(path: string): Promise<string | null>;
}

/** What a service manager needs to know about the installer and the machine. */
export interface ServiceOptions {
  platform: NodeJS.Platform;
  runner: ServiceRunner;
  fs?: ServiceFs;
  /** The installer's environment (PATH, PIPEDAI_HOME, SUDO_USER…), parsed before use. */
  env: Readonly<Record<string, string | undefined>>;
  uid: number;
  isRoot: boolean;
  homedir: string;
  /**
   * The state folder the unit is installed for (the CLI's, resolved for the user behind sudo).
   * Default: PIPEDAI_HOME, else `.pipedai` in the home of the account the service runs as.
   */
  stateHome?: string;
  /** Absolute path of the node binary the unit runs (process.execPath). */
  nodePath: string;
  /** Path of the CLI script; the unit runs its realpath. */
  cliPath: string;
  /**
   * The desktop package's launcher, when the CLI runs from it (the app's binary as Node): a POSIX
   * unit runs `<launcher> start`, never a system `node`. NSSM runs nodePath and the CLI with
   * nodeEnv instead: a .cmd under NSSM would have cmd.exe answer the stop's Ctrl-C.
   */
  launcher?: string;
  /** What nodePath needs to run as Node (ELECTRON_RUN_AS_NODE=1 for the app's binary). */
  nodeEnv?: Readonly<Record<string, string>>;
  /** Folder holding the unit templates; defaults to the package's `templates/`. */
  templatesDir?: string;
  /** Windows: the account the service logs on as (default: the installing user). */
  serviceAccount?: string;
  /** Windows: asks for that account's password, only once install is sure it can use it. */
  servicePassword?: (account: string) => Promise<string>;
}

export interface CommandRecord {
  cmd: string;
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ServiceDescription {
  kind: ServiceKind;
  /** The file install writes: the unit, the plist, or the .bat on Windows. */
  unitPath: string;
  /** systemd unit, launchd label or NSSM service name. */
  name: string;
}

export interface InstallReport extends ServiceDescription {
  /** True when the service manager loaded and started the unit; false on Windows (run the .bat). */
  activated: boolean;
  /** Every command run, in order. */
  commands: CommandRecord[];
  /** Where the daemon's output goes. */
  logs: string;
  /** Things the operator should do next (lingering, run the .bat elevated, …). */
  hints: string[];
}

export interface UninstallReport extends ServiceDescription {
  /** The unit file existed and was deleted. */
  removed: boolean;
  commands: CommandRecord[];
  /** Failed commands (reported, not fatal: uninstall carries on). */
  errors: string[];
}

export interface ServiceStatus {
  installed: boolean;
  running: boolean;
  detail: string;
}

export interface ServiceManager {
  describe(): ServiceDescription;
  install(): Promise<InstallReport>;
  uninstall(): Promise<UninstallReport>;
  status(): Promise<ServiceStatus>;
}

/** A command that install needed failed; carries what ran so far. */
export class ServiceCommandError extends Error {
  readonly commands: CommandRecord[];
  constructor(message: string, commands: CommandRecord[]) {
    super(message);
    this.name = 'ServiceCommandError';
    this.commands = commands;
  }
}
