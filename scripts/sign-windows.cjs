// electron-builder's custom Windows sign hook (win.signtoolOptions.sign), wired by
// scripts/signing.cjs when PIPEDAI_WIN_SIGN_COMMAND is set: runs that command for each file.
const { spawnSync } = require('node:child_process');
const { windowsSignCommand } = require('./signing.cjs');

/** Signing one file is seconds; a hung HSM or network must fail the build, not hold it. */
const SIGN_TIMEOUT_MS = 5 * 60_000;

module.exports = async function signWindows(configuration) {
  const command = windowsSignCommand(
    process.env.PIPEDAI_WIN_SIGN_COMMAND ?? '',
    configuration.path,
  );
  const run = spawnSync(command, { shell: true, stdio: 'inherit', timeout: SIGN_TIMEOUT_MS });
  if (run.status !== 0)
    throw new Error(`signing ${configuration.path} failed (exit ${run.status ?? run.signal})`);
};
