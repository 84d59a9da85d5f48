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

const line = (n: number, pad: number) => ({
  kind: 'log' as const,
  id: 'w1',
  ts: n,
  stream: 'out' as const,
  line: `line ${n} ${'x'.repeat(pad)}`,
});

describe('events hub', () => {
  it('delivers a burst larger than the buffer cap, sent in one turn, whole and in order', async () => {
    // Frames of one turn are batched into few writes; the batch must not count against the cap
    // meant for slow clients, or a healthy client would lose lines under a log flood.
    const r = await startRig(64 * 1024);
    const client = await connect(r);
    const count = 4000; // ~400 KB in one synchronous burst
    for (let i = 0; i < count; i++) r.hub.broadcast(line(i, 60));
    await until(() => client.frames.length >= count);
    expect(client.frames.some((f) => (f as { kind: string }).kind === 'dropped')).toBe(false);
    expect(client.frames.map((f) => (f as { ts: number }).ts)).toEqual(
      Array.from({ length: count }, (_, i) => i),
    );
    client.ws.close();
  });

  it('drops frames for a client that stops reading, then tells it how many', async () => {
    const r = await startRig(64 * 1024);
    const client = await connect(r);
    client.socket.pause();
    // ~16 MB over many turns: far more than the kernel buffers plus the cap.
    const sent = 16_000;
    for (let i = 0; i < sent; i += 100) {
      for (let j = i; j < i + 100; j++) r.hub.broadcast(line(j, 1000));
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
    r.hub.broadcast(line(sent, 0)); // the next frame after the backlog carries the notice
    await until(() => client.frames.some((f) => (f as { ts?: number }).ts === sent));
    const notice = client.frames.find((f) => (f as { kind: string }).kind === 'dropped') as
      { dropped: number } | undefined;
    const logs = client.frames.filter((f) => (f as { kind: string }).kind === 'log');
    expect(notice?.dropped).toBeGreaterThan(0);
    expect(logs.length + notice!.dropped).toBe(sent + 1);
    // What did arrive is in order.
    const ts = logs.map((f) => (f as { ts: number }).ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    client.ws.close();
  });
});
