import { describe, expect, it } from 'vitest';
import { worker } from '../../../renderer/store/test-support.ts';
import { createDaemonMetrics } from './metrics.ts';

const BUILD = { version: '0.8.0', node: '22.23.3', platform: 'linux' };

function metricsOf(workers = [worker('w1', { label: 'alpha' })]) {
  const m = createDaemonMetrics(BUILD);
  m.attach({ workers: async () => workers, connectivity: () => null });
  return m;
}

describe('daemon metrics', () => {
  it("has every worker's output counters at 0 before any output, so rate() starts at once", async () => {
    const text = await metricsOf().text();
    for (const stream of ['out', 'err'])
      for (const name of ['log_lines_total', 'log_bytes_total'])
        expect(text).toContain(
          `pipedai_worker_${name}{worker="alpha",id="w1",stream="${stream}"} 0`,
        );
    expect(text).toContain('pipedai_worker_log_bytes_skipped_total{worker="alpha",id="w1"} 0');
    expect(text).toContain('pipedai_worker_log_lines_dropped_total{worker="alpha",id="w1"} 0');
  });

  it('counts what the capture read and a slow client lost, for known workers only', async () => {
    const m = metricsOf();
    m.captured('w1', 'out', 120, 3);
    m.captured('w1', 'out', 40, 1);
    m.logLinesDropped('w1', 500);
    m.captured('gone', 'out', 10, 1);
    const text = await m.text();
    expect(text).toContain('pipedai_worker_log_lines_total{worker="alpha",id="w1",stream="out"} 4');
    expect(text).toContain(
      'pipedai_worker_log_bytes_total{worker="alpha",id="w1",stream="out"} 160',
    );
    expect(text).toContain('pipedai_worker_log_lines_dropped_total{worker="alpha",id="w1"} 500');
    expect(text).not.toContain('id="gone"');
  });

  it("says which workers' remote status is out of date, and has no series without one", async () => {
    const remote = {
      status: 'online',
      currentRunId: null,
      version: null,
      lastSeenAt: null,
      disabled: false,
    };
    const text = await metricsOf([
      worker('w1', {
        label: 'alpha',
        remote: { ...remote, stale: true, staleReason: 'api-unreachable' },
      }),
      worker('w2', { label: 'beta', remote }),
      worker('w3', { label: 'gamma', remote: null }),
    ]).text();
    expect(text).toContain('pipedai_worker_remote_stale{worker="alpha",id="w1"} 1');
    expect(text).toContain('pipedai_worker_remote_stale{worker="beta",id="w2"} 0');
    expect(text).not.toMatch(/pipedai_worker_remote_stale\{worker="gamma"/);
  });
});
