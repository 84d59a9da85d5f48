// Helpers for the emulator's own tests: a started emulator on a temp state dir with a settable
// clock, a JSON client over real HTTP, and an SSE reader.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiEmulator, type ApiEmulator, type ApiEmulatorOptions } from './index.ts';

export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface TestEmulator {
  emu: ApiEmulator;
  dir: string;
  /** Injected clock: epoch ms the emulator sees; advance with `clock.advance(ms)`. */
  clock: { now: number; advance(ms: number): void };
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Answer>;
  /** Restart on the same state dir (same clock). */
  restart(overrides?: Partial<ApiEmulatorOptions>): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startTestEmulator(
  overrides: Partial<ApiEmulatorOptions> = {},
): Promise<TestEmulator> {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-api-'));
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const options = (extra: Partial<ApiEmulatorOptions>): ApiEmulatorOptions => ({
    port: 0,
    stateDir: join(dir, 'state'),
    deviceIntervalSec: 1,
    now: () => clock.now,
    ...overrides,
    ...extra,
  });
  const t: TestEmulator = {
    emu: await startApiEmulator(options({})),
    dir,
    clock,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...opts.headers,
      };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const res = await fetch(t.emu.url + path, {
        method,
        headers,
        body:
          opts.body === undefined
            ? undefined
            : typeof opts.body === 'string'
              ? opts.body
              : JSON.stringify(opts.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body, headers: res.headers };
    },
    async restart(extra = {}) {
      await t.emu.close();
      t.emu = await startApiEmulator(options(extra));
    },
    async cleanup() {
      await t.emu.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

export interface SseReader {
  status: number;
  headers: Headers;
  /** Everything received so far. */
  text(): string;
  /** Wait until the received text satisfies `ready`; rejects when the stream ends first. */
  until(ready: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  close(): void;
}

export async function openStream(url: string, token?: string): Promise<SseReader> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { headers, signal: abort.signal });
  let buffer = '';
  let done = false;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  void (async () => {
    if (!res.body) {
      done = true;
      return;
    }
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buffer += decoder.decode(value, { stream: true });
        wake();
      }
    } catch {
      // aborted or cut: the stream is over either way
    } finally {
      done = true;
      wake();
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    text: () => buffer,
    close: () => abort.abort(),
    until(ready, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (ready(buffer)) finish(() => resolve(buffer));
          else if (done) finish(() => reject(new Error(`stream ended; got: ${buffer}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`timed out; got: ${buffer}`))),
          timeoutMs,
        );
        const finish = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** `data:` payloads of the complete events in an SSE text, parsed as JSON. */
export function sseEvents(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n\n')
    .slice(0, -1)
    .map((block) =>
      block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n'),
    )
    .filter((data) => data !== '')
    .map((data) => JSON.parse(data) as Record<string, unknown>);
}
