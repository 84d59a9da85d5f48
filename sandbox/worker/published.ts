// Entry of the simulator as it is published to the sandbox registry (`@pipedai/worker`): the
// package's own version is what it reports (a real package cannot claim another), and a release
// can be built broken on purpose, so that upgrades can be rolled back in tests and the demo.
import { runCli } from './main.ts';

export interface PublishedRelease {
  version: string;
  /** `run` exits 1 at once (a release that crash-loops); `version` and `register` still work. */
  failRunAtStart?: boolean;
}

export function runPublished(release: PublishedRelease): Promise<never> {
  const argv = process.argv.slice(2);
  if (release.failRunAtStart && argv[0] === 'run') {
    process.stderr.write(
      `pipedai-worker ${release.version}: cannot start: this release is broken on purpose (sandbox)\n`,
    );
    process.exit(1);
  }
  return runCli({ ...process.env, PIPEDAI_SIM_VERSION: release.version });
}
