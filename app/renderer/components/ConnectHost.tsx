// No workers yet: pair this host with PipedAI from the page (RFC 8628 device pairing run by the
// daemon). The user code is shown large; a person approves it on the PipedAI site.
import { useState } from 'react';
import { DEFAULT_API_URL } from '../../shared/index.ts';
import { useActions, useApp } from '../store-context.tsx';
import { InstallProgress } from './InstallProgress.tsx';
import { PairingCode } from './PairingCode.tsx';

export function ConnectHost() {
  const pairing = useApp((s) => s.pairing);
  const install = useApp((s) => s.runtimeInstall);
  const { startPairing, cancelPairing, resetPairing, openDialog } = useActions();
  const [apiUrl, setApiUrl] = useState(DEFAULT_API_URL);
  const [label, setLabel] = useState('');

  if (pairing.phase === 'waiting' && pairing.start) {
    return (
      <section className="card connect" aria-labelledby="connect-title">
        <h2 id="connect-title">Approve this host</h2>
        <PairingCode start={pairing.start} onCancel={() => void cancelPairing()} />
        {/* The worker runtime downloads while you approve. */}
        {install && <InstallProgress install={install} />}
      </section>
    );
  }
  if (pairing.phase === 'approved') {
    return (
      <section className="card connect center" role="status">
        <h2>Host connected</h2>
        <p>
          <span className="spinner" aria-hidden="true" /> Starting the new worker…
        </p>
      </section>
    );
  }

  const starting = pairing.phase === 'starting';
  return (
    <section className="card connect" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect this host</h2>
      <p>
        This host runs no PipedAI workers yet. Connect it to your PipedAI workspace: you get a short
        code to approve in the PipedAI dashboard, and the orchestrator sets up its first worker.
      </p>
      {pairing.phase === 'failed' && (
        <div className="inline-notice tone-err" role="alert">
          <span>Pairing failed: {pairing.error}</span>
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={resetPairing}>
            ×
          </button>
        </div>
      )}
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          const l = label.trim();
          void startPairing({ apiUrl: apiUrl.trim(), ...(l !== '' ? { label: l } : {}) });
        }}
      >
        <label className="field">
          <span>PipedAI API URL</span>
          <input
            type="url"
            required
            value={apiUrl}
            onChange={(e) => setApiUrl(e.target.value)}
            aria-describedby="connect-api-hint"
          />
          <small id="connect-api-hint" className="muted">
            Production is {DEFAULT_API_URL}; use your environment's URL for beta or self-hosted.
          </small>
        </label>
        <label className="field">
          <span>Label (optional)</span>
          <input
            type="text"
            value={label}
            maxLength={200}
            placeholder="defaults to the host name"
            onChange={(e) => setLabel(e.target.value)}
          />
        </label>
        <div className="form-actions">
          <button type="submit" className="btn primary" disabled={starting || apiUrl.trim() === ''}>
            {starting ? 'Starting…' : pairing.phase === 'failed' ? 'Try again' : 'Connect'}
          </button>
        </div>
      </form>
      <p className="muted small">
        Prefer the terminal? Run <code>pipedai-orchestrator connect</code>. Building a pool worker
        with a pool token works without connecting:{' '}
        <button type="button" className="link" onClick={() => openDialog({ kind: 'build' })}>
          Build worker
        </button>
        .
      </p>
    </section>
  );
}
