// The pipedai-api client (contract §2.2): one method per endpoint the orchestrator calls.
import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';
import type { z } from 'zod';
import {
  errorMessage,
  DeviceStartResponse,
  PoolWorkersResponse,
  RedeemResponse,
  RegistrationTokenResponse,
  ReleasesResponse,
  WorkspaceWorkersResponse,
  normalizeApiUrl,
  type Probe,
  type RedeemRequest,
  type RemoteWorker,
} from '../../../shared/index.ts';
import { ApiError, safeText } from './errors.ts';
import { USER_AGENT, callJson, type HttpMethod, type Transport } from './request.ts';
import { sleep as realSleep, type Sleep } from './sleep.ts';

export interface ApiTimeouts {
  /** Every JSON call (contract: 30 s). */
  jsonMs: number;
  /** releases/latest (10 s). */
  releasesMs: number;
  /** health and other probes (5 s). */
  healthMs: number;
}

export const DEFAULT_TIMEOUTS: ApiTimeouts = {
  jsonMs: 30_000,
  releasesMs: 10_000,
  healthMs: 5_000,
};

export interface ApiClientOptions {
  /** A got instance to use (e.g. with the caller's agents); by default one with keep-alive agents. */
  got?: Got;
  timeouts?: Partial<ApiTimeouts>;
  /** Delays before the retries of a GET that failed transiently (network, 5xx, 408, 429). */
  getRetryDelaysMs?: readonly number[];
  /** Most pages of the workspace list followed in one call. */
  maxPages?: number;
  maxBodyBytes?: number;
  sleep?: Sleep;
  /** Monotonic milliseconds, for probe latency. */
  now?: () => number;
  /** Told each failed JSON call: its endpoint class (never its path) and the failure kind. */
  onCallFailed?: (endpoint: EndpointClass, kind: string) => void;
}

/** What a call is for, in a word: the metrics' label (a path would carry ids). */
export type EndpointClass =
  'enrollment' | 'registration' | 'workers' | 'lifecycle' | 'releases' | 'other';

export function endpointClass(method: HttpMethod, path: string): EndpointClass {
  if (path.includes('/enrollments')) return 'enrollment';
  if (path.includes('/registration-token')) return 'registration';
  if (path.includes('/releases')) return 'releases';
  if (method === 'DELETE' || /\/(?:disable|enable)$/.test(path)) return 'lifecycle';
  if (path.includes('/workers')) return 'workers';
  return 'other';
}

/** Which lifecycle endpoints a worker uses: workspace ones, or the platform-admin pool ones. */
export type WorkerTarget =
  { mode: 'workspace'; workspaceId: string; workerId: string } | { mode: 'pool'; workerId: string };

export interface WorkerList {
  items: RemoteWorker[];
  /** False when the page cap stopped pagination (or the cursor looped): absent rows may exist. */
  complete: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
}

const enc = encodeURIComponent;

export class ApiClient {
  private readonly transport: Transport;
  private readonly timeouts: ApiTimeouts;
  private readonly getRetryDelaysMs: readonly number[];
  private readonly maxPages: number;
  private readonly now: () => number;
  private readonly ownAgents: { http: http.Agent; https: https.Agent } | null;
  private readonly onCallFailed: ApiClientOptions['onCallFailed'];

  constructor(opts: ApiClientOptions = {}) {
    let instance = opts.got;
    if (instance) {
      this.ownAgents = null;
    } else {
      this.ownAgents = {
        http: new http.Agent({ keepAlive: true }),
        https: new https.Agent({ keepAlive: true }),
      };
      instance = got.extend({ agent: this.ownAgents });
    }
    this.transport = {
      got: instance,
      sleep: opts.sleep ?? realSleep,
      maxBodyBytes: opts.maxBodyBytes ?? 8 * 1024 * 1024,
    };
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    this.getRetryDelaysMs = opts.getRetryDelaysMs ?? [500, 2_000];
    this.maxPages = opts.maxPages ?? 20;
    this.now = opts.now ?? (() => performance.now());
    this.onCallFailed = opts.onCallFailed;
  }

  /** The got instance, shared with the event streams so they use the same agents. */
  get http(): Got {
    return this.transport.got;
  }

