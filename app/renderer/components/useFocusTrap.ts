// Keeps keyboard focus inside a dialog or drawer while it is open, closes it on Escape, and gives
// focus back to whatever had it before; when that is gone or disabled (a deleted worker's row, a
// button replaced while the dialog was open), to the closest place around it that is still there.
import { useEffect, useRef, type RefObject } from 'react';
import { returnFocusTarget, type FocusTree } from '../model/focus.ts';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

const visible = (el: HTMLElement): boolean => el.offsetParent !== null || el === document.body;

const dom: FocusTree<HTMLElement> = {
  usable: (el) =>
    el.isConnected &&
    visible(el) &&
    !(el as HTMLButtonElement).disabled &&
    (el.matches(FOCUSABLE) || el.hasAttribute('tabindex')),
  firstIn: (el) =>
    el.isConnected
      ? ([...el.querySelectorAll<HTMLElement>(FOCUSABLE)].find((c) => visible(c)) ?? null)
      : null,
};

/** The opener's surroundings, closest first: `[data-focus-scope]` ancestors, then <main>. */
function scopesOf(el: HTMLElement | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  for (let s = el?.closest<HTMLElement>('[data-focus-scope]'); s;) {
    out.push(s);
    s = s.parentElement?.closest<HTMLElement>('[data-focus-scope]') ?? null;
  }
  const main = document.querySelector<HTMLElement>('main');
  if (main) out.push(main);
  return out;
}

export function useFocusTrap(ref: RefObject<HTMLElement | null>, onClose: () => void): void {
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const scopes = scopesOf(before);
    const items = (): HTMLElement[] =>
      [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    const first = root.querySelector<HTMLElement>('[data-autofocus]') ?? items()[0] ?? root;
    first.focus();

    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        close.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const list = items();
      if (list.length === 0) {
        e.preventDefault();
        return;
      }
      const head = list[0]!;
      const tail = list[list.length - 1]!;
      if (e.shiftKey && (document.activeElement === head || document.activeElement === root)) {
        e.preventDefault();
        tail.focus();
      } else if (!e.shiftKey && document.activeElement === tail) {
        e.preventDefault();
        head.focus();
      }
    };
    root.addEventListener('keydown', onKey);
    return () => {
      root.removeEventListener('keydown', onKey);
      // Someone already placed focus (a row following its command): leave it there.
      const active = document.activeElement;
      if (active && active !== document.body && !root.contains(active)) return;
      returnFocusTarget(before, scopes, dom)?.focus();
    };
  }, [ref]);
}
