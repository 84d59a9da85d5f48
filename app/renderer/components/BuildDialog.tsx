// Build a worker: environment, label, auth mode, and for a pool worker its registration token.
// Checked with the contract's schema before sending; the server's `field` lands on the same input.
import { useEffect, useMemo, useRef, useState } from 'react';
import { DEFAULT_API_URL } from '../../shared/index.ts';
import {
  checkBuildForm,
  formField,
  type BuildField,
  type BuildForm,
  type FieldErrors,
} from '../model/build-form.ts';
import { apiUrlsOf } from '../model/workers.ts';
import { useActions, useApp } from '../store-context.tsx';
import { installActive } from '../model/runtime.ts';
import { Field } from './Field.tsx';
import { InstallProgress } from './InstallProgress.tsx';
import { Modal } from './Modal.tsx';

export function BuildDialog() {
  const workers = useApp((s) => s.workers);
  const { closeDialog, build } = useActions();
  const envs = useMemo(() => apiUrlsOf(workers ?? []), [workers]);
  const workspaceEnvs = useMemo(() => apiUrlsOf(workers ?? [], 'workspace'), [workers]);
  const [form, setForm] = useState<BuildForm>(() => ({
    apiUrl: workspaceEnvs[0] ?? envs[0] ?? DEFAULT_API_URL,
    label: '',
    pool: false,
    token: '',
    authMode: 'claude-max',
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The worker runtime installs (or is found) first; its progress shows while building.
  const install = useApp((s) => (installActive(s.runtimeInstall) ? s.runtimeInstall : null));
  const formRef = useRef<HTMLFormElement>(null);

  // Take the keyboard to the first field that needs fixing.
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const update = (patch: Partial<BuildForm>): void => {
    setForm((f) => ({ ...f, ...patch }));
    const touched = Object.keys(patch) as BuildField[];
    setErrors((e) => {
      const next = { ...e };
      for (const k of touched) delete next[k];
      return next;
    });
  };

  const submit = async (): Promise<void> => {
    if (busy) return;
    const check = checkBuildForm(form);
    // The token is write-only: it never stays in the page after a submit.
    setForm((f) => ({ ...f, token: '' }));
    if (!check.ok) {
      setErrors(check.errors);
      return;
    }
    setBusy(true);
    setFormError(null);
    const result = await build(check.input);
    setBusy(false);
    if (result.ok) return closeDialog();
    const field = formField(result.field);
    if (field) setErrors({ [field]: result.error });
    else setFormError(result.error);
  };

  const noCredential =
    !form.pool && !workspaceEnvs.includes(form.apiUrl.trim().replace(/\/+$/, ''));

  return (
    <Modal
      title="Build a worker"
      onClose={closeDialog}
      footer={
        <>
          <button type="button" className="btn" onClick={closeDialog}>
            Cancel
          </button>
          <button
            type="submit"
            form="build-form"
            className="btn primary"
            disabled={busy || form.apiUrl.trim() === ''}
          >
            {busy ? 'Building…' : 'Build'}
          </button>
        </>
      }
    >
      <form
        id="build-form"
        ref={formRef}
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label="PipedAI API URL" error={errors.apiUrl}>
          {({ id, describedBy }) =>
            envs.length > 1 ? (
              <select
                id={id}
                value={form.apiUrl}
                aria-describedby={describedBy}
                aria-invalid={errors.apiUrl ? true : undefined}
                onChange={(e) => update({ apiUrl: e.target.value })}
                data-autofocus
              >
                {envs.map((u) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                type="url"
                value={form.apiUrl}
                aria-describedby={describedBy}
                aria-invalid={errors.apiUrl ? true : undefined}
                onChange={(e) => update({ apiUrl: e.target.value })}
                data-autofocus
              />
            )
          }
        </Field>
        <Field label="Label (optional)" error={errors.label}>
          {({ id, describedBy }) => (
            <input
              id={id}
              type="text"
              value={form.label}
              maxLength={200}
              placeholder="defaults to the host name"
              aria-describedby={describedBy}
              aria-invalid={errors.label ? true : undefined}
              onChange={(e) => update({ label: e.target.value })}
            />
          )}
        </Field>
        <Field label="Auth mode" error={errors.authMode}>
          {({ id, describedBy }) => (
            <select
              id={id}
              value={form.authMode}
              aria-describedby={describedBy}
              onChange={(e) => update({ authMode: e.target.value as BuildForm['authMode'] })}
            >
              <option value="claude-max">claude-max (the model CLI's subscription login)</option>
              <option value="api-key">
                api-key (ANTHROPIC_API_KEY in the worker's environment)
              </option>
            </select>
          )}
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={form.pool}
            onChange={(e) => update({ pool: e.target.checked, token: '' })}
          />
          Pool worker (platform pool; needs a pool registration token)
        </label>
        {form.pool ? (
          <Field
            label="Pool registration token"
            error={errors.token}
            hint="Starts with pool_. Used once to register, never stored or shown."
          >
            {({ id, describedBy }) => (
              <input
                id={id}
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={form.token}
                aria-describedby={describedBy}
                aria-invalid={errors.token ? true : undefined}
                onChange={(e) => update({ token: e.target.value })}
              />
            )}
          </Field>
        ) : (
          <p className="muted small">
            The orchestrator mints the workspace registration token itself with this host's operator
            credential.
            {noCredential && (
              <>
                {' '}
                No workspace worker here uses this environment yet, so there may be no credential
                for it: connect the host first with{' '}
                <code>pipedai-orchestrator connect --api-url {form.apiUrl.trim() || '<url>'}</code>.
              </>
            )}
          </p>
        )}
        {formError && (
          <div className="inline-notice tone-err" role="alert">
            {formError}
          </div>
        )}
        {busy && install && <InstallProgress install={install} />}
        {busy && !install && (
          <p className="muted small" role="status">
            <span className="spinner" aria-hidden="true" /> Registering the worker; this can take a
            minute.
          </p>
        )}
      </form>
    </Modal>
  );
}
