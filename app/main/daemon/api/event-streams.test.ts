import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { LastEvent } from '../../../shared/index.ts';
import {
  EventStreams,
  lastEventOf,
  type EventStreamsOptions,
  type StreamState,
} from './event-streams.ts';
import { sleep } from './sleep.ts';
import {
  sendJson,
  startTestServer,
  until,
  type Handler,
  type SeenRequest,
  type TestServer,
} from './test-support.ts';

const TOKEN = 'hos_STREAMSECRET0123456789';

let servers: TestServer[] = [];
let managers: EventStreams[] = [];
afterEach(async () => {
  await Promise.all(managers.map((m) => m.close()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  managers = [];
});

function openSse(res: ServerResponse, first = ': connected\n\n'): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  res.write(first);
}

/** A server plus a manager whose waits are recorded, then shortened to at most 20 ms. */
async function setup(
  handler: Handler,
  opts: Partial<EventStreamsOptions> = {},
  shortenWaits = true,
) {
  const server = await startTestServer(handler);
  servers.push(server);
  const events: [string, LastEvent][] = [];
  const problems: [string, string][] = [];
  const waits: number[] = [];
  const states: StreamState[] = [];
  const streams = new EventStreams({
    onEvent: (id, e) => events.push([id, e]),
    onProblem: (id, m) => problems.push([id, m]),
    onState: (s) => states.push(s),
    policy: {
      initialMs: 10,
      maxMs: 80,
      authRetryMs: 600_000,
      healthyAfterMs: 60_000,
      idleTimeoutMs: 10_000,
    },
    random: () => 1,
    sleep: (ms, signal) => {
      waits.push(ms);
      return sleep(shortenWaits ? Math.min(ms, 20) : ms, signal);
    },
    ...opts,
  });
  managers.push(streams);
  const target = (workerId: string, token = TOKEN) => ({
    workerId,
    apiUrl: `${server.url}/`,
    token,
  });
  const state = (id: string) => streams.states().find((s) => s.workerId === id);
  return { server, streams, events, problems, waits, states, target, state };
}

const streamRequests = (reqs: SeenRequest[], id: string) =>
  reqs.filter((r) => r.url === `/api/v1/workers/${id}/events/stream`);

describe('lastEventOf', () => {
  it('takes type and ts from the data, falling back to the event name, then "event"', () => {
    expect(
      lastEventOf({ event: 'x', data: '{"type":"worker.started","ts":"T"}', id: undefined }),
    ).toEqual({
      type: 'worker.started',
      at: 'T',
    });
    expect(lastEventOf({ event: 'poll.error', data: '{}', id: undefined })).toEqual({
      type: 'poll.error',
      at: '',
    });
    expect(lastEventOf({ event: undefined, data: '{"other":1}', id: undefined })).toEqual({
      type: 'event',
      at: '',
    });
  });

  it('ignores non-JSON data and JSON that is not an event object', () => {
    for (const data of ['hello', '', '[1]', '"s"', '{"type":5}', 'null']) {
      expect(lastEventOf({ event: 'e', data, id: undefined }), data).toBeNull();
    }
  });

  it('bounds what it keeps', () => {
    const out = lastEventOf({
      event: undefined,
      data: JSON.stringify({ type: 't'.repeat(10_000) }),
      id: undefined,
    });
    expect(out!.type).toHaveLength(200);
  });
});

describe('EventStreams', () => {
  it('opens a stream with the contract headers and reports each JSON event', async () => {
    let res: ServerResponse | undefined;
    const h = await setup((_req, r) => {
      openSse(r);
      res = r;
    });
    h.streams.sync([h.target('w1')]);
    await until(() => h.state('w1')?.phase === 'open', 20_000, 'open');
    const [req] = h.server.requests;
    expect(req!.headers).toMatchObject({
      accept: 'text/event-stream',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(req!.headers['user-agent']).toMatch(/^pipedai-orchestrator\//);
    res!.write(
      'event: worker.started\ndata: {"type":"worker.started","ts":"2030-01-01T00:00:00Z"}\n\n',
    );
    res!.write(': keep-alive\n\ndata: not json\n\nevent: poll.error\ndata: {"ts":"T2"}\n\n');
    await until(() => h.events.length === 2, 20_000, 'two events');
    expect(h.events).toEqual([
      ['w1', { type: 'worker.started', at: '2030-01-01T00:00:00Z' }],
      ['w1', { type: 'poll.error', at: 'T2' }],
    ]);
    expect(h.state('w1')!.lastEventAt).toBeTypeOf('number');
    expect(h.state('w1')!.sse).toEqual({
      events: 3,
      comments: 2,
      droppedLines: 0,
      droppedEvents: 0,
    });
  });

  it('drops an oversized event, counts it, and keeps the stream', async () => {
    let res: ServerResponse | undefined;
    const h = await setup(
      (_req, r) => {
        openSse(r);
        res = r;
      },
      { limits: { maxLineLength: 1000, maxEventLength: 100 } },
    );
    h.streams.sync([h.target('w1')]);
    await until(() => h.state('w1')?.phase === 'open', 20_000, 'open');
    res!.write(`data: {"type":"big","pad":"${'x'.repeat(5000)}"}\n\n`);
    res!.write(`data: {"type":"${'y'.repeat(90)}"}\n\ndata: {"type":"small"}\n\n`);
    await until(() => h.events.length === 1, 20_000, 'the small event');
    expect(h.events[0]![1].type).toBe('small');
    expect(h.state('w1')!.sse).toMatchObject({ events: 1, droppedLines: 1, droppedEvents: 2 });
    expect(h.state('w1')!.phase).toBe('open');
  });

  it('reconnects after the server ends the stream, with growing backoff until a healthy connection', async () => {
    const h = await setup((_req, r) => {
      openSse(r);
      r.end();
    });
    h.streams.sync([h.target('w1')]);
    await until(() => h.waits.length >= 5, 20_000, 'five reconnect waits');
    expect(h.waits.slice(0, 5)).toEqual([10, 20, 40, 80, 80]);
    expect(h.state('w1')!.reconnects).toBeGreaterThanOrEqual(4);
    expect(h.state('w1')!.lastError).toBe('event stream ended by the server');
    expect(h.problems).toEqual([]);

    const healthy = await setup(
      (_req, r) => {
        openSse(r);
        r.end();
      },
      { policy: { initialMs: 10, maxMs: 80, healthyAfterMs: 0 } },
    );
    healthy.streams.sync([healthy.target('w1')]);
    await until(() => healthy.waits.length >= 4, 20_000, 'waits');
    expect(healthy.waits.slice(0, 4)).toEqual([10, 10, 10, 10]);
  });

  it('a 404 stops the stream for good and reports it', async () => {
    const h = await setup((_req, r) => sendJson(r, 404, { error: 'not_found' }));
    h.streams.sync([h.target('gone')]);
    await until(() => h.state('gone')?.phase === 'stopped', 20_000, 'stopped');
    expect(h.waits).toEqual([]);
    expect(h.problems).toHaveLength(1);
    expect(h.problems[0]![1]).toContain('404');
    h.streams.sync([h.target('gone')]); // same target: not restarted
    expect(h.state('gone')!.phase).toBe('stopped');
    expect(streamRequests(h.server.requests, 'gone')).toHaveLength(1);
  });

  it('401/403 back off to the long interval, report without the token, and close() cuts the wait', async () => {
    const h = await setup(
      (req, r) => sendJson(r, req.url.includes('w403') ? 403 : 401, { error: `denied ${TOKEN}` }),
      {},
      false,
    );
    h.streams.sync([h.target('w401'), h.target('w403')]);
    await until(
      () => h.problems.length === 2 && h.streams.states().every((s) => s.phase === 'backoff'),
      20_000,
      'backoff',
    );
    expect(h.waits).toEqual([600_000, 600_000]);
    for (const s of h.streams.states()) {
      expect(s.lastError).toMatch(
        /^event stream HTTP 40[13]: the token was rejected; retrying in 10 min$/,
      );
      expect(s.nextAttemptAt).toBeGreaterThan(Date.now() + 500_000);
    }
    expect(JSON.stringify([h.problems, h.streams.states()])).not.toContain(TOKEN);
    await h.streams.close(); // would hang for 10 min if the wait were not aborted
    expect(h.streams.states()).toEqual([]);
  });

  it('reconnects when the stream goes silent past the idle timeout, keep-alives counting as activity', async () => {
    const responses: ServerResponse[] = [];
    const h = await setup(
      (req, r) => {
        if (req.url.includes('quiet'))
          return void r.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
        openSse(r);
        responses.push(r);
      },
      { policy: { initialMs: 10, maxMs: 80, idleTimeoutMs: 300 } },
    );
    const chatter = setInterval(() => responses.forEach((r) => r.write(':\n')), 50);
    try {
      h.streams.sync([h.target('quiet'), h.target('chatty')]);
      await until(
        () => streamRequests(h.server.requests, 'quiet').length >= 3,
        20_000,
        'quiet reconnects',
      );
      expect(h.state('quiet')!.lastError).toBe('event stream silent for 0.3 s');
      expect(streamRequests(h.server.requests, 'chatty')).toHaveLength(1);
      expect(h.state('chatty')!.phase).toBe('open');
    } finally {
      clearInterval(chatter);
    }
  });

  it('a 2xx that is not an event stream is an error, not an open stream', async () => {
    const h = await setup((_req, r) => sendJson(r, 200, { hello: 1 }));
    h.streams.sync([h.target('w1')]);
    await until(() => h.waits.length >= 1, 20_000, 'a wait');
    expect(h.state('w1')!.lastError).toContain('not text/event-stream');
    expect(h.states.some((s) => s.phase === 'open')).toBe(false);
  });

  it('sync starts new streams, closes removed ones and restarts changed ones', async () => {
    const live = new Map<string, ServerResponse>();
    const closed: string[] = [];
    const h = await setup((req, r) => {
      const key = `${req.url.split('/')[4]} ${req.headers.authorization}`;
      openSse(r);
      live.set(key, r);
      r.on('close', () => closed.push(key));
    });
    h.streams.sync([h.target('a'), h.target('b')]);
    await until(
      () => h.streams.states().every((s) => s.phase === 'open') && live.size === 2,
      20_000,
      'two open',
    );

    h.streams.sync([h.target('b'), h.target('c')]);
    await until(() => closed.includes(`a Bearer ${TOKEN}`), 20_000, 'a closed');
    await until(() => h.state('c')?.phase === 'open', 20_000, 'c open');
    expect(
      h.streams
        .states()
        .map((s) => s.workerId)
        .sort(),
    ).toEqual(['b', 'c']);

    const NEW = 'hos_NEWTOKEN0123456789';
    h.streams.sync([h.target('b', NEW), h.target('c')]);
    await until(
      () => closed.includes(`b Bearer ${TOKEN}`) && live.has(`b Bearer ${NEW}`),
      20_000,
      'b restarted',
    );
    expect(streamRequests(h.server.requests, 'c')).toHaveLength(1);

    await h.streams.close();
    await until(() => closed.length === 4, 20_000, 'all closed');
    h.streams.sync([h.target('d')]); // closed for good
    expect(h.streams.states()).toEqual([]);
  });

  it('a throwing onEvent does not take the stream down', async () => {
    let res: ServerResponse | undefined;
    const seen: string[] = [];
    const h = await setup(
      (_req, r) => {
        openSse(r);
        res = r;
      },
      {
        onEvent: (_id, e) => {
          seen.push(e.type);
          throw new Error('consumer bug');
        },
      },
    );
    h.streams.sync([h.target('w1')]);
    await until(() => h.state('w1')?.phase === 'open', 20_000, 'open');
    res!.write('data: {"type":"one"}\n\ndata: {"type":"two"}\n\n');
    await until(() => seen.length === 2, 20_000, 'both events');
    expect(h.state('w1')!.phase).toBe('open');
    expect(streamRequests(h.server.requests, 'w1')).toHaveLength(1);
  });

  it('a refused connection backs off and is retried', async () => {
    const h = await setup(() => {});
    const dead = h.server.url;
    await h.server.close();
    servers = [];
    h.streams.sync([{ workerId: 'w1', apiUrl: dead, token: TOKEN }]);
    await until(() => h.waits.length >= 2, 20_000, 'two waits');
    expect(h.state('w1')!.lastError).toMatch(/^event stream network error: .*ECONNREFUSED/);
  });
});
