// The pairing code to approve: large, copyable, with the link and a countdown to expiry.
import { useState } from 'react';
import type { PairingStart } from '../../shared/index.ts';
import { useNow } from './useNow.ts';

/** Only web links become clickable: the URI comes from the API, not from us. */
const isWebUrl = (u: string): boolean => /^https?:\/\//i.test(u);

function remaining(expiresAt: string, now: number): string {
  const ms = Date.parse(expiresAt) - now;
  if (!Number.isFinite(ms) || ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function PairingCode({ start, onCancel }: { start: PairingStart; onCancel: () => void }) {
  const now = useNow(1000);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const link = isWebUrl(start.verificationUriComplete)
    ? start.verificationUriComplete
    : isWebUrl(start.verificationUri)
      ? start.verificationUri
      : null;

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(start.userCode);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };

  return (
    <div className="pairing">
      <p>
        Open the link below (signed in to PipedAI) and confirm that the code matches. The page
        updates by itself once you approve.
      </p>
      <div className="code-row">
        <output className="user-code" aria-label="Pairing code">
          {start.userCode}
        </output>
        <button type="button" className="btn" onClick={() => void copy()}>
          {copied === 'yes' ? 'Copied' : 'Copy code'}
        </button>
      </div>
      {copied === 'no' && (
        <p className="muted small">Copy is not allowed here; select the code instead.</p>
      )}
      {link ? (
        <p>
          <a
            href={link}
            target="_blank"
            rel="noopener noreferrer"
            className="btn primary"
            data-autofocus
          >
            Open {start.verificationUri.replace(/^https?:\/\//, '')} ↗
          </a>
        </p>
      ) : (
        <p>
          Go to <span className="mono">{start.verificationUri}</span> and enter the code.
        </p>
      )}
      <p className="waiting" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Waiting for approval… code expires in{' '}
        {remaining(start.expiresAt, now)}
      </p>
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
