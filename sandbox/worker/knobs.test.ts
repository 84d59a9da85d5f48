import { describe, expect, it } from 'vitest';
import { BuildAuthMode } from '../../app/shared/index.ts';
import {
  AuthModeEnv,
  KNOB_DEFAULTS,
  localRunEventsEnabled,
  parseAuthMode,
  parseKnobs,
  resolveWorkerHome,
} from './knobs.ts';

describe('parseKnobs', () => {
  it('gives the defaults for an empty environment, and treats empty values as unset', () => {
    const expected = {
      version: KNOB_DEFAULTS.version,
      heartbeatMs: 5000,
      pollMs: 2000,
      crashAfterMs: null,
      exitCode: 1,
      logRate: 0,
      logLineBytes: 120,
      ignoreSigterm: false,
      grandchildren: 0,
      runDurationMs: 3000,
      registerFail: false,
      surviveEpipe: false,
    };
    expect(parseKnobs({})).toEqual({ ok: true, value: expected });
    expect(parseKnobs({ PIPEDAI_SIM_POLL_MS: '', PIPEDAI_SIM_VERSION: '' })).toEqual({
      ok: true,
      value: expected,
    });
  });

  it('reads every knob', () => {
    const parsed = parseKnobs({
      PIPEDAI_SIM_VERSION: '2.0.0-beta.1',
      PIPEDAI_SIM_HEARTBEAT_MS: '50',
      PIPEDAI_SIM_POLL_MS: ' 20 ',
      PIPEDAI_SIM_CRASH_AFTER_MS: '0',
      PIPEDAI_SIM_EXIT_CODE: '42',
      PIPEDAI_SIM_LOG_RATE: '0.5',
      PIPEDAI_SIM_LOG_LINE_BYTES: '200',
      PIPEDAI_SIM_IGNORE_SIGTERM: '1',
      PIPEDAI_SIM_GRANDCHILDREN: '3',
      PIPEDAI_SIM_RUN_DURATION_MS: '10',
      PIPEDAI_SIM_REGISTER_FAIL: '1',
      PIPEDAI_SIM_SURVIVE_EPIPE: '1',
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        version: '2.0.0-beta.1',
        heartbeatMs: 50,
        pollMs: 20,
        crashAfterMs: 0,
        exitCode: 42,
        logRate: 0.5,
        logLineBytes: 200,
        ignoreSigterm: true,
        grandchildren: 3,
        runDurationMs: 10,
        registerFail: true,
        surviveEpipe: true,
      },
    });
  });

  it.each([
    ['PIPEDAI_SIM_HEARTBEAT_MS', 'soon', 'must be a whole number'],
    ['PIPEDAI_SIM_POLL_MS', '5', 'must be at least 10'],
    ['PIPEDAI_SIM_EXIT_CODE', '256', 'must be at most 255'],
    ['PIPEDAI_SIM_LOG_RATE', '-1', 'must be a number'],
    ['PIPEDAI_SIM_IGNORE_SIGTERM', 'yes', 'must be 0 or 1'],
    ['PIPEDAI_SIM_VERSION', '1.0 beta', 'one word'],
    ['PIPEDAI_SIM_GRANDCHILDREN', '1000', 'must be at most 32'],
  ])('rejects %s=%j naming the variable', (name, value, message) => {
    const parsed = parseKnobs({ [name]: value });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toContain(name);
      expect(parsed.error).toContain(message);
    }
  });
});

describe('environment of the real worker', () => {
  it('AUTH_MODE defaults to claude-max, forwards the four spellings, rejects others naming it', () => {
    expect(parseAuthMode({})).toEqual({ ok: true, value: 'claude-max' });
    expect(parseAuthMode({ AUTH_MODE: 'api_key' })).toEqual({ ok: true, value: 'api_key' });
    const bad = parseAuthMode({ AUTH_MODE: 'free' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toContain('AUTH_MODE');
  });

  it('accepts exactly the auth modes a build request may carry', () => {
    expect(AuthModeEnv.options).toEqual(BuildAuthMode.options);
  });

  it('only PIPEDAI_LOCAL_RUN_EVENTS=1 turns the event files on', () => {
    expect(localRunEventsEnabled({ PIPEDAI_LOCAL_RUN_EVENTS: '1' })).toBe(true);
    expect(localRunEventsEnabled({ PIPEDAI_LOCAL_RUN_EVENTS: 'true' })).toBe(false);
    expect(localRunEventsEnabled({})).toBe(false);
  });

  it('home is PIPEDAI_HOME, else ~/.pipedai', () => {
    expect(resolveWorkerHome({ PIPEDAI_HOME: '/srv/p' }, () => '/home/u')).toBe('/srv/p');
    expect(resolveWorkerHome({ PIPEDAI_HOME: ' ' }, () => '/home/u')).toBe('/home/u/.pipedai');
  });
});
