// What a simulated run emits: a deterministic plan of stream events in the shapes the dashboard's
// Runs drawer renders (contract §3.5), shaped like a model CLI's stream (system init, assistant
// text and tool calls, tool results, stderr noise, a final result), spread over the run's duration.
import type { ClaimedRun } from '../protocol.ts';

export interface PlannedEvent {
  /** Offset from the run's start. */
  atMs: number;
  type: 'system' | 'assistant' | 'user' | 'stderr' | 'result';
  payload: Record<string, unknown>;
  /** The human-readable line the worker prints when it emits the event. */
  log: { stream: 'out' | 'err'; text: string };
}

/** One line of `<runId>.ndjson`. */
export interface RunEventLine {
  seq: number;
  type: string;
  ts: string;
  payload: unknown;
}

const MODEL = 'claude-sonnet-4-5';

const TOOLS: ReadonlyArray<{ name: string; input: Record<string, unknown>; result: string }> = [
  {
    name: 'Bash',
    input: { command: 'npm test -- --reporter=dot', description: 'Run the test suite' },
    result:
      '> test\n> vitest run --reporter=dot\n\n··········································\n\n Test Files  12 passed (12)\n      Tests  148 passed (148)\n   Duration  4.21s',
  },
  {
    name: 'Read',
    input: { file_path: '/workspace/repo/src/server/routes.ts', offset: 1, limit: 120 },
    result:
      "     1\timport { Router } from './router.ts';\n     2\timport { parseBody } from './body.ts';\n     3\t\n     4\texport function routes(router: Router): void {\n     5\t  router.get('/health', () => ({ ok: true }));",
  },
  {
    name: 'Grep',
    input: { pattern: 'TODO|FIXME', path: '/workspace/repo/src', output_mode: 'content' },
    result:
      'src/server/routes.ts:42: // TODO: validate the query string\nsrc/store/cache.ts:17: // FIXME: evict by size, not by count',
  },
  {
    name: 'Edit',
    input: {
      file_path: '/workspace/repo/src/server/routes.ts',
      old_string: '  const limit = Number(query.limit);',
      new_string: '  const limit = LimitSchema.parse(query.limit);',
    },
    result: 'The file /workspace/repo/src/server/routes.ts has been updated.',
  },
];

const THOUGHTS = [
  'I will start by looking at how the code is laid out.',
  'The failing case comes from an unvalidated query parameter; I will parse it with the schema instead of casting.',
  'Tests pass. Let me double-check the edge cases around empty input.',
  'That covers it. Summarising the change next.',
];

const STDERR_LINES = [
  'npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
  '(node:4242) ExperimentalWarning: VM Modules is an experimental feature.',
  'warning: ANTHROPIC_API_KEY=[REDACTED] found in the environment; using the subscription login.',
];

/** A small stable hash, so one run always gets the same plan and runs differ from each other. */
export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function excerpt(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

const assistant = (content: unknown[]) => ({
  message: { role: 'assistant', model: MODEL, content },
});

/** The event kinds in order, exactly `count` of them: init first, result last, tool calls paired with their results. */
export function eventKinds(
  count: number,
): Array<'init' | 'text' | 'tool' | 'tool_result' | 'stderr' | 'result'> {
  if (count <= 0) return [];
  if (count === 1) return ['result'];
  if (count === 2) return ['text', 'result'];
  const middle: Array<'text' | 'tool' | 'tool_result' | 'stderr'> = [];
  const cycle = ['text', 'tool', 'tool_result', 'tool', 'tool_result', 'stderr'] as const;
  for (let i = 0; middle.length < count - 2; i++) {
    const kind = cycle[i % cycle.length] ?? 'text';
    // A tool call that would lose its result to the end of the plan becomes a thought.
    middle.push(kind === 'tool' && middle.length === count - 3 ? 'text' : kind);
  }
  return ['init', ...middle, 'result'];
}

/** The whole plan for one run: `run.events` events, the first at 0, the last at `run.durationMs`. */
export function planRunEvents(
  run: Pick<ClaimedRun, 'runId' | 'prompt' | 'durationMs' | 'events'>,
): PlannedEvent[] {
  const kinds = eventKinds(run.events);
  const seed = hashString(run.runId);
  const tag = `[run ${run.runId.slice(0, 8)}]`;
  const at = (i: number) =>
    kinds.length === 1 ? run.durationMs : Math.round((run.durationMs * i) / (kinds.length - 1));
  let thoughts = 0;
  let tools = 0;
  let stderr = 0;
  let toolId = '';
  let tool = TOOLS[0] ?? { name: 'Bash', input: {}, result: '' };
  return kinds.map((kind, i): PlannedEvent => {
    const atMs = at(i);
    switch (kind) {
      case 'init':
        return {
          atMs,
          type: 'system',
          payload: {
            subtype: 'init',
            model: MODEL,
            cwd: '/workspace/repo',
            tools: TOOLS.map((t) => t.name),
            session_id: `sess_${run.runId.slice(0, 8)}`,
          },
          log: { stream: 'out', text: `${tag} session started (model ${MODEL})` },
        };
      case 'text': {
        const text =
          thoughts === 0
            ? `Working on: ${excerpt(run.prompt, 200) || 'the task'}. ${THOUGHTS[0]}`
            : (THOUGHTS[thoughts % THOUGHTS.length] ?? '');
        thoughts++;
        return {
          atMs,
          type: 'assistant',
          payload: assistant([{ type: 'text', text }]),
          log: { stream: 'out', text: `${tag} ${excerpt(text, 300)}` },
        };
      }
      case 'tool': {
        tool = TOOLS[(seed + tools) % TOOLS.length] ?? tool;
        toolId = `toolu_${(seed + tools).toString(36).padStart(8, '0')}`;
        tools++;
        return {
          atMs,
          type: 'assistant',
          payload: assistant([
            { type: 'tool_use', id: toolId, name: tool.name, input: tool.input },
          ]),
          log: {
            stream: 'out',
            text: `${tag} tool ${tool.name} ${excerpt(JSON.stringify(tool.input), 200)}`,
          },
        };
      }
      case 'tool_result':
        // Tool results come back in a user turn, as in a model CLI's stream.
        return {
          atMs,
          type: 'user',
          payload: {
            message: {
              role: 'user',
              content: [{ type: 'tool_result', tool_use_id: toolId, content: tool.result }],
            },
          },
          log: { stream: 'out', text: `${tag} tool result: ${excerpt(tool.result, 200)}` },
        };
      case 'stderr': {
        const text = STDERR_LINES[(seed + stderr++) % STDERR_LINES.length] ?? '';
        return {
          atMs,
          type: 'stderr',
          payload: { text },
          log: { stream: 'err', text: `${tag} ${text}` },
        };
      }
      case 'result': {
        const result = `Done. ${excerpt(run.prompt, 120) || 'Task'}: changes made and tests pass.`;
        return {
          atMs,
          type: 'result',
          payload: {
            subtype: 'success',
            is_error: false,
            duration_ms: run.durationMs,
            num_turns: thoughts + tools,
            result,
          },
          log: { stream: 'out', text: `${tag} result: ${result}` },
        };
      }
    }
  });
}
