// Who signs the desktop installers, decided from the build's environment (scripts/signing.cjs).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const signing = require('./signing.cjs') as {
  ENTITLEMENTS: string;
  WINDOWS_SIGN_HOOK: string;
  signingConfig(env: Record<string, string>): {
    mac: Record<string, unknown>;
    win: { signtoolOptions?: { sign: string } };
  };
  windowsSignCommand(template: string, file: string): string;
};

describe('macOS signing', () => {
  it('without a Developer ID: ad-hoc, no hardened runtime, no notarization', () => {
    expect(signing.signingConfig({}).mac).toEqual({
      identity: '-',
      hardenedRuntime: false,
      notarize: false,
    });
    // Apple credentials alone sign nothing.
    expect(signing.signingConfig({ APPLE_KEYCHAIN_PROFILE: 'p' }).mac).toMatchObject({
      identity: '-',
    });
  });

  it('with a Developer ID: the hardened runtime and its entitlements; notarized with credentials', () => {
    const id = { CSC_LINK: 'file:///secrets/developer-id.p12', CSC_KEY_PASSWORD: 'x' };
    expect(signing.signingConfig(id).mac).toEqual({
      hardenedRuntime: true,
      entitlements: signing.ENTITLEMENTS,
      entitlementsInherit: signing.ENTITLEMENTS,
      notarize: false,
    });
    expect(existsSync(signing.ENTITLEMENTS)).toBe(true);
    const apiKey = { APPLE_API_KEY: '/k.p8', APPLE_API_KEY_ID: 'K', APPLE_API_ISSUER: 'I' };
    expect(signing.signingConfig({ ...id, ...apiKey }).mac.notarize).toBe(true);
    const appleId = { APPLE_ID: 'a@b.c', APPLE_APP_SPECIFIC_PASSWORD: 'p', APPLE_TEAM_ID: 'T' };
    expect(
      signing.signingConfig({ CSC_NAME: 'Developer ID Application: X', ...appleId }).mac,
    ).toMatchObject({ hardenedRuntime: true, notarize: true });
    // An incomplete set does not notarize (electron-builder would fail half-way).
    expect(signing.signingConfig({ ...id, APPLE_ID: 'a@b.c' }).mac.notarize).toBe(false);
  });
});

describe('Windows signing', () => {
  it('a sign command wires the hook; a .pfx or nothing leaves electron-builder its own way', () => {
    expect(signing.signingConfig({}).win).toEqual({});
    expect(signing.signingConfig({ WIN_CSC_LINK: 'file:///c.pfx' }).win).toEqual({});
    const hooked = signing.signingConfig({ PIPEDAI_WIN_SIGN_COMMAND: 'jsign {file}' }).win;
    expect(hooked.signtoolOptions?.sign).toBe(signing.WINDOWS_SIGN_HOOK);
    expect(typeof require(signing.WINDOWS_SIGN_HOOK)).toBe('function');
  });

  it('puts the quoted path where {file} says, and refuses a template without it', () => {
    expect(
      signing.windowsSignCommand(
        'jsign --storetype AZUREKEYVAULT {file}',
        'C:\\b\\PipedAI Orchestrator.exe',
      ),
    ).toBe('jsign --storetype AZUREKEYVAULT "C:\\b\\PipedAI Orchestrator.exe"');
    expect(() => signing.windowsSignCommand('signtool sign', 'a.exe')).toThrow(/\{file\}/);
    expect(() => signing.windowsSignCommand('x {file}', 'a".exe')).toThrow(/double quote/);
  });
});
