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
  let reads = 0;
  const credentials = {
    operatorToken: async () => {
      reads++;
      return 'hos_x';
    },
    poolReadToken: async () => null,
  };
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return { server, pending, api, credentials, flush, tokenReads: () => reads };
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

    // Once that round has ended, the next refresh starts its own before it even returns (its
    // token is being read), rather than queueing behind the finished one.
    const before = s.tokenReads();
    const again = remote.refresh([entry('w1')]);
    expect(s.tokenReads()).toBe(before + 1);
    await s.flush();
    s.pending.shift()!.answer();
    await again;
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

describe('remote status environments', () => {
  const poolEntry = (id: string): ManifestEntry => ({
    ...entry(id),
    mode: 'pool',
    workspaceId: null,
  });

  it('polls a pool with its read token, one list per environment, and skips one without a token', async () => {
    const asked: string[] = [];
    let poolToken: string | null = 'pwk_read';
    const remote = createRemoteStatus(
      {
        listWorkspaceWorkers: async (url, _t, ws) => {
          asked.push(`ws ${url} ${ws}`);
          return { items: [row('w1', false)] };
        },
        listPoolWorkers: async (url, token) => {
          asked.push(`pool ${url} ${token}`);
          return { items: [row('p1', true), row('p2', false)] };
        },
      },
      { operatorToken: async () => 'hos_x', poolReadToken: async () => poolToken },
    );
    await remote.refresh([entry('w1'), entry('w2'), poolEntry('p1'), poolEntry('p2')]);
    expect(asked.sort()).toEqual(['pool http://api.test pwk_read', 'ws http://api.test ws_1']);
    expect(remote.get('p1')?.disabled).toBe(true);
    expect(remote.get('p2')?.disabled).toBe(false);
    expect(remote.get('w1')?.disabled).toBe(false);
    expect(remote.get('nope')).toBeNull();

    // Without a token the pool is not asked, and its previous rows stay.
    poolToken = null;
    asked.length = 0;
    await remote.refresh([poolEntry('p1')]);
    expect(asked).toEqual([]);
    expect(remote.get('p1')?.disabled).toBe(true);
    // An environment no longer in the manifest is forgotten.
    expect(remote.get('w1')).toBeNull();
  });

  it('a pool entry is polled as a pool even when it still names a workspace; each API its own pool', async () => {
    const asked: string[] = [];
    const remote = createRemoteStatus(
      {
        listWorkspaceWorkers: async (url, _t, ws) => {
          asked.push(`ws ${url} ${ws}`);
          return { items: [] };
        },
        listPoolWorkers: async (url) => {
          asked.push(`pool ${url}`);
          return { items: [row(url === 'http://api.test' ? 'p1' : 'p2', false)] };
        },
      },
      { operatorToken: async () => 'hos_x', poolReadToken: async () => 'pwk_read' },
    );
    await remote.refresh([
      { ...poolEntry('p1'), workspaceId: 'ws_1' },
      { ...poolEntry('p2'), apiUrl: 'http://other.test' },
    ]);
    expect(asked.sort()).toEqual(['pool http://api.test', 'pool http://other.test']);
    expect(remote.get('p1')).not.toBeNull();
    expect(remote.get('p2')).not.toBeNull();
  });

  it('retain forgets the rows of workers no longer managed, keeps the others', async () => {
    const s = slowApi();
    const remote = createRemoteStatus(
      {
        ...s.api,
        listWorkspaceWorkers: async () => ({ items: [row('w1', false), row('w2', true)] }),
      },
      s.credentials,
    );
    await remote.refresh([entry('w1'), entry('w2')]);
    remote.retain(new Set(['w2']));
    expect(remote.get('w1')).toBeNull();
    expect(remote.get('w2')?.disabled).toBe(true);
  });

  it('a workspace entry without a workspace id is not polled; each workspace is its own list', async () => {
    const asked: string[] = [];
    const remote = createRemoteStatus(
      {
        listWorkspaceWorkers: async (_url, _t, ws) => {
          asked.push(ws);
          return { items: [row(ws === 'ws_1' ? 'a' : 'b', ws === 'ws_2')] };
        },
        listPoolWorkers: async () => {
          asked.push('pool');
          return { items: [] };
        },
      },
      // A pool token exists: the entry without a workspace is still not asked for as a pool.
      { operatorToken: async () => 'hos_x', poolReadToken: async () => 'pwk_read' },
    );
    await remote.refresh([
      entry('a', 'ws_1'),
      entry('b', 'ws_2'),
      { ...entry('c'), workspaceId: null },
    ]);
    expect(asked.sort()).toEqual(['ws_1', 'ws_2']);
    expect(remote.get('a')?.disabled).toBe(false);
    expect(remote.get('b')?.disabled).toBe(true);
  });

  it('without an operator token the workspace is not asked and its rows stay', async () => {
    let token: string | null = 'hos_x';
    let calls = 0;
    const remote = createRemoteStatus(
      {
        listWorkspaceWorkers: async () => {
          calls++;
          return { items: [row('w1', calls > 1)] };
        },
        listPoolWorkers: async () => ({ items: [] }),
      },
      { operatorToken: async () => token, poolReadToken: async () => null },
    );
    await remote.refresh([entry('w1')]);
    token = null;
    await remote.refresh([entry('w1')]);
    expect(calls).toBe(1);
    expect(remote.get('w1')?.disabled).toBe(false);
  });
});
