// The loopback-only guards, alone: what each accepts and what it refuses.
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../shared/index.ts';
import {
  BIND_ADDRESS,
  assertLoopbackBind,
  bearerOf,
  isAllowedHost,
  isAllowedOrigin,
  isLoopbackAuthority,
  isLoopbackBind,
  tokenMatches,
} from './security.ts';

describe('bind address', () => {
  it('accepts 127.0.0.1 and localhost in any case and spacing; binds 127.0.0.1', () => {
    for (const host of ['127.0.0.1', 'localhost', ' LocalHost '])
      expect(isLoopbackBind(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::1', '', '127.0.0.2', 'localhost.example'])
      expect(isLoopbackBind(host), host).toBe(false);
    expect(BIND_ADDRESS).toBe('127.0.0.1');
  });

  it('refuses anything else as a bad request on the host field, naming the SSH tunnel', () => {
    expect(() => assertLoopbackBind('localhost')).not.toThrow();
    let err: unknown;
    try {
      assertLoopbackBind('0.0.0.0');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ code: 'bad-request', field: 'host' });
    expect((err as Error).message).toMatch(/^refusing to listen on 0\.0\.0\.0: .*ssh -L/);
  });
});

describe('Host and Origin', () => {
  it('a loopback authority is the whole value, in any case, blanks around it ignored', () => {
    expect(isLoopbackAuthority(' LocalHost:8080 ')).toBe(true);
    expect(isLoopbackAuthority('[::1]')).toBe(true);
    // A loopback name at the end of something else is not one.
    for (const a of ['x:localhost', 'evil[::1]', 'evil.example:localhost', 'localhost:80x'])
      expect(isLoopbackAuthority(a), a).toBe(false);
  });

  it('no Host header is not allowed', () => {
    expect(isAllowedHost(undefined)).toBe(false);
    expect(isAllowedHost('127.0.0.1:4599')).toBe(true);
  });

  it('an Origin is a whole http URL of a loopback name; absent is fine', () => {
    expect(isAllowedOrigin(undefined)).toBe(true);
    expect(isAllowedOrigin(' http://localhost:8080 ')).toBe(true);
    expect(isAllowedOrigin('HTTP://127.0.0.1')).toBe(true);
    for (const o of ['xhttp://localhost', 'http://localhost\nhttp://evil.example', 'http://'])
      expect(isAllowedOrigin(o), JSON.stringify(o)).toBe(false);
  });
});

describe('bearer token', () => {
  it('takes the one word after Bearer, any case, any blanks', () => {
    expect(bearerOf('Bearer oct_abc')).toBe('oct_abc');
    expect(bearerOf('bearer  oct_abc  ')).toBe('oct_abc');
    expect(bearerOf('BEARER\toct_abc')).toBe('oct_abc');
    for (const h of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Basic oct_abc',
      'xBearer oct_abc',
      'Bearer a b',
    ])
      expect(bearerOf(h), String(h)).toBeNull();
  });

  it('matches the expected token only, whatever the lengths', () => {
    const token = `oct_${'a'.repeat(43)}`;
    expect(tokenMatches(token, token)).toBe(true);
    for (const presented of [null, undefined, '', 'oct_', `${token}a`, token.slice(0, -1)])
      expect(tokenMatches(presented, token), String(presented)).toBe(false);
  });
});
