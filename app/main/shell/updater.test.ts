// The desktop updater with the real electron-updater against a release feed served on loopback,
// as electron-builder publishes it (latest-linux.yml and the AppImage beside it). Electron is the
// only stand-in: its `app`, and `net.request` over Node's http. The "AppImage" is a shell script,
// so the install really moves it into place and really starts it.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../../test/support/wait-for.ts';

const paths = { root: tmpdir() };
const fakeApp = Object.assign(new EventEmitter(), {
  isPackaged: true,
  getVersion: () => '0.8.0',
  getName: () => 'PipedAI Orchestrator',
  getAppPath: () => '/nonexistent/app',
  // userData (electron-updater keeps its staging id there) lives in each test's temp folder.
  getPath: (name: string) => join(paths.root, name),
  whenReady: () => Promise.resolve(),
  isReady: () => true,
  quit: vi.fn(),
  relaunch: vi.fn(),
});
const fakeElectron = {
  app: fakeApp,
  autoUpdater: new EventEmitter(),
  session: { fromPartition: () => ({}) },
  // Electron's net.request, as Node's http.request (the feed is plain HTTP on loopback).
  net: {
    request(options: Record<string, unknown>) {
      const { session: _session, redirect: _redirect, ...rest } = options;
      return request(rest);
    },
  },
};
// Our ESM imports of electron, and electron-updater's CommonJS require('electron').
vi.mock('electron', () => fakeElectron);
const require = createRequire(import.meta.url);
const electronId = require.resolve('electron');
require.cache[electronId] = {
  id: electronId,
  filename: electronId,
  loaded: true,
  exports: fakeElectron,
} as unknown as NodeModule;

const { createDesktopUpdater } = await import('./updater.ts');
type Facts = Parameters<typeof createDesktopUpdater>[0]['facts'];

