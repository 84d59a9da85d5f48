// A dialog or a side drawer over a dimmed overlay: clicking the overlay, Escape or Close closes it.
import { useId, useRef, type ReactNode } from 'react';
import { useFocusTrap } from './useFocusTrap.ts';

interface ModalProps {
  title: ReactNode;
  onClose: () => void;
  variant?: 'dialog' | 'drawer';
  /** Extra controls in the header (drawers), before Close. */
  tools?: ReactNode;
  footer?: ReactNode;
  children: ReactNode;
  className?: string;
}

export function Modal({
  title,
  onClose,
  variant = 'dialog',
  tools,
  footer,
  children,
  className,
}: ModalProps) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useFocusTrap(ref, onClose);
  return (
    <div
      className={`overlay overlay-${variant}`}
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={ref}
        className={`${variant} ${className ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
      >
        <header className={`${variant}-head`}>
          <h2 id={titleId}>{title}</h2>
          {tools}
          {variant === 'drawer' && (
            <button type="button" className="btn" onClick={onClose}>
              Close
            </button>
          )}
        </header>
        {/* A drawer's body scrolls on a small screen: a tab stop, so a keyboard can scroll it. */}
        <div
          className={`${variant}-body`}
          {...(variant === 'drawer'
            ? { tabIndex: 0, role: 'region', 'aria-labelledby': titleId }
            : {})}
        >
          {children}
        </div>
        {footer && <footer className={`${variant}-foot`}>{footer}</footer>}
      </div>
    </div>
  );
}
