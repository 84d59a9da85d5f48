// The pipedai-api endpoints the orchestrator calls (contract §2.2), with the bearer checks of §1:
// 401 for a missing/unknown/revoked token, 403 for a token of the wrong kind or workspace.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { DeviceStartRequest, RegistrationTokenRequest } from '../../app/shared/index.ts';
import type { Core } from './core.ts';
import { forbidden, notFound, parseBody, parseField } from './errors.ts';
import type { Route } from './router.ts';
import { STREAMING, type Handler } from './server.ts';
import type { TokenRecord, Worker } from './state.ts';
import { LIST_LIMIT } from './workers.ts';

const Cursor = z.string().min(1).max(512).nullable();
const Limit = z.coerce.number().int().min(1).max(LIST_LIMIT.max);

export function apiRoutes(core: Core): Route<Handler>[] {
  const operatorOf = (req: IncomingMessage, workspaceId: string): TokenRecord => {
    const token = core.tokens.authenticate(req, ['hos', 'pwk']);
    if (token.workspaceId !== workspaceId)
      throw forbidden('this token belongs to another workspace');
    return token;
  };
  const workspaceWorker = (workspaceId: string, workerId: string): Worker => {
    const worker = core.workers.live(workerId);
    if (!worker || worker.pool || worker.workspaceId !== workspaceId) throw notFound('worker');
    return worker;
  };
  const poolWorker = (workerId: string): Worker => {
    const worker = core.workers.live(workerId);
    if (!worker || !worker.pool) throw notFound('pool worker');
    return worker;
  };
  const setDisabled = (worker: Worker, disabled: boolean) => {
    core.workers.setDisabled(worker, disabled);
    return { status: 200, body: { ok: true, id: worker.id, disabled: worker.disabled } };
  };
  const remove = (worker: Worker) => {
    core.workers.remove(worker);
    return { status: 200, body: { ok: true, id: worker.id, deleted: true } };
  };
  const ownPoolWorker = (req: IncomingMessage, id: string): Worker => {
    const token = core.tokens.authenticate(req, ['wkt']);
    if (token.workerId !== id) throw forbidden('a worker may only change its own state');
    return poolWorker(id);
  };
  const release = (latest: string) => ({
    latest,
    source: latest === 'unknown' ? 'unavailable' : 'npm',
  });

  return [
    {
      method: 'POST',
      path: '/api/v1/enrollments/device',
      handler: async ({ body }) => {
        const { label } = parseBody(DeviceStartRequest, await body());
        return { status: 200, body: core.enrollment.startDevice(label) };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/enrollments/redeem',
      handler: async ({ body }) => ({ status: 200, body: core.enrollment.redeem(await body()) }),
    },
    {
      method: 'POST',
      path: '/api/v1/workspaces/:ws/workers/registration-token',
      handler: async ({ req, params, body }) => {
        const workspaceId = params.ws ?? '';
        operatorOf(req, workspaceId);
        const { label } = parseBody(RegistrationTokenRequest, await body());
        const { token, record } = core.tokens.mint('wrk', {
          workspaceId,
          label: label ?? null,
          ttlMs: core.settings.registrationTokenTtlMs,
        });
        return {
          status: 201,
          body: {
            token,
            expiresAt: new Date(record.expiresAt ?? 0).toISOString(),
            lastFour: record.lastFour,
            id: record.id,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/workspaces/:ws/workers',
      handler: ({ req, params, query }) => {
        const workspaceId = params.ws ?? '';
        operatorOf(req, workspaceId);
        const cursor = parseField(Cursor, query.get('cursor'), 'cursor');
        const limit = query.has('limit')
          ? parseField(Limit, query.get('limit'), 'limit')
          : LIST_LIMIT.default;
        return { status: 200, body: core.workers.listWorkspace(workspaceId, cursor, limit) };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/pool-workers',
      handler: ({ req }) => {
        core.tokens.authenticate(req, ['pop', 'admin']);
        return { status: 200, body: core.workers.listPool() };
      },
    },
    ...(['disable', 'enable'] as const).flatMap((verb): Route<Handler>[] => [
      {
        method: 'POST',
        path: `/api/v1/workspaces/:ws/workers/:id/${verb}`,
        handler: ({ req, params }) => {
          operatorOf(req, params.ws ?? '');
          return setDisabled(workspaceWorker(params.ws ?? '', params.id ?? ''), verb === 'disable');
        },
      },
      {
        method: 'POST',
        path: `/api/v1/admin/pool-workers/:id/${verb}`,
        handler: ({ req, params }) => {
          core.tokens.authenticate(req, ['admin']);
          return setDisabled(poolWorker(params.id ?? ''), verb === 'disable');
        },
      },
      {
        method: 'POST',
        path: `/api/v1/pool-workers/:id/self-${verb}`,
        handler: ({ req, params }) =>
          setDisabled(ownPoolWorker(req, params.id ?? ''), verb === 'disable'),
      },
    ]),
    {
      method: 'DELETE',
      path: '/api/v1/workspaces/:ws/workers/:id',
      handler: ({ req, params }) => {
        operatorOf(req, params.ws ?? '');
        return remove(workspaceWorker(params.ws ?? '', params.id ?? ''));
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/admin/pool-workers/:id',
      handler: ({ req, params }) => {
        core.tokens.authenticate(req, ['admin']);
        return remove(poolWorker(params.id ?? ''));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/workers/:id/events/stream',
      handler: ({ req, res, params }) => {
        // Workspace workers: an operator token of their workspace. Pool workers: admin only.
        const token = core.tokens.authenticate(req, ['hos', 'pwk', 'admin']);
        const worker = core.workers.live(params.id ?? '');
        if (!worker) throw notFound('worker');
        if (worker.pool ? token.kind !== 'admin' : token.workspaceId !== worker.workspaceId) {
          throw forbidden(
            worker.pool
              ? 'pool worker streams need an admin token'
              : 'this worker belongs to another workspace',
          );
        }
        core.sse.open(worker.id, res);
        return STREAMING;
      },
    },
    {
      method: 'GET',
      path: '/api/v1/releases/latest',
      handler: () => ({
        status: 200,
        body: {
          pipedaiWorker: release(core.model.releases.worker),
          pipedaiOrchestrator: release(core.model.releases.orchestrator),
        },
      }),
    },
    { method: 'GET', path: '/api/v1/health', handler: () => ({ status: 200, body: { ok: true } }) },
  ];
}
