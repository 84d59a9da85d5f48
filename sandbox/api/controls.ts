// Operator controls of the sandbox under `/sandbox/…` (no auth: the emulator listens on loopback
// only), plus the `/device` page that verificationUri points at. Never subject to faults.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { AuthMode, SAFE_SEGMENT } from '../../app/shared/index.ts';
import type { Core } from './core.ts';
import { ApiError, notFound, parseBody } from './errors.ts';
import { FaultsRequest } from './faults.ts';
import type { Route } from './router.ts';
import type { Handler } from './server.ts';
import { devicePage } from './device-page.ts';
import { DEFAULT_WORKSPACE_ID, ensureWorkspace, type TokenKind } from './state.ts';
import { runView, stateDump, workerView } from './views.ts';

export const ENROLLMENT_CODE_TTL_SEC = 3600;

const WorkspaceId = z.string().max(100).regex(SAFE_SEGMENT, 'letters, digits, . _ - only');
const ReleaseVersion = z.union([
  z.literal('unknown'),
  z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'MAJOR.MINOR.PATCH or unknown'),
]);
export const MintableKind = z.enum(['pwk', 'pop', 'admin', 'wrk', 'pool']);
export type MintableKind = z.infer<typeof MintableKind>;

const CodeRequest = z.strictObject({
  workspaceId: WorkspaceId.optional(),
  ttlSec: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .optional(),
});
const DecisionRequest = z.strictObject({
  userCode: z.string().min(1).max(32),
  workspaceId: WorkspaceId.optional(),
});
const TokenRequest = z.strictObject({ kind: MintableKind, workspaceId: WorkspaceId.optional() });
const WorkspaceRequest = z.strictObject({ authMode: AuthMode });
const RunRequest = z.strictObject({
  workerId: z.string().min(1).max(200),
  durationMs: z.number().int().min(0).max(600_000).default(1000),
  events: z.number().int().min(0).max(1000).default(5),
  prompt: z.string().max(10_000).default('sandbox run'),
});
const EventRequest = z.strictObject({
  workerId: z.string().min(1).max(200),
  type: z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/, 'lower-case event name'),
  data: z.record(z.string(), z.unknown()).optional(),
});
const ReleasesRequest = z.strictObject({
  worker: ReleaseVersion.optional(),
  orchestrator: ReleaseVersion.optional(),
});

/**
 * The controls have no auth, so keep browsers of other sites out: the Host must be our loopback
 * address (DNS rebinding), an Origin must be ours, and bodies must be JSON (a cross-site form or
 * no-cors fetch cannot send that without a preflight we never grant).
 */
export function guardLocal(req: IncomingMessage, port: () => number): void {
  const ours = [`127.0.0.1:${port()}`, `localhost:${port()}`];
  if (!ours.includes(req.headers.host ?? '')) {
    throw new ApiError(421, 'misdirected_request', { message: 'use http://127.0.0.1' });
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !ours.some((h) => origin === `http://${h}`)) {
    throw new ApiError(403, 'forbidden', { message: 'cross-origin request refused' });
  }
  const mutating = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'DELETE';
  if (mutating && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new ApiError(415, 'unsupported_media_type', {
      message: 'send content-type: application/json',
    });
  }
}

/** The test helpers of ApiEmulator and the `/sandbox` routes share these. */
export function mintSandboxToken(core: Core, kind: MintableKind, workspaceId?: string): string {
  const scoped: TokenKind[] = ['pwk', 'wrk'];
  const ws = scoped.includes(kind) ? (workspaceId ?? DEFAULT_WORKSPACE_ID) : null;
  if (ws !== null) ensureWorkspace(core.model, ws, core.now());
  const ttlMs = kind === 'wrk' || kind === 'pool' ? core.settings.registrationTokenTtlMs : null;
  return core.tokens.mint(kind, { workspaceId: ws, ttlMs }).token;
}

export function issueSandboxCode(core: Core, workspaceId?: string, ttlSec?: number) {
  return core.enrollment.issueCode(
    workspaceId ?? DEFAULT_WORKSPACE_ID,
    (ttlSec ?? ENROLLMENT_CODE_TTL_SEC) * 1000,
  );
}

