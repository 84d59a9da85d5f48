import { describe, expect, it, vi } from 'vitest';
import { followLogsLinks, logsTarget } from './deep-link.ts';

describe('logs deep link', () => {
  it('accepts only a worker id after #logs=', () => {
    expect(logsTarget('#logs=2096acd5-289c')).toBe('2096acd5-289c');
    expect(logsTarget('#logs=')).toBeNull();
    expect(logsTarget('#logs=<script>')).toBeNull();
    expect(logsTarget('#runs=w1')).toBeNull();
  });

  it('opens the drawer on load and on hashchange, then clears the fragment', () => {
    let onHash: (() => void) | null = null;
    const win = {
      location: { hash: '#logs=w1', pathname: '/', search: '' },
      history: { replaceState: vi.fn(() => void (win.location.hash = '')) },
      addEventListener: (_: string, fn: () => void) => void (onHash = fn),
    };
    const open = vi.fn();
    followLogsLinks(open, win as never);
    expect(open).toHaveBeenCalledWith('w1');
    expect(win.location.hash).toBe('');
    win.location.hash = '#logs=w2';
    onHash!();
    expect(open).toHaveBeenLastCalledWith('w2');
  });
});
