// A short word on the page that opens its explanation beside it: a button, so keyboard and touch
// reach what a tooltip would only show to a mouse.
import { useId, useState, type ReactNode } from 'react';

export function Explain({
  children,
  text,
  className,
}: {
  /** The visible word(s); also the button's name. */
  children: ReactNode;
  text: string;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <>
      <button
        type="button"
        className={`explain${className ? ` ${className}` : ''}`}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        title={text}
        onClick={() => setOpen((o) => !o)}
      >
        {children}
      </button>
      {open && (
        <span id={id} className="explain-text muted small">
          {text}
        </span>
      )}
    </>
  );
}
