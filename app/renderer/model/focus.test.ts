import { describe, expect, it } from 'vitest';
import { focusAfterVerb, returnFocusTarget, type FocusTree } from './focus.ts';

describe('focusAfterVerb', () => {
  it('goes to the button that replaced the one pressed', () => {
    expect(focusAfterVerb('stop', ['start', 'disable', 'delete'])).toBe('start');
    expect(focusAfterVerb('force-stop', ['start', 'disable', 'delete'])).toBe('start');
    expect(focusAfterVerb('start', ['stop', 'restart', 'disable', 'delete'])).toBe('stop');
    expect(focusAfterVerb('disable', ['start', 'enable', 'delete'])).toBe('enable');
    expect(focusAfterVerb('enable', ['start', 'disable', 'delete'])).toBe('disable');
  });

  it('stays on the same verb when it is still offered (Restart), else the first button', () => {
    expect(focusAfterVerb('restart', ['stop', 'restart', 'disable'])).toBe('restart');
    // A stop whose frame has not come yet: Stop is still there, so it stays on Stop.
    expect(focusAfterVerb('stop', ['stop', 'restart'])).toBe('stop');
    expect(focusAfterVerb('upgrade', ['stop', 'restart', 'rollback'])).toBe('rollback');
    expect(focusAfterVerb('delete', ['stop', 'restart'])).toBe('stop');
    expect(focusAfterVerb('delete', [])).toBeNull();
  });

  it('after a restart that left no Restart, Stop; after an install, the controls of a worker that can run', () => {
    expect(focusAfterVerb('restart', ['disable', 'stop'])).toBe('stop');
    expect(focusAfterVerb('install-runtime', ['disable', 'restart', 'stop'])).toBe('stop');
    expect(focusAfterVerb('install-runtime', ['disable', 'restart'])).toBe('restart');
    expect(focusAfterVerb('rollback', ['stop', 'upgrade', 'rollback'])).toBe('upgrade');
  });

  it('prefers the replacement wherever it stands among the buttons shown', () => {
    expect(focusAfterVerb('stop', ['disable', 'start'])).toBe('start');
    expect(focusAfterVerb('force-stop', ['disable', 'start'])).toBe('start');
    expect(focusAfterVerb('start', ['disable', 'stop'])).toBe('stop');
  });
});

describe('returnFocusTarget', () => {
  interface Node {
    name: string;
    usable: boolean;
    kids?: Node[];
  }
  const tree: FocusTree<Node> = {
    usable: (n) => n.usable,
    firstIn: (n) => n.kids?.find((k) => k.usable) ?? null,
  };
  const button = (name: string, usable = true): Node => ({ name, usable });

  it('gives focus back to the opener while it is usable', () => {
    const opener = button('Logs');
    expect(returnFocusTarget(opener, [], tree)).toBe(opener);
  });

  it('falls back to the closest scope still there, by its first usable control', () => {
    const gone = button('Stop', false);
    const actions: Node = {
      name: 'actions',
      usable: false,
      kids: [gone, button('Disable', false), button('Force stop')],
    };
    const table: Node = { name: 'table', usable: true, kids: [button('Logs')] };
    expect(returnFocusTarget(gone, [actions, table], tree)?.name).toBe('Force stop');
    // The whole row is gone (a deleted worker): the table's first control.
    const removed: Node = { name: 'row', usable: false };
    expect(returnFocusTarget(gone, [removed, table], tree)?.name).toBe('Logs');
  });

  it('takes a scope that takes focus itself, and null when nothing is left', () => {
    const main: Node = { name: 'main', usable: true, kids: [] };
    expect(returnFocusTarget(null, [main], tree)).toBe(main);
    expect(returnFocusTarget(button('x', false), [], tree)).toBeNull();
  });
});
