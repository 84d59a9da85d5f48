// Code signing of the desktop installers, decided from the environment of `npm run dist` (never a
// secret in the repository). electron-builder.config.cjs spreads signingConfig(process.env) into
// its `mac` and `win` sections; package:check asserts the hooks are wired. README "Desktop" lists
// the variables.
//
// macOS
// - A Developer ID (CSC_LINK + CSC_KEY_PASSWORD: a .p12; or CSC_NAME: one in the keychain):
//   electron-builder signs with the hardened runtime and build/entitlements.mac.plist, then
//   notarizes when one complete set of Apple credentials is given (App Store Connect API key, or
//   Apple ID + app-specific password + team, or a notarytool keychain profile).
// - None: an ad-hoc signature (identity "-"), without the hardened runtime, whose library
//   validation an ad-hoc signature cannot pass. Apple silicon runs only signed code, and the
//   binary changed when the fuses were flipped: electron-builder signs after flipping them.
//   (An afterPack hook would sign before the flip, which breaks the signature.) Gatekeeper still
//   blocks the first launch of such a build, and macOS drops its notifications: say so (README).
// Windows
// - WIN_CSC_LINK + WIN_CSC_KEY_PASSWORD (or CSC_LINK): a .pfx, signed by electron-builder.
// - PIPEDAI_WIN_SIGN_COMMAND: a command run for each file, `{file}` replaced by its quoted path,
//   for keys in an HSM or a cloud service (jsign, AzureSignTool, signtool /dlib …).
// - None: unsigned (SmartScreen warns on the first runs). Said in the README.
const { join } = require('node:path');

/** One complete set is enough for electron-builder to notarize (its MacTargetHelper). */
const NOTARIZE_CREDENTIALS = [
  ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
  ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
  ['APPLE_KEYCHAIN_PROFILE'],
];

const ENTITLEMENTS = 'build/entitlements.mac.plist';
const WINDOWS_SIGN_HOOK = join(__dirname, 'sign-windows.cjs');

const set = (env, name) => typeof env[name] === 'string' && env[name] !== '';

/** Is a Developer ID given, the way electron-builder looks for one? */
function macIdentityGiven(env) {
  return set(env, 'CSC_LINK') || set(env, 'CSC_NAME');
}

function notarizeCredentials(env) {
  return NOTARIZE_CREDENTIALS.find((names) => names.every((n) => set(env, n))) ?? null;
}

/** The `mac` and `win` settings that depend on who builds. */
function signingConfig(env) {
  const developerId = macIdentityGiven(env);
  const mac = developerId
    ? {
        hardenedRuntime: true,
        entitlements: ENTITLEMENTS,
        entitlementsInherit: ENTITLEMENTS,
        notarize: notarizeCredentials(env) !== null,
      }
    : { identity: '-', hardenedRuntime: false, notarize: false };
  const win = set(env, 'PIPEDAI_WIN_SIGN_COMMAND')
    ? { signtoolOptions: { sign: WINDOWS_SIGN_HOOK } }
    : {};
  return { mac, win };
}

/** The command for one file: `{file}` becomes the double-quoted path. */
function windowsSignCommand(template, file) {
  if (!template.includes('{file}'))
    throw new Error('PIPEDAI_WIN_SIGN_COMMAND must contain {file}, where the path goes');
  if (file.includes('"')) throw new Error(`cannot quote a path holding a double quote: ${file}`);
  return template.replaceAll('{file}', `"${file}"`);
}

module.exports = {
  ENTITLEMENTS,
  NOTARIZE_CREDENTIALS,
  WINDOWS_SIGN_HOOK,
  macIdentityGiven,
  notarizeCredentials,
  signingConfig,
  windowsSignCommand,
};
