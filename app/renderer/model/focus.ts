// Where keyboard focus goes when what held it goes away: after a row's command (its button is
// disabled while it runs, then replaced: Stop becomes Start) and when a dialog or drawer closes
// and the control that opened it is gone. Never to <body>, where a keyboard user starts over.
import type { Verb } from './workers.ts';

/** The buttons that take a verb's place once it is done, best first. */
const REPLACED_BY: Partial<Record<Verb, readonly Verb[]>> = {
  stop: ['start'],
  'force-stop': ['start'],
  start: ['stop'],
  disable: ['enable'],
  enable: ['disable'],
  restart: ['restart', 'stop'],
  upgrade: ['rollback', 'upgrade'],
  rollback: ['upgrade', 'rollback'],
  'install-runtime': ['stop', 'restart'],
};

/**
 * The row's button to focus after `verb` finished, among those it shows now: what replaced it,
 * else the same verb again, else the row's first button; null for a row with none.
 */
export function focusAfterVerb(verb: Verb, shown: readonly Verb[]): Verb | null {
  const prefer = [...(REPLACED_BY[verb] ?? []), verb];
  return prefer.find((v) => shown.includes(v)) ?? shown[0] ?? null;
}

export interface FocusTree<T> {
  /** In the document, visible and enabled. */
  usable(node: T): boolean;
  /** Its first usable focusable descendant, or null. */
  firstIn(node: T): T | null;
}

/**
 * What gets focus back when a dialog or drawer closes: its opener while usable; else, from the
 * opener's closest surrounding scope outwards (recorded when it opened: the row's actions, the
 * row, the workers table, the page), the first scope still there, by its first usable control,
 * or the scope itself when it takes focus.
 */
export function returnFocusTarget<T>(
  opener: T | null,
  scopes: readonly T[],
  tree: FocusTree<T>,
): T | null {
  if (opener && tree.usable(opener)) return opener;
  for (const scope of scopes) {
    const inside = tree.firstIn(scope);
    if (inside) return inside;
    if (tree.usable(scope)) return scope;
  }
  return null;
}
