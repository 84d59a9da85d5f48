import { describe, expect, it } from 'vitest';
import { childEnv } from './child-env.ts';
import { planSpawn } from './tools/run-tool.ts';

describe("children's environment", () => {
  const launched = {
    PATH: '/usr/bin',
    PIPEDAI_HOME: '/h',
    ELECTRON_RUN_AS_NODE: '1',
    PIPEDAI_APP_BINARY: '/opt/P/pipedai-orchestrator',
  };
  it("drops the launcher's variables, in any case, and adds what is asked on purpose", () => {
    expect(childEnv(launched)).toEqual({ PATH: '/usr/bin', PIPEDAI_HOME: '/h' });
    expect(childEnv({ electron_run_as_node: '1', Path: 'C:\\W' })).toEqual({ Path: 'C:\\W' });
    expect(childEnv(launched, { ELECTRON_RUN_AS_NODE: '1' })).toEqual({
      PATH: '/usr/bin',
      PIPEDAI_HOME: '/h',
      ELECTRON_RUN_AS_NODE: '1',
    });
  });
  it('is what a helper command inherits when it is given no environment', () => {
    const saved = process.env.ELECTRON_RUN_AS_NODE;
    process.env.ELECTRON_RUN_AS_NODE = '1';
    try {
      const plan = planSpawn('linux', {
        command: 'systemctl',
        args: ['--version'],
        timeoutMs: 1000,
      });
      expect(plan.options.env?.ELECTRON_RUN_AS_NODE).toBeUndefined();
      expect(plan.options.env?.PATH).toBe(process.env.PATH);
    } finally {
      if (saved === undefined) delete process.env.ELECTRON_RUN_AS_NODE;
      else process.env.ELECTRON_RUN_AS_NODE = saved;
    }
  });
});
