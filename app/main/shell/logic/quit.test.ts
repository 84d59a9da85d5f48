import { describe, expect, it } from 'vitest';
import {
  QUIT_QUESTION,
  drainProgress,
  drainStatusLine,
  quitChoice,
  quitPlan,
  serviceManagesHome,
} from './quit.ts';

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
  });
});
