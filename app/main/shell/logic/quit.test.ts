import { describe, expect, it } from 'vitest';
import {
  LET_GO_DEADLINE_MS,
  OS_ENDING_DEADLINE_MS,
  QUIT_QUESTION,
  QUIT_SIGNALS,
  holdSessionEnd,
  serviceQueryMs,
  quitDeadlineMs,
  drainProgress,
  drainStatusLine,
  quitChoice,
  quitPlan,
  serviceManagesHome,
} from './quit.ts';

describe('quit when the operating system ends the session', () => {
  const ending = { reason: 'os-ending' as const };
  it('never asks: the service keeps the workers if there is one, else they drain', () => {
    expect(quitPlan({ mode: 'own', liveWorkers: 2, serviceInstalled: true, ...ending })).toEqual({
      kind: 'close',
      how: 'handoff',
    });
    expect(quitPlan({ mode: 'own', liveWorkers: 2, serviceInstalled: false, ...ending })).toEqual({
      kind: 'close',
      how: 'drain',
    });
    expect(
      quitPlan({ mode: 'attached', liveWorkers: 2, serviceInstalled: true, ...ending }),
    ).toEqual({ kind: 'close', how: 'detach' });
  });

  it('ends within the deadline the OS gives, whatever the plan', () => {
    for (const how of ['drain', 'handoff', 'detach'] as const)
      expect(quitDeadlineMs('os-ending', how)).toBe(OS_ENDING_DEADLINE_MS);
    expect(OS_ENDING_DEADLINE_MS).toBeLessThan(5_000);
  });

  it('a signal never asks either, and its drain waits for the runs', () => {
    expect(
      quitPlan({ mode: 'own', liveWorkers: 1, serviceInstalled: true, reason: 'signal' }),
    ).toEqual({ kind: 'close', how: 'handoff' });
    expect(quitDeadlineMs('signal', 'drain')).toBeNull();
    expect(QUIT_SIGNALS).toEqual(['SIGTERM', 'SIGINT', 'SIGHUP']);
  });

  it('asks whether a service is installed briefly when the session ends', () => {
    expect(serviceQueryMs('os-ending')).toBeLessThan(OS_ENDING_DEADLINE_MS / 2);
    expect(serviceQueryMs('user')).toBe(5_000);
  });

  it("a person's drain waits for the runs; letting go has a deadline", () => {
    expect(quitDeadlineMs('user', 'drain')).toBeNull();
    expect(quitDeadlineMs('user', 'handoff')).toBe(LET_GO_DEADLINE_MS);
    expect(quitDeadlineMs('user', 'detach')).toBe(LET_GO_DEADLINE_MS);
  });

  it('Windows: holds the session end up only while it has workers to close', () => {
    expect(holdSessionEnd({ mode: 'own', liveWorkers: 1 })).toBe(true);
    expect(holdSessionEnd({ mode: 'own', liveWorkers: 0 })).toBe(false);
    expect(holdSessionEnd({ mode: 'attached', liveWorkers: 3 })).toBe(false);
  });
});

describe('quit', () => {
  it('an attached app leaves the daemon and its workers alone', () => {
    expect(quitPlan({ mode: 'attached', liveWorkers: 3, serviceInstalled: true })).toEqual({
      kind: 'close',
      how: 'detach',
    });
  });

  it('an owning app drains its workers when no service can take them', () => {
    expect(quitPlan({ mode: 'own', liveWorkers: 2, serviceInstalled: false })).toEqual({
      kind: 'close',
      how: 'drain',
    });
    expect(quitPlan({ mode: 'own', liveWorkers: 0, serviceInstalled: true })).toEqual({
      kind: 'close',
      how: 'drain',
    });
  });

  it('asks when a service is installed; the buttons map to handoff, drain, cancel', () => {
    expect(quitPlan({ mode: 'own', liveWorkers: 1, serviceInstalled: true })).toEqual({
      kind: 'ask',
    });
    expect(QUIT_QUESTION.buttons.map((_, i) => quitChoice(i))).toEqual([
      'handoff',
      'drain',
      'cancel',
    ]);
    expect(quitChoice(QUIT_QUESTION.cancelId)).toBe('cancel');
    expect(quitChoice(QUIT_QUESTION.defaultId)).toBe('handoff');
  });

  it('shows the drain as it goes', () => {
    expect(drainStatusLine(3, 3)).toBe('Quitting — stopping workers (3 of 3 still running)');
    expect(drainStatusLine(0, 3)).toBe('Quitting…');
    expect(drainStatusLine(0, 0)).toBe('Quitting…');
    // Never "1 of 0": with nothing to drain, the line only says it quits.
    expect(drainStatusLine(1, 0)).toBe('Quitting…');
    expect([3, 2, 0].map((left) => drainProgress(left, 3))).toEqual([0, 1 / 3, 1]);
    expect(drainProgress(0, 0)).toBe(-1);
  });
});

describe('does the service own these workers', () => {
  it('only when its unit runs the daemon for this PIPEDAI_HOME', () => {
    const unit =
      '[Service]\nEnvironment=PIPEDAI_HOME=/home/ann/.pipedai\nExecStart=/usr/bin/node /cli.js start\n';
    expect(serviceManagesHome(unit, '/home/ann/.pipedai')).toBe(true);
    expect(serviceManagesHome(unit, '/home/ann/.pipedai-test')).toBe(false);
    expect(serviceManagesHome(unit, '/home/ann')).toBe(false);
    expect(serviceManagesHome('<string>/Users/ann/.pipedai</string>', '/Users/ann/.pipedai')).toBe(
      true,
    );
    expect(
      serviceManagesHome('"PIPEDAI_HOME=C:\\Users\\Ann\\.pipedai"', 'C:\\Users\\Ann\\.pipedai'),
    ).toBe(true);
    expect(serviceManagesHome(null, '/home/ann/.pipedai')).toBe(false);
    // No state folder to compare: never "yes" (an empty pattern would match any unit).
    expect(serviceManagesHome(unit, '')).toBe(false);
  });
});
