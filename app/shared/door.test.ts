// The door core and the answer decoder: what every door and every HTTP client share.
import { describe, expect, it } from 'vitest';
import {
  CommandError,
  callThroughDoor,
  decodeAnswer,
  dispatchCommand,
  forwardingHandlers,
  type CommandHandlers,
} from './index.ts';

const handlers = (stop: () => Promise<unknown>): CommandHandlers =>
  forwardingHandlers(async (name) => {
    if (name === 'stopWorker') return (await stop()) as never;
    return { items: [] } as never;
  });

describe('dispatchCommand', () => {
  it('answers the output with the route status, after parsing the input', async () => {
    const seen: unknown[] = [];
    const h = forwardingHandlers(async (_name, input) => {
      seen.push(input);
      return { items: [] } as never;
    });
    expect(await dispatchCommand(h, 'getLogs', { id: 'w', tail: '99999' })).toEqual({
      ok: true,
      status: 200,
      value: { items: [] },
    });
    expect(seen).toEqual([{ id: 'w', tail: 2000 }]);
  });

  it('refuses an unknown name and bad input with the field, before any handler runs', async () => {
    const h = handlers(async () => expect.unreachable());
    expect(await dispatchCommand(h, 'rmRf', {})).toMatchObject({
      ok: false,
      status: 400,
      error: { code: 'bad-request', field: 'name' },
    });
    expect(await dispatchCommand(h, 'stopWorker', { id: '' })).toMatchObject({
      ok: false,
      status: 400,
      error: { code: 'bad-request', field: 'id' },
    });
  });

  it("keeps a CommandError's code, scrubs tokens, and answers a bug blandly", async () => {
    const leak = handlers(async () => {
      throw new CommandError('conflict', 'busy with wkt_abcdefghijkl', 'id');
    });
    expect(await dispatchCommand(leak, 'stopWorker', { id: 'w' })).toEqual({
      ok: false,
      status: 409,
      error: { code: 'conflict', error: 'busy with wkt_a…', field: 'id' },
    });
    const bugs: string[] = [];
    const bug = handlers(async () => {
      throw new TypeError('x is undefined');
    });
    expect(await dispatchCommand(bug, 'stopWorker', { id: 'w' }, (_e, n) => bugs.push(n))).toEqual({
      ok: false,
      status: 500,
      error: { code: 'internal', error: 'internal error' },
    });
    expect(bugs).toEqual(['stopWorker']);
    await expect(callThroughDoor(bug)('stopWorker', { id: 'w' })).rejects.toMatchObject({
      code: 'internal',
    });
  });
});

describe('decodeAnswer', () => {
  it('returns the output checked against the contract', () => {
    expect(decodeAnswer('listWorkers', 200, '{"items":[]}')).toEqual({ items: [] });
    expect(() => decodeAnswer('listWorkers', 200, '{"items":3}')).toThrow(/did not match/);
    expect(() => decodeAnswer('listWorkers', 200, '<html>')).toThrow(/not JSON/);
  });

  it('reads an error body, else the status: a 404 without a code is not-found', () => {
    const err = (status: number, text: string) => {
      try {
        decodeAnswer('getSelf', status, text);
      } catch (e) {
        return e;
      }
    };
    expect(err(409, '{"error":"in flight","code":"conflict","field":"id"}')).toMatchObject({
      code: 'conflict',
      message: 'in flight',
      field: 'id',
    });
    expect(err(404, '{"error":"Not found"}')).toMatchObject({ code: 'not-found' });
    expect(err(502, 'Bad Gateway')).toMatchObject({ code: 'upstream', message: 'HTTP 502' });
    expect(err(418, '')).toMatchObject({ code: 'internal' });
  });
});
