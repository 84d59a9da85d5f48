// The worker-facing endpoints of sandbox/protocol.ts (our design; the contract does not cover
// how pipedai-worker talks to pipedai-api). All but register take the worker's own `wkt_`.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AuthMode } from '../../app/shared/index.ts';
import {
  FinishRunRequest,
  WORKER_VERSION_HEADER,
  WorkerLifecycleRequest,
  WorkerRegisterRequest,
  type ClaimedRun,
} from '../protocol.ts';
import type { Core } from './core.ts';
import { ApiError, parseBody, parseField, unauthorized } from './errors.ts';
import type { Route } from './router.ts';
import type { Handler } from './server.ts';
import { ensureWorkspace, type Worker } from './state.ts';

const VersionHeader = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII only');
const MAX_ERROR_CHARS = 2000;
const RegisterAuthMode = z
  .enum(['claude-max', 'api-key', 'claude_max', 'api_key'])
  .transform((m): AuthMode =>
    m === 'claude-max' || m === 'claude_max' ? 'claude_max' : 'api_key',
  );

export function workerRoutes(core: Core): Route<Handler>[] {
  const workerOf = (req: IncomingMessage): Worker => {
    const token = core.tokens.authenticate(req, ['wkt']);
    const worker = token.workerId === null ? undefined : core.workers.live(token.workerId);
    if (!worker) throw unauthorized('this worker was deregistered');
    return worker;
  };

  return [
    {
      method: 'POST',
      path: '/api/v1/worker/register',
      handler: async ({ body }) => {
        const request = parseBody(WorkerRegisterRequest, await body());
        const authMode =
          request.authMode === undefined
            ? undefined
            : parseField(RegisterAuthMode, request.authMode, 'authMode');
        const version =
          request.version === undefined
            ? null
            : parseField(VersionHeader, request.version, 'version');
        const token = core.tokens.find(request.token);
        if (!token || token.revokedAt !== null) {
          throw new ApiError(401, 'invalid_token', { message: 'unknown registration token' });
        }
        if (token.kind !== (request.pool ? 'pool' : 'wrk')) {
          throw new ApiError(403, 'wrong_token_kind', {
            message: request.pool
              ? 'pool workers register with a pool_ token'
              : 'workspace workers register with a wrk_ token',
          });
        }
        if (token.consumedAt !== null) throw new ApiError(409, 'token_consumed');
        if (core.tokens.isExpired(token)) throw new ApiError(410, 'token_expired');
        token.consumedAt = core.now();
        const workspaceId = request.pool ? null : token.workspaceId;
        const workspaceMode =
          workspaceId === null
            ? 'claude_max'
            : ensureWorkspace(core.model, workspaceId, core.now()).authMode;
        const { worker, workerToken } = core.workers.register({
          workspaceId,
          pool: request.pool,
          hostname: request.hostname,
          authMode: authMode ?? workspaceMode,
          label: token.label,
          version,
        });
        return {
          status: 200,
          body: {
            workerId: worker.id,
            workerToken,
            apiUrl: core.url(),
            workspaceId: worker.workspaceId,
            isPool: worker.pool,
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/worker/heartbeat',
      handler: async ({ req, body }) => {
        const worker = workerOf(req);
        await body(); // any body is ignored, but it must be valid JSON
        const header = req.headers[WORKER_VERSION_HEADER];
        const version =
          header === undefined
            ? undefined
            : parseField(VersionHeader, header, WORKER_VERSION_HEADER);
        core.workers.heartbeat(worker, version);
        return { status: 200, body: { ok: true, disabled: worker.disabled } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/worker/claim',
      handler: ({ req }) => {
        const run = core.runs.claim(workerOf(req));
        const claimed: ClaimedRun | null = run && {
          runId: run.id,
          prompt: run.prompt,
          durationMs: run.durationMs,
          events: run.events,
        };
        return { status: 200, body: { run: claimed } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/worker/runs/:runId/finish',
      handler: async ({ req, params, body }) => {
        const worker = workerOf(req);
        const request = parseBody(FinishRunRequest, await body());
        core.runs.finish(
          worker,
          params.runId ?? '',
          request.status,
          request.error?.slice(0, MAX_ERROR_CHARS) ?? null,
        );
        return { status: 200, body: { ok: true } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/worker/events',
      handler: async ({ req, body }) => {
        const worker = workerOf(req);
        const { type } = parseBody(WorkerLifecycleRequest, await body());
        core.sse.publish(worker.id, type);
        return { status: 200, body: { ok: true } };
      },
    },
  ];
}
