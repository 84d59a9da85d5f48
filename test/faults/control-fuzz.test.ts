// Fault 7: a seeded fuzz of every control route from the command table. Every request carries
// exactly one defect (bad token, Host or Origin; odd method; broken, non-object, wrong-typed or
// oversized body; traversal or odd ids; absurd query values), so each must get a 4xx (a few
// well-formed GETs with odd values may get 200): never a 5xx, never a hang. Half-sent requests
// must be cut off within a bound. Afterwards the daemon answers and nothing was changed.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlClient } from './support/control.ts';
import { startInProcess, type InProcessDaemon } from './support/daemon.ts';
import { createFixture, type Fixture } from './support/fixture.ts';
import { fuzzProbes, type Probe } from './support/fuzz-probes.ts';
import { faultSeed, pick, seededRandom } from './support/random.ts';
import { rawClient, stall, type RawResult } from './support/raw-http.ts';

const REQUESTS = 3_000;
const SEED = faultSeed(7);
const REQUEST_TIMEOUT_MS = 10_000;
/** A half-sent request must be answered or cut off within this. */
const STALL_BOUND_MS = 20_000;

describe('fault: fuzz of every control route', () => {
  let fx: Fixture;
  let daemon: InProcessDaemon | null = null;

  beforeAll(async () => {
    fx = await createFixture({ workers: 2, desiredState: () => 'disabled' });
    daemon = await startInProcess(fx.env());
  });
  afterAll(async () => {
    await daemon?.stop();
    await fx?.cleanup();
  });

  it('answers only 4xx to defective requests, never 5xx, never hangs, and stays up', async () => {
    const d = daemon as InProcessDaemon;
    const port = Number(new URL(d.url).port);
    const token = fx.localToken;
    const random = seededRandom(SEED);
    const host = `127.0.0.1:${port}`;
    const manifestBefore = await readFile(fx.paths.manifest, 'utf8');
    const generators = fuzzProbes({ random, port, token, workerIds: fx.workers.map((w) => w.id) });

    // Half-sent requests, started first: they run while the fuzz does.
    const goodHead = `Host: ${host}\r\nAuthorization: Bearer ${token}\r\n`;
    const stalls = Promise.all([
      stall(port, `GET /api/workers HTTP/1.1\r\nHost: ${host}\r\n`, STALL_BOUND_MS + 5_000),
      stall(
        port,
        `POST /api/workers/x/start HTTP/1.1\r\n${goodHead}Content-Length: 100\r\n\r\n{"a":`,
        STALL_BOUND_MS + 5_000,
      ),
      stall(
        port,
        `POST /api/workers HTTP/1.1\r\n${goodHead}Transfer-Encoding: chunked\r\n\r\n5\r\n{"a":`,
        STALL_BOUND_MS + 5_000,
      ),
      stall(
        port,
        `GET /api/events HTTP/1.1\r\n${goodHead}Upgrade: websocket\r\nConnection: Upgrade\r\n`,
        STALL_BOUND_MS + 5_000,
      ),
      stall(port, 'G', STALL_BOUND_MS + 5_000),
    ]);

    const client = rawClient(port, REQUEST_TIMEOUT_MS);
    const probes = Array.from({ length: REQUESTS }, () => pick(random, generators)());
    const results: Array<{ probe: Probe; result: RawResult }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < probes.length) {
          const probe = probes[next++] as Probe;
          results.push({ probe, result: await client.send(probe.req) });
        }
      }),
    );
    client.close();

    const describeResult = (r: RawResult): string =>
      r.kind === 'answer'
        ? `${r.status} ${r.body.slice(0, 80)}`
        : `${r.kind}${r.kind === 'closed' ? ` ${r.error}` : ''}`;
    const bad = results.filter(({ probe, result }) => {
      if (result.kind === 'answer') return !probe.expect.includes(result.status);
      // A body streamed past the cap may be cut off by the server once it has said 413.
      return !(result.kind === 'closed' && probe.what.startsWith('oversize streamed'));
    });
    expect(
      bad.slice(0, 20).map(({ probe, result }) => `${probe.what} → ${describeResult(result)}`),
    ).toEqual([]);
    expect(results.filter((r) => r.result.kind === 'answer' && r.result.status >= 500)).toEqual([]);

    // WebSocket upgrades with a defect are refused outright.
    for (const [head, want] of [
      [
        `GET /api/events HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        '401',
      ],
      [
        `GET /api/events?token=${token}x HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        '401',
      ],
      [
        `GET /api/other HTTP/1.1\r\n${goodHead}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        '401',
      ],
      [
        `GET /api/events HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${token}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        '403',
      ],
      [
        `GET /api/events HTTP/1.1\r\n${goodHead}Origin: http://evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        '403',
      ],
    ] as const) {
      const r = await stall(port, head, REQUEST_TIMEOUT_MS);
      expect(r.ms).not.toBeNull();
      expect(r.said).toMatch(new RegExp(`^HTTP/1.1 ${want} `));
    }

    for (const s of await stalls) {
      expect(s.ms).not.toBeNull(); // cut off, not left hanging
      expect(s.ms as number).toBeLessThan(STALL_BOUND_MS);
      if (s.said !== '') expect(s.said).toMatch(/^HTTP\/1\.1 4\d\d /);
    }

    // Still up, nothing changed, no internal error.
    const workers = await controlClient(d.url, token).workers();
    expect(workers.map((w) => w.id).sort()).toEqual(fx.workers.map((w) => w.id).sort());
    expect(await readFile(fx.paths.manifest, 'utf8')).toBe(manifestBefore);
    expect(d.log.filter((l) => l.includes('internal error'))).toEqual([]);
    const tally = new Map<string, number>();
    for (const { result } of results) {
      const key = result.kind === 'answer' ? String(result.status) : result.kind;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    console.info(`fuzz: ${results.length} requests (seed ${SEED}):`, Object.fromEntries(tally));
  });
});
