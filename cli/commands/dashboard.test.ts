import { describe, expect, it } from 'vitest';
import { tunnelHint } from './dashboard.ts';

const url = 'http://127.0.0.1:4599/?token=oct_x';

describe('tunnelHint', () => {
  it('names the tunnel to the address the operator reached, and the URL to open there', () => {
    const lines = tunnelHint({
      env: { SSH_CONNECTION: '203.0.113.7 50022 198.51.100.4 22', USER: 'ops' },
      url,
    });
    expect(lines).toContain('  ssh -L 4599:127.0.0.1:4599 ops@198.51.100.4');
    expect(lines).toContain(`  ${url}`);
    expect(lines?.at(-1)).toContain(
      'ssh -L 8080:127.0.0.1:4599 ops@198.51.100.4, then http://127.0.0.1:8080/?token=oct_x',
    );
  });
  it('adds -p for sshd on another port', () => {
    const lines = tunnelHint({ env: { SSH_CONNECTION: '::1 5 ::1 2222', USER: 'ops' }, url });
    expect(lines).toContain('  ssh -p 2222 -L 4599:127.0.0.1:4599 ops@::1');
  });
  it('says nothing outside SSH or when SSH_CONNECTION does not parse', () => {
    expect(tunnelHint({ env: {}, url })).toBeNull();
    expect(tunnelHint({ env: { SSH_CONNECTION: '' }, url })).toBeNull();
    expect(tunnelHint({ env: { SSH_CONNECTION: 'a b c' }, url })).toBeNull();
    expect(tunnelHint({ env: { SSH_CONNECTION: '1 2 3 port' }, url })).toBeNull();
  });
});