  deviceStart(
    apiUrl: string,
    opts: { label?: string } & CallOptions = {},
  ): Promise<DeviceStartResponse> {
    return this.post(apiUrl, '/api/v1/enrollments/device', {
      body: { label: opts.label },
      schema: DeviceStartResponse,
      signal: opts.signal,
    });
  }

  /** Flow A (`code`) or one poll of flow B (`deviceCode`); never retried. */
  redeem(apiUrl: string, body: RedeemRequest, opts: CallOptions = {}): Promise<RedeemResponse> {
    const secret = 'code' in body ? body.code : body.deviceCode;
    return this.post(apiUrl, '/api/v1/enrollments/redeem', {
      body,
      schema: RedeemResponse,
      secrets: [secret],
      signal: opts.signal,
    });
  }

  mintRegistrationToken(
    apiUrl: string,
    operatorToken: string,
    workspaceId: string,
    opts: { label?: string } = {},
  ): Promise<RegistrationTokenResponse> {
    return this.post(apiUrl, `/api/v1/workspaces/${enc(workspaceId)}/workers/registration-token`, {
      token: operatorToken,
      body: { label: opts.label },
      schema: RegistrationTokenResponse,
    });
  }

  /** Follows `nextCursor` (as `?cursor=`) for at most `maxPages` pages. */
  async listWorkspaceWorkers(
    apiUrl: string,
    operatorToken: string,
    workspaceId: string,
  ): Promise<WorkerList> {
    const path = `/api/v1/workspaces/${enc(workspaceId)}/workers`;
    const items: RemoteWorker[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < this.maxPages; page++) {
      const res: WorkspaceWorkersResponse = await this.get(apiUrl, path, {
        token: operatorToken,
        schema: WorkspaceWorkersResponse,
        query: cursor === null ? undefined : { cursor },
      });
      items.push(...res.items);
      cursor = res.nextCursor;
      if (cursor === null || cursor === '') return { items, complete: true };
      if (seen.has(cursor)) return { items, complete: false };
      seen.add(cursor);
    }
    return { items, complete: false };
  }

  async listPoolWorkers(apiUrl: string, popToken: string): Promise<WorkerList> {
    const res = await this.get(apiUrl, '/api/v1/pool-workers', {
      token: popToken,
      schema: PoolWorkersResponse,
    });
    return { items: res.items, complete: true };
  }

  async disableWorker(apiUrl: string, token: string, target: WorkerTarget): Promise<void> {
    await this.post(apiUrl, `${lifecyclePath(target)}/disable`, { token });
  }

  async enableWorker(apiUrl: string, token: string, target: WorkerTarget): Promise<void> {
    await this.post(apiUrl, `${lifecyclePath(target)}/enable`, { token });
  }

