import { describe, expect, it } from 'vitest';
import { planSelfUpgrade } from './upgrade-self.ts';

describe('planSelfUpgrade', () => {
  const plan = (o: { latest?: string | null; version?: string; allowDowngrade?: boolean }) =>
    planSelfUpgrade({ from: '0.8.0', latest: o.latest ?? null, allowDowngrade: false, ...o });

  it('goes to the latest release, or the named version', () => {
    expect(plan({ latest: '0.9.0' })).toEqual({
      kind: 'install',
      from: '0.8.0',
      to: '0.9.0',
      downgrade: false,
    });
    expect(plan({ latest: '0.9.0', version: '0.8.1' })).toMatchObject({
      kind: 'install',
      to: '0.8.1',
    });
  });
  it('never downgrades to an older "latest"; a named older version needs --allow-downgrade', () => {
    expect(plan({ latest: '0.7.1' })).toEqual({
      kind: 'nothing',
      message:
        'the orchestrator 0.8.0 is newer than the latest release (0.7.1): nothing to upgrade',
    });
    expect(plan({ version: '0.7.1' }).kind).toBe('refuse');
    expect(plan({ version: '0.7.1', allowDowngrade: true })).toMatchObject({
      kind: 'install',
      downgrade: true,
    });
  });
  it('a pre-release is older than its release', () => {
    expect(plan({ version: '0.8.0-rc.1' }).kind).toBe('refuse');
  });
});