export function controlRoutes(core: Core): Route<Handler>[] {
  const decide =
    (decision: 'approve' | 'deny'): Handler =>
    async ({ body }) => {
      const request = parseBody(DecisionRequest, await body());
      const device = core.enrollment.decide(request.userCode, decision, request.workspaceId);
      return { status: 200, body: { ok: true, id: device.id, status: device.status } };
    };

  return [
    {
      method: 'GET',
      path: '/device',
      handler: () => ({ status: 200, body: devicePage, contentType: 'text/html; charset=utf-8' }),
    },
    {
      method: 'POST',
      path: '/sandbox/enrollment-codes',
      handler: async ({ body }) => {
        const request = parseBody(CodeRequest, await body());
        return { status: 201, body: issueSandboxCode(core, request.workspaceId, request.ttlSec) };
      },
    },
    { method: 'POST', path: '/sandbox/device/approve', handler: decide('approve') },
    { method: 'POST', path: '/sandbox/device/deny', handler: decide('deny') },
    {
      method: 'POST',
      path: '/sandbox/tokens',
      handler: async ({ body }) => {
        const request = parseBody(TokenRequest, await body());
        return {
          status: 201,
          body: { token: mintSandboxToken(core, request.kind, request.workspaceId) },
        };
      },
    },
    {
      method: 'PUT',
      path: '/sandbox/workspaces/:id',
      handler: async ({ params, body }) => {
        const { authMode } = parseBody(WorkspaceRequest, await body());
        const id = parseBody(z.object({ id: WorkspaceId }), { id: params.id }).id;
        const workspace = ensureWorkspace(core.model, id, core.now());
        workspace.authMode = authMode;
        core.changed();
        return { status: 200, body: workspace };
      },
    },
    {
      method: 'POST',
      path: '/sandbox/runs',
      handler: async ({ body }) => {
        const { workerId, ...request } = parseBody(RunRequest, await body());
        const worker = core.workers.live(workerId);
        if (!worker) throw notFound('worker');
        return { status: 201, body: { runId: core.runs.enqueue(worker, request).id } };
      },
    },
    {
      method: 'GET',
      path: '/sandbox/runs/:runId',
      handler: ({ params }) => {
        core.runs.sweep();
        const run = core.model.runs.get(params.runId ?? '');
        if (!run) throw notFound('run');
        return { status: 200, body: runView(run) };
      },
    },
    {
      method: 'POST',
      path: '/sandbox/events',
      handler: async ({ body }) => {
        const request = parseBody(EventRequest, await body());
        if (!core.workers.live(request.workerId)) throw notFound('worker');
        core.sse.publish(request.workerId, request.type, request.data);
        return {
          status: 200,
          body: { ok: true, streams: core.sse.counts()[request.workerId] ?? 0 },
        };
      },
    },
    {
      method: 'POST',
      path: '/sandbox/releases',
      handler: async ({ body }) => {
        const request = parseBody(ReleasesRequest, await body());
        core.model.releases = {
          worker: request.worker ?? core.model.releases.worker,
          orchestrator: request.orchestrator ?? core.model.releases.orchestrator,
        };
        core.changed();
        return { status: 200, body: core.model.releases };
      },
    },
    {
      method: 'GET',
      path: '/sandbox/faults',
      handler: () => ({ status: 200, body: core.faults.view() }),
    },
    {
      method: 'POST',
      path: '/sandbox/faults',
      handler: async ({ body }) => ({
        status: 200,
        body: core.faults.set(parseBody(FaultsRequest, await body())),
      }),
    },
    {
      method: 'DELETE',
      path: '/sandbox/faults',
      handler: () => ({ status: 200, body: core.faults.clear() }),
    },
    {
      method: 'GET',
      path: '/sandbox/state',
      handler: () => {
        core.runs.sweep();
        return { status: 200, body: stateDump(core) };
      },
    },
    {
      method: 'GET',
      path: '/sandbox/workers/:id',
      handler: ({ params }) => {
        const worker = core.model.workers.get(params.id ?? '');
        if (!worker) throw notFound('worker');
        return { status: 200, body: workerView(core, worker) };
      },
    },
  ];
}
