// The Build dialog's form → the buildWorker input, checked with the contract's own schema so the
// page names the same field the server would.
import { commands, type CommandInput } from '../../shared/index.ts';

export type AuthModeChoice = 'claude-max' | 'api-key';

export interface BuildForm {
  apiUrl: string;
  label: string;
  pool: boolean;
  /** Pool registration token (pool_…); write-only, cleared after submit. */
  token: string;
  authMode: AuthModeChoice;
}

export type BuildField = 'apiUrl' | 'label' | 'token' | 'authMode';
export type FieldErrors = Partial<Record<BuildField, string>>;

const FIELDS: ReadonlySet<string> = new Set<BuildField>(['apiUrl', 'label', 'token', 'authMode']);

/** A server or schema field path mapped to a form field, or null for a form-level error. */
export function formField(path: string | undefined): BuildField | null {
  const head = path?.split(/[.[]/)[0];
  return head && FIELDS.has(head) ? (head as BuildField) : null;
}

export type BuildCheck =
  { ok: true; input: CommandInput<'buildWorker'> } | { ok: false; errors: FieldErrors };

export function checkBuildForm(form: BuildForm): BuildCheck {
  const label = form.label.trim();
  const token = form.token.trim();
  const candidate: CommandInput<'buildWorker'> = {
    apiUrl: form.apiUrl.trim(),
    authMode: form.authMode,
    ...(label !== '' ? { label } : {}),
    ...(form.pool ? { pool: true, ...(token !== '' ? { token } : {}) } : {}),
  };
  const errors: FieldErrors = {};
  if (form.pool && token === '') errors.token = 'a pool registration token is required';
  else if (form.pool && !token.startsWith('pool_')) errors.token = 'a pool token starts with pool_';
  const parsed = commands.buildWorker.input.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = formField(issue.path.map(String).join('.'));
      if (field && !errors[field]) errors[field] = issue.message;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input: candidate };
}
