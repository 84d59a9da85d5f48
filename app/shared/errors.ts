import type { z } from 'zod';

/** `workers[0].apiUrl` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

/** One line naming every failing field: `apiUrl: Invalid URL; label: Too small…`. */
export function describeZodError(error: z.ZodError, maxIssues = 5): string {
  const parts = error.issues.slice(0, maxIssues).map((i) => `${fieldPath(i.path)}: ${i.message}`);
  if (error.issues.length > maxIssues) parts.push(`…and ${error.issues.length - maxIssues} more`);
  return parts.join('; ');
}

/** The first failing field, for doors that report one (`400 {error, field}`). */
export function firstField(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? fieldPath(first.path) : '(root)';
}