  /** 404 means the worker is already gone: not an error. */
  async deleteWorker(
    apiUrl: string,
    token: string,
    target: WorkerTarget,
  ): Promise<'deleted' | 'already-gone'> {
    try {
      await this.send('DELETE', apiUrl, lifecyclePath(target), { token });
      return 'deleted';
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'http' && e.status === 404) return 'already-gone';
      throw e;
    }
  }

  async poolSelfDisable(apiUrl: string, workerToken: string, workerId: string): Promise<void> {
    await this.post(apiUrl, `/api/v1/pool-workers/${enc(workerId)}/self-disable`, {
      token: workerToken,
    });
  }

  /** 404 is tolerated (contract §2.2): the worker no longer exists server-side. */
  async poolSelfEnable(
    apiUrl: string,
    workerToken: string,
    workerId: string,
  ): Promise<'enabled' | 'not-found'> {
    try {
      await this.post(apiUrl, `/api/v1/pool-workers/${enc(workerId)}/self-enable`, {
        token: workerToken,
      });
      return 'enabled';
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'http' && e.status === 404) return 'not-found';
      throw e;
    }
  }

  releasesLatest(apiUrl: string): Promise<ReleasesResponse> {
    return this.get(apiUrl, '/api/v1/releases/latest', {
      schema: ReleasesResponse,
      timeoutMs: this.timeouts.releasesMs,
    });
  }

  /** Reachability of `{apiUrl}/api/v1/health`: ok iff 2xx; redirects are not followed. Never throws. */
  health(apiUrl: string): Promise<Probe> {
    return this.probe(`${normalizeApiUrl(apiUrl)}/api/v1/health`);
  }

  /** The health probe plus the server's Date header, for a clock comparison (`doctor`). */
  async healthAndDate(apiUrl: string): Promise<{ probe: Probe; serverDate: string | null }> {
    let serverDate: string | null = null;
    const probe = await this.probe(`${normalizeApiUrl(apiUrl)}/api/v1/health`, undefined, (h) => {
      const d = h.date;
      serverDate = typeof d === 'string' ? d : null;
    });
    return { probe, serverDate };
  }

  /** GET `url` and report only its status and time to headers (the body is never read). Never throws. */
  probe(
    url: string,
    timeoutMs = this.timeouts.healthMs,
    onHeaders?: (headers: Record<string, string | string[] | undefined>) => void,
  ): Promise<Probe> {
    const started = this.now();
    return new Promise<Probe>((resolve) => {
      const failed = (e: unknown): void =>
        resolve({
          ok: false,
          latencyMs: null,
          status: null,
          error: safeText(errorMessage(e), []),
        });
      try {
        const stream = this.transport.got.stream(url, {
          headers: { accept: '*/*', 'user-agent': USER_AGENT },
          timeout: { request: timeoutMs },
          followRedirect: false,
          throwHttpErrors: false,
          retry: { limit: 0 },
        });
        stream.on('error', failed);
        stream.once(
          'response',
          (res: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
            const status = res.statusCode;
            const ok = status >= 200 && status < 300;
            onHeaders?.(res.headers);
            stream.destroy();
            resolve({
              ok,
              latencyMs: Math.round(this.now() - started),
              status,
              ...(ok ? {} : { error: `HTTP ${status}` }),
            });
          },
        );
      } catch (e) {
        failed(e);
      }
    });
  }

  /** Frees the keep-alive sockets of the agents this client created. */
  close(): void {
    this.ownAgents?.http.destroy();
    this.ownAgents?.https.destroy();
  }

  private get<T>(
    apiUrl: string,
    path: string,
    o: {
      token?: string;
      schema: z.ZodType<T>;
      query?: Record<string, string> | undefined;
      timeoutMs?: number;
    },
  ): Promise<T> {
    return this.counted(
      'GET',
      path,
      callJson(this.transport, {
        method: 'GET',
        baseUrl: normalizeApiUrl(apiUrl),
        path,
        token: o.token,
        schema: o.schema,
        query: o.query,
        timeoutMs: o.timeoutMs ?? this.timeouts.jsonMs,
        retryDelaysMs: this.getRetryDelaysMs,
      }),
    );
  }

  private post<T>(apiUrl: string, path: string, o: SendOptions<T>): Promise<T> {
    return this.send('POST', apiUrl, path, o);
  }

  /** Non-idempotent calls: never retried. */
  private send<T>(method: HttpMethod, apiUrl: string, path: string, o: SendOptions<T>): Promise<T> {
    return this.counted(
      method,
      path,
      callJson(this.transport, {
        method,
        baseUrl: normalizeApiUrl(apiUrl),
        path,
        token: o.token,
        body: o.body,
        schema: o.schema,
        secrets: o.secrets,
        signal: o.signal,
        timeoutMs: this.timeouts.jsonMs,
        retryDelaysMs: [],
      }),
    );
  }

  private async counted<T>(method: HttpMethod, path: string, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (e) {
      const kind = e instanceof ApiError ? e.kind : 'internal';
      this.onCallFailed?.(endpointClass(method, path), kind);
      throw e;
    }
  }
}

interface SendOptions<T> {
  token?: string;
  body?: unknown;
  schema?: z.ZodType<T>;
  secrets?: string[];
  signal?: AbortSignal | undefined;
}

function lifecyclePath(target: WorkerTarget): string {
  return target.mode === 'pool'
    ? `/api/v1/admin/pool-workers/${enc(target.workerId)}`
    : `/api/v1/workspaces/${enc(target.workspaceId)}/workers/${enc(target.workerId)}`;
}
