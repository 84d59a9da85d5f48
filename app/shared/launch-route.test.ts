import { describe, expect, it } from 'vitest';
import { appRelaysToCli, launchRoute } from './launch-route.ts';

describe('one command, two faces', () => {
  it('no arguments or desktop flags only: the app; anything else: the CLI', () => {
    expect(launchRoute([])).toBe('gui');
    expect(launchRoute(['--hidden', '--no-sandbox', '--ozone-platform=wayland'])).toBe('gui');
    expect(launchRoute(['-psn_0_12345'])).toBe('gui');
    expect(launchRoute(['connect', '--token', 'enr_x'])).toBe('cli');
    expect(launchRoute(['--version'])).toBe('cli');
    expect(launchRoute(['--bogus'])).toBe('cli'); // the CLI says it is unknown
  });
  it("the app's binary hands over a command, help or the version, never an unknown flag", () => {
    expect(appRelaysToCli(['--no-sandbox', 'workers', '--json'])).toBe(true);
    expect(appRelaysToCli(['--version'])).toBe(true);
    expect(appRelaysToCli(['-h'])).toBe(true);
    expect(appRelaysToCli([])).toBe(false);
    expect(appRelaysToCli(['--hidden'])).toBe(false);
    expect(appRelaysToCli(['--updated'])).toBe(false);
    expect(appRelaysToCli(['--some-chromium-switch'])).toBe(false);
  });
});
