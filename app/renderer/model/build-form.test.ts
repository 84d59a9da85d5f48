import { describe, expect, it } from 'vitest';
import { checkBuildForm, formField, type BuildForm } from './build-form.ts';

const form = (patch: Partial<BuildForm> = {}): BuildForm => ({
  apiUrl: 'https://api.pipedai.app',
  label: '',
  pool: false,
  token: '',
  authMode: 'claude-max',
  ...patch,
});

describe('build form', () => {
  it('a workspace build sends no token and no empty label', () => {
    expect(checkBuildForm(form({ label: '  gpu box ' }))).toEqual({
      ok: true,
      input: { apiUrl: 'https://api.pipedai.app', authMode: 'claude-max', label: 'gpu box' },
    });
    expect(checkBuildForm(form({ token: 'pool_leftover' }))).toEqual({
      ok: true,
      input: { apiUrl: 'https://api.pipedai.app', authMode: 'claude-max' },
    });
  });

  it('a pool build needs a pool token', () => {
    expect(checkBuildForm(form({ pool: true }))).toEqual({
      ok: false,
      errors: { token: 'a pool registration token is required' },
    });
    expect(checkBuildForm(form({ pool: true, token: 'wrk_abc' }))).toMatchObject({
      ok: false,
      errors: { token: expect.stringContaining('pool_') },
    });
    expect(
      checkBuildForm(form({ pool: true, token: ' pool_abcdef ', authMode: 'api-key' })),
    ).toEqual({
      ok: true,
      input: {
        apiUrl: 'https://api.pipedai.app',
        authMode: 'api-key',
        pool: true,
        token: 'pool_abcdef',
      },
    });
  });

  it("uses the contract's schema for the other fields", () => {
    const bad = checkBuildForm(form({ apiUrl: 'not a url', label: 'x'.repeat(201) }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(Object.keys(bad.errors).sort()).toEqual(['apiUrl', 'label']);
    }
  });

  it('maps server field paths onto form fields', () => {
    expect(formField('apiUrl')).toBe('apiUrl');
    expect(formField('token')).toBe('token');
    expect(formField('label.0')).toBe('label');
    expect(formField('(root)')).toBeNull();
    expect(formField(undefined)).toBeNull();
  });
});
