// Talking to the control API as an operator would: JSON over loopback HTTP with the bearer token,
// the WebSocket event stream, and polling waits.
import WebSocket from 'ws';
import { z } from 'zod';
import { EventFrame, FusedWorker } from '../../../app/shared/index.ts';

export interface Answer {
  status: number;
  body: unknown;
  text: string;
}

/** Every answer a test read (the token scan reads them too). */
export const answers: string[] = [];

export function controlClient(url: string, token: string) {
  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    answers.push(text);
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: left null
    }
    return { status: res.status, body: json, text };
  }
  return {
    call,
    async workers(): Promise<FusedWorker[]> {
      const a = await call('GET', '/api/workers');
      if (a.status !== 200) throw new Error(`GET /api/workers → ${a.status} ${a.text}`);
      return z.object({ items: z.array(FusedWorker) }).parse(a.body).items;
    },
  };
}

export type ControlClient = ReturnType<typeof controlClient>;

import { waitFor } from '../../support/wait-for.ts';

export { waitFor };

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface FrameLog {
  /** Frames in arrival order, with the local receive time. */
  readonly frames: Array<{ at: number; frame: EventFrame }>;
  close(): void;
}

/** Subscribe to /api/events; resolves once the socket is open. */
export async function subscribeFrames(url: string, token: string): Promise<FrameLog> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/events`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const frames: FrameLog['frames'] = [];
  ws.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    answers.push(text);
    const parsed = EventFrame.safeParse(JSON.parse(text));
    if (parsed.success) frames.push({ at: Date.now(), frame: parsed.data });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { frames, close: () => ws.terminate() };
}
