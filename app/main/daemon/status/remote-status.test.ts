import { describe, expect, it } from 'vitest';
import type { ManifestEntry, RemoteWorker } from '../../../shared/index.ts';
import { createRemoteStatus } from './remote-status.ts';

const entry = (id: string, workspaceId = 'ws_1'): ManifestEntry => ({
  id,
  label: id,
  apiUrl: 'http://api.test',
  workspaceId,
  configPath: `/tmp/${id}.json`,
  mode: 'workspace',
  desiredState: 'enabled',
});

const row = (id: string, disabled: boolean): RemoteWorker => ({
  id,
  status: 'online',
  currentRunId: null,
  version: '1.4.2',
  lastSeenAt: null,
  disabled,
});

/** A workspace list whose answers the test releases one by one; the server state is `disabled`. */
function slowApi() {
  const server = { disabled: true };
  const pending: Array<{ workspaceId: string; answer: () => void }> = [];
  const api = {
    listWorkspaceWorkers: (_url: string, _token: string, workspaceId: string) => {
      // The answer is what the server said when the call was made.
      const snapshot = [row('w1', server.disabled)];
      return new Promise<{ items: RemoteWorker[] }>((resolve) =>
        pending.push({ workspaceId, answer: () => resolve({ items: snapshot }) }),
      );
    },
    listPoolWorkers: async () => ({ items: [] }),
  };
  const credentials = {
    operatorToken: async () => 'hos_x',
    poolReadToken: async () => null,
  };
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return { server, pending, api, credentials, flush };
}

describe('remote status refresh', () => {
  it('a refresh asked while a round runs waits for a round that starts after it', async () => {
    const s = slowApi();
    const remote = createRemoteStatus(s.api, s.credentials);
    const tick = remote.refresh([entry('w1')]); // a poll already under way
    await s.flush();
    expect(s.pending).toHaveLength(1);

    s.server.disabled = false; // a verb changes the server, then refreshes to see it
    let fresh = false;
    const verb = remote.refresh([entry('w1')]).then(() => (fresh = true));
    const other = remote.refresh([entry('w1')]); // callers meanwhile share the queued round
    s.pending.shift()!.answer();
    await tick;
    expect(remote.get('w1')?.disabled).toBe(true); // the old round's (stale) answer
    expect(fresh).toBe(false);

    await s.flush();
    expect(s.pending).toHaveLength(1); // one new round, not one per caller
    s.pending.shift()!.answer();
    await Promise.all([verb, other]);
    expect(remote.get('w1')?.disabled).toBe(false);
  });

  it('the queued round polls the manifest of its latest caller', async () => {
    const s = slowApi();
    const remote = createRemoteStatus(s.api, s.credentials);
    void remote.refresh([entry('w1')]);
    await s.flush();
    const a = remote.refresh([entry('w1')]);
    const b = remote.refresh([entry('w1', 'ws_2')]);
    s.pending.shift()!.answer();
    await s.flush();
    expect(s.pending.map((p) => p.workspaceId)).toEqual(['ws_2']);
    s.pending.shift()!.answer();
    await Promise.all([a, b]);
  });

  it('with no round running, a refresh starts one at once', async () => {
    const s = slowApi();
    const remote = createRemoteStatus(s.api, s.credentials);
    const done = remote.refresh([entry('w1')]);
    await s.flush();
    expect(s.pending).toHaveLength(1);
    s.pending.shift()!.answer();
    await done;
    expect(remote.get('w1')).toMatchObject({ status: 'online', disabled: true });
  });

  it('a failed poll keeps the rows, marked out of date, until a poll succeeds again', async () => {
    let fail = false;
    const api = {
      listWorkspaceWorkers: async () => {
        if (fail) throw new Error('connect ECONNREFUSED');
        return { items: [row('w1', false)] };
      },
      listPoolWorkers: async () => ({ items: [] }),
    };
    const remote = createRemoteStatus(api, {
      operatorToken: async () => 'hos_x',
      poolReadToken: async () => null,
    });
    await remote.refresh([entry('w1')]);
    expect(remote.pollFailing('w1')).toBe(false);
    fail = true;
    await remote.refresh([entry('w1')]);
    expect(remote.get('w1')).toMatchObject({ status: 'online' });
    expect(remote.pollFailing('w1')).toBe(true);
    expect(remote.pollFailing('unknown')).toBe(false);
    fail = false;
    await remote.refresh([entry('w1')]);
    expect(remote.pollFailing('w1')).toBe(false);
  });
});
