import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait-for.ts';
import WebSocket from 'ws';
import { createEventsHub, type EventsHub } from './events-hub.ts';

interface Rig {
  hub: EventsHub;
  server: Server;
  url: string;
}

let rig: Rig | null = null;

async function startRig(maxBufferedBytes: number): Promise<Rig> {
  const hub = createEventsHub({ maxBufferedBytes });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  rig = { hub, server, url: `ws://127.0.0.1:${port}/` };
  return rig;
}

afterEach(async () => {
  if (!rig) return;
  rig.hub.close();
  rig.server.closeAllConnections();
  await new Promise<void>((resolve) => rig!.server.close(() => resolve()));
  rig = null;
});

/** A client that records every frame; its raw socket is exposed so a test can stop reading. */
async function connect(r: Rig): Promise<{ ws: WebSocket; socket: Socket; frames: unknown[] }> {
  const ws = new WebSocket(r.url);
  const frames: unknown[] = [];
  let socket!: Socket;
  ws.once('upgrade', (res) => (socket = res.socket as Socket));
  ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString())));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // The hub registers the client in its upgrade callback, right before the handshake answer.
  await until(() => r.hub.clientCount() === 1);
  return { ws, socket, frames };
}

const until = (cond: () => boolean): Promise<true> => waitFor('the condition', cond, 20_000, 10);

/** A `logs` frame of `size` lines numbered from n. */
const batch = (n: number, pad: number, size = 1) => ({
  kind: 'logs' as const,
  id: 'w1',
  lines: Array.from({ length: size }, (_, i) => ({
    ts: n + i,
    stream: 'out' as const,
    line: `line ${n + i} ${'x'.repeat(pad)}`,
  })),
});
type Batch = ReturnType<typeof batch>;
const linesOf = (frames: unknown[]): number[] =>
  frames
    .filter((f): f is Batch => (f as { kind: string }).kind === 'logs')
    .flatMap((f) => f.lines.map((l) => l.ts));

describe('events hub', () => {
  it('delivers a burst larger than the buffer cap, sent in one turn, whole and in order', async () => {
    // Frames of one turn are batched into few writes; the batch must not count against the cap
    // meant for slow clients, or a healthy client would lose lines under a log flood.
    const r = await startRig(64 * 1024);
    const client = await connect(r);
    const count = 4000; // ~400 KB in one synchronous burst
    for (let i = 0; i < count; i++) r.hub.broadcast(batch(i, 60));
    await until(() => client.frames.length >= count);
    expect(client.frames.some((f) => (f as { kind: string }).kind === 'dropped')).toBe(false);
    expect(linesOf(client.frames)).toEqual(Array.from({ length: count }, (_, i) => i));
    client.ws.close();
  });

  it('drops frames for a client that stops reading, then tells it how many lines', async () => {
    const r = await startRig(64 * 1024);
    const client = await connect(r);
    client.socket.pause();
    // ~16 MB over many turns: far more than the kernel buffers plus the cap.
    const sent = 16_000;
    for (let i = 0; i < sent; i += 100) {
      for (let j = i; j < i + 100; j += 4) r.hub.broadcast(batch(j, 1000, 4));
      await new Promise((resolve) => setImmediate(resolve));
    }
    client.socket.resume();
    const quiet = async () => {
      let last = -1;
      while (last !== client.frames.length) {
        last = client.frames.length;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    await quiet();
    r.hub.broadcast(batch(sent, 0)); // the next frame after the backlog carries the notice
    await until(() => linesOf(client.frames).includes(sent));
    const notice = client.frames.find((f) => (f as { kind: string }).kind === 'dropped') as
      { dropped: number } | undefined;
    const ts = linesOf(client.frames);
    // Counted in lines, not frames (each frame carried 4).
    expect(notice?.dropped).toBeGreaterThan(0);
    expect(ts.length + notice!.dropped).toBe(sent + 1);
    // What did arrive is in order.
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    client.ws.close();
  });
});
