// End-to-end suites, one Playwright project per host of the dashboard. `electron` drives the
// built desktop app (skips with its reason where no Electron binary is installed); the Chromium
// dashboard spec joins as a `chromium` project beside it.
import { defineConfig } from '@playwright/test';
import { findChromium } from './scripts/toolchain.mjs';

// The system's Chromium (never a download of ours), else Playwright's own; none: the spec skips.
const chromium = findChromium(import.meta.dirname);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  projects: [
    { name: 'electron', testMatch: /electron\.spec\.ts$/ },
    {
      // The dashboard served by the headless daemon.
      name: 'chromium',
      testMatch: /dashboard\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          ...(chromium.path ? { executablePath: chromium.path } : {}),
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
  ],
});
