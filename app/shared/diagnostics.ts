// `doctor` and the dashboard's Diagnostics panel: a list of checks, each with what was found and,
// for a problem, the command that fixes it (brew doctor, flutter doctor, tailscale netcheck).
import { z } from 'zod';

export const CheckStatus = z.enum(['ok', 'info', 'warn', 'fail']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const DiagnosticCheck = z.object({
  /** Stable: `runtime`, `daemon`, `service`, `worker-runtime`, `worker:<id>`, `worker-env`, `api:<url>`, `secrets`, `disk`. */
  id: z.string(),
  title: z.string(),
  status: CheckStatus,
  /** One line: what was found. */
  summary: z.string(),
  /** More lines worth reading (paths, versions, each file). */
  details: z.array(z.string()),
  /** The command (or the step) that fixes the problem; only for warn and fail. */
  fix: z.string().optional(),
});
export type DiagnosticCheck = z.infer<typeof DiagnosticCheck>;

export const Diagnostics = z.object({
  /** Who ran the checks: the daemon (its environment is what workers get), or the CLI alone. */
  by: z.enum(['daemon', 'cli']),
  generatedAt: z.number().int(),
  checks: z.array(DiagnosticCheck),
});
export type Diagnostics = z.infer<typeof Diagnostics>;