interface Feed {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** A release folder as electron-builder's generic publisher leaves it. */
async function serveFeed(
  version: string,
  body: Buffer,
  opts: { sha512?: string } = {},
): Promise<Feed> {
  const file = `PipedAI-Orchestrator-${version}.AppImage`;
  const sha512 = opts.sha512 ?? createHash('sha512').update(body).digest('base64');
  const yml = [
    `version: ${version}`,
    'files:',
    `  - url: ${file}`,
    `    sha512: ${sha512}`,
    `    size: ${body.length}`,
    `path: ${file}`,
    `sha512: ${sha512}`,
    "releaseDate: '2026-12-01T10:00:00.000Z'",
    '',
  ].join('\n');
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const path = (req.url ?? '').split('?')[0];
    if (path === '/feed/latest-linux.yml') {
      res.writeHead(200, { 'content-type': 'text/yaml' });
      return void res.end(yml);
    }
    if (path === `/feed/${file}`) {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': body.length,
      });
      return void res.end(body);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('desktop updates from a release feed (electron-updater, Electron mocked)', () => {
  let tmp = '';
  let appImage = '';
  let feed: Feed | null = null;
  const notices: Array<{ title: string; body: string }> = [];
  const log: string[] = [];

  beforeEach(() => {
    tmp = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'updater-'));
    paths.root = tmp;
    const resources = join(tmp, 'resources');
    mkdirSync(resources);
    Object.assign(process, { resourcesPath: resources });
    appImage = join(tmp, 'PipedAI-Orchestrator.AppImage');
    writeFileSync(appImage, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    vi.stubEnv('APPIMAGE', appImage);
    vi.stubEnv('XDG_CACHE_HOME', join(tmp, 'cache'));
    notices.length = 0;
    log.length = 0;
    fakeApp.quit.mockClear();
  });

  afterEach(async () => {
    await feed?.close();
    feed = null;
    vi.unstubAllEnvs();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** app-update.yml, as electron-builder writes it into resources/ for a generic feed. */
  const builtInFeed = (url: string): void =>
    writeFileSync(
      join(tmp, 'resources', 'app-update.yml'),
      `provider: generic\nurl: ${url}\nupdaterCacheDirName: pipedai-orchestrator-updater\n`,
    );

  const facts = (over: Partial<Facts> = {}): Facts => ({
    platform: 'linux',
    isPackaged: true,
    appImage,
    portableExe: undefined,
    packageType: null,
    macSignature: null,
    hasFeed: true,
    ...over,
  });

  function updater(over: { feedUrl?: string | null; facts?: Partial<Facts> } = {}) {
    const events: string[] = [];
    const handedOver = vi.fn(async () => {
      events.push('handover');
    });
    fakeApp.quit.mockImplementation(() => void events.push('quit'));
    const u = createDesktopUpdater({
      version: '0.8.0',
      facts: facts(over.facts),
      feedUrl: over.feedUrl ?? null,
      beforeRestart: handedOver,
      notify: (n) => notices.push(n),
      log: (l) => log.push(l),
    });
    // One entry per state (progress within a download repeats `downloading`).
    u.onChange((s) => void (events.at(-1) !== s.state && events.push(s.state)));
    return { u, events, handedOver };
  }

  it('downloads a newer release in the background; Restart to update hands over, installs and starts it', async () => {
    const marker = join(tmp, 'new-version-started');
    const next = Buffer.from(`#!/bin/sh\necho 0.9.0 > '${marker}'\n`);
    feed = await serveFeed('0.9.0', next);
    builtInFeed(feed.url);
    const { u, events, handedOver } = updater();

    await u.check(false);
    expect(u.view()).toEqual({ state: 'ready', version: '0.9.0' });
    expect(events).toEqual(['checking', 'downloading', 'ready']);
    expect(feed.requests.some((r) => r.startsWith('/feed/latest-linux.yml'))).toBe(true);
    expect(notices).toEqual([expect.objectContaining({ title: 'Update ready' })]);

    await u.restart();
    await waitFor('the app to quit', () => fakeApp.quit.mock.calls.length > 0);
    // The workers are handed over before anything is replaced or the app quits.
    expect(events.slice(3)).toEqual(['restarting', 'handover', 'quit']);
    expect(handedOver).toHaveBeenCalledOnce();
    expect(readFileSync(appImage)).toEqual(next);
    await waitFor('the new version to start', () => existsSync(marker));
    expect(readFileSync(marker, 'utf8').trim()).toBe('0.9.0');
    u.dispose();
  });

  it('offers no downgrade: an older release on the feed (PIPEDAI_UPDATE_URL) is "up to date"', async () => {
    feed = await serveFeed('0.7.1', Buffer.from('#!/bin/sh\nexit 0\n'));
    builtInFeed('http://127.0.0.1:9/unused'); // the environment's feed wins
    const { u } = updater({ feedUrl: feed.url });
    await u.check(true);
    expect(u.view()).toEqual({ state: 'up-to-date' });
    expect(notices.map((n) => n.title)).toEqual(['PipedAI Orchestrator is up to date']);
    expect(feed.requests.every((r) => !r.includes('.AppImage'))).toBe(true);
    await expect(u.restart()).rejects.toThrow(/no update has been downloaded/);
    u.dispose();
  });

  it('a download that fails its checksum is an error, not an update', async () => {
    feed = await serveFeed('0.9.0', Buffer.from('#!/bin/sh\nexit 0\n'), {
      sha512: createHash('sha512').update('something else').digest('base64'),
    });
    builtInFeed(feed.url);
    const { u } = updater();
    await u.check(true);
    expect(u.view().state).toBe('error');
    expect(u.view().message).toMatch(/sha512/i);
    expect(notices.map((n) => n.title)).toEqual(['Update check failed']);
    expect(readFileSync(appImage, 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    u.dispose();
  });

  it('a deb says why it does not update and never asks the feed', async () => {
    feed = await serveFeed('0.9.0', Buffer.from('x'));
    builtInFeed(feed.url);
    const { u } = updater({ facts: { packageType: 'deb', appImage: undefined } });
    await u.check(true);
    expect(u.view()).toMatchObject({
      state: 'unsupported',
      message: expect.stringMatching(/\.deb/),
    });
    expect(feed.requests).toEqual([]);
    await expect(u.restart()).rejects.toThrow(/package manager owns updates/);
    u.dispose();
  });
});
