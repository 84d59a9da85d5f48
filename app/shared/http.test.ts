// How a command travels over HTTP for every client (CLI, browser dashboard): the request each
// command makes, and how any answer (ours, a proxy's, an older daemon's) comes back.
import { describe, expect, it } from 'vitest';
import { CommandError } from './errors.ts';
import { commands } from './commands.ts';
import { decodeAnswer, decodeOutput, errorFromAnswer, httpRequestFor } from './http.ts';

const thrown = (fn: () => unknown): CommandError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof CommandError) return e;
    throw e;
  }
  throw new Error('expected a CommandError');
};

describe('httpRequestFor', () => {
  it('fills the route from the input, encoded, and puts the rest of a GET in the query', () => {
    expect(
      httpRequestFor('getRunEvents', { id: 'w 1', runId: 'r/1', after: 5, tail: undefined }),
    ).toEqual({
      method: 'GET',
      url: '/api/workers/w%201/runs/r%2F1/events?after=5',
      body: undefined,
      successStatus: commands.getRunEvents.status,
    });
    // No query left: no `?`.
    expect(httpRequestFor('listWorkers', {}).url).toBe('/api/workers');
  });

  it('sends the rest of any other method as a JSON body, and none when nothing is left', () => {
    expect(
      httpRequestFor('buildWorker', { apiUrl: 'https://api.example', label: undefined }),
    ).toEqual({
      method: 'POST',
      url: '/api/workers',
      body: '{"apiUrl":"https://api.example"}',
      successStatus: 201,
    });
    expect(httpRequestFor('startWorker', { id: 'w1' })).toEqual({
      method: 'POST',
      url: '/api/workers/w1/start',
      body: undefined,
      successStatus: commands.startWorker.status,
    });
    expect(httpRequestFor('deleteWorker', { id: 'w1' }).method).toBe('DELETE');
    // An option left undefined is no body either (a plain stop, not `{}`).
    expect(httpRequestFor('stopWorker', { id: 'w1', force: undefined }).body).toBeUndefined();
    expect(httpRequestFor('stopWorker', { id: 'w1', force: true }).body).toBe('{"force":true}');
  });

  it('leaves a missing route parameter empty rather than writing "undefined" into the path', () => {
    expect(httpRequestFor('startWorker', {} as { id: string }).url).toBe('/api/workers//start');
  });
});

describe('errorFromAnswer', () => {
  it('reads the code of a status whose body carries none of ours (a proxy, an older daemon)', () => {
    const byStatus: Record<number, string> = {
      400: 'bad-request',
      401: 'unauthorized',
      403: 'forbidden',
      404: 'not-found',
      409: 'conflict',
      412: 'precondition',
      413: 'bad-request',
      500: 'internal',
      502: 'upstream',
      503: 'unavailable',
      418: 'internal',
    };
    for (const [status, code] of Object.entries(byStatus)) {
      for (const body of [undefined, null, 'Bad Gateway', { error: 7 }]) {
        const e = errorFromAnswer(Number(status), body);
        expect(e, `${status} ${JSON.stringify(body)}`).toBeInstanceOf(CommandError);
        expect(e.code, `${status} ${JSON.stringify(body)}`).toBe(code);
        expect(e.message).toBe(`HTTP ${status}`);
        expect(e.field).toBeUndefined();
      }
    }
  });

  it('reads a code only when it is one of ours as a string (not a list holding one)', () => {
    expect(errorFromAnswer(400, { error: 'no', code: ['conflict'] }).code).toBe('bad-request');
    expect(errorFromAnswer(500, { error: 'no', code: 409 }).code).toBe('internal');
  });

  it('keeps our own body: its code over the status, its message, its field', () => {
    const e = errorFromAnswer(500, { error: 'already stopping', code: 'conflict', field: 'id' });
    expect(e).toMatchObject({ code: 'conflict', message: 'already stopping', field: 'id' });
    expect(e.name).toBe('CommandError');
    // An unknown code, an empty message or a field that is not a string are not ours.
    expect(errorFromAnswer(404, { error: '', code: 'gone', field: 3 })).toMatchObject({
      code: 'not-found',
      message: 'HTTP 404',
      field: undefined,
    });
  });
});

describe('decodeAnswer', () => {
  it('returns the output of a 2xx answer, checked against the contract', () => {
    expect(decodeAnswer('listWorkers', 200, '{"items":[]}')).toEqual({ items: [] });
    expect(decodeAnswer('buildWorker', 201, '{"id":"w1"}')).toEqual({ id: 'w1' });
  });

  it('throws the error an answer outside 2xx stands for, whatever its body', () => {
    for (const status of [199, 300, 404]) {
      const e = thrown(() => decodeAnswer('listWorkers', status, '{"items":[]}'));
      expect(e.message, String(status)).toBe(`HTTP ${status}`);
    }
    expect(
      thrown(() => decodeAnswer('startWorker', 409, '{"error":"busy","code":"conflict"}')),
    ).toMatchObject({ code: 'conflict', message: 'busy' });
    // A proxy's HTML page, an empty body.
    expect(
      thrown(() => decodeAnswer('listWorkers', 502, '<html>Bad Gateway</html>')),
    ).toMatchObject({ code: 'upstream', message: 'HTTP 502' });
    expect(thrown(() => decodeAnswer('listWorkers', 503, ''))).toMatchObject({
      code: 'unavailable',
      message: 'HTTP 503',
    });
  });

  it('names a 2xx answer that is not JSON, or JSON the contract does not allow, as upstream', () => {
    expect(thrown(() => decodeAnswer('listWorkers', 200, 'OK'))).toMatchObject({
      code: 'upstream',
      message: "the orchestrator's answer to listWorkers was not JSON",
    });
    // An empty body is no JSON value at all: the contract, not the parser, refuses it.
    const empty = thrown(() => decodeAnswer('listWorkers', 200, ''));
    expect(empty.code).toBe('upstream');
    expect(empty.message).toMatch(
      /^the orchestrator's answer to listWorkers did not match the contract \(/,
    );
    const e = thrown(() => decodeOutput('listWorkers', { items: 'none' }));
    expect(e.code).toBe('upstream');
    expect(e.message).toContain('items');
  });
});
