// A visible Copy for what the page shows shortened (full ids) or must be typed elsewhere (a fix
// command): keyboard and touch reach it, where a tooltip reaches neither.
import { useState } from 'react';

export function CopyButton({
  text,
  what,
  className = 'btn small',
}: {
  text: string;
  /** What is copied, for the accessible name: "Copy worker id …". */
  what?: string;
  className?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = (): void => {
    const write = navigator.clipboard?.writeText(text);
    if (!write) return setState('failed');
    void write.then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  const shown = state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy';
  return (
    <button
      type="button"
      className={className}
      onClick={copy}
      aria-label={what ? `${shown} ${what}` : undefined}
      title={
        state === 'failed' ? 'Copying is not allowed here; select the text instead' : undefined
      }
    >
      {shown}
    </button>
  );
}
