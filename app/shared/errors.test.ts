// What a failure reads like wherever it surfaces: thrown values as text, zod errors as one line
// naming the fields, and the error codes the doors carry.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  COMMAND_ERROR_STATUS,
  CommandError,
  describeZodError,
  errorDetail,
  errorMessage,
  fieldPath,
  firstField,
  isCommandErrorCode,
} from './errors.ts';

describe('thrown values as text', () => {
  it('errorMessage: an Error’s message, else the value as a string', () => {
    expect(errorMessage(new Error('disk full'))).toBe('disk full');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
  });

  it('errorDetail: the stack when there is one, else the message', () => {
    const e = new Error('boom');
    expect(errorDetail(e)).toBe(e.stack);
    expect(errorDetail(e)).toContain('boom');
    const bare = new Error('no stack');
    bare.stack = undefined;
    expect(errorDetail(bare)).toBe('no stack');
    expect(errorDetail(null)).toBe('null');
  });
});

describe('zod errors as one line', () => {
  it('fieldPath: dots between names, brackets around indexes, (root) for none', () => {
    expect(fieldPath(['workers', 0, 'apiUrl'])).toBe('workers[0].apiUrl');
    expect(fieldPath([0, 'label'])).toBe('[0].label');
    expect(fieldPath(['a', 'b'])).toBe('a.b');
    expect(fieldPath([])).toBe('(root)');
  });

  const seven = z.object(Object.fromEntries('abcdefg'.split('').map((k) => [k, z.string()])));

  it('describeZodError: each failing field with its message, at most maxIssues, then a count', () => {
    const error = seven.safeParse({}).error!;
    const text = describeZodError(error);
    const parts = text.split('; ');
    expect(parts).toHaveLength(6);
    expect(parts[0]).toMatch(/^a: /);
    expect(parts[0]).toBe(`a: ${error.issues[0]!.message}`);
    expect(parts.slice(0, 5).map((p) => p.slice(0, 1))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(parts[5]).toBe('…and 2 more');
    expect(describeZodError(error, 2)).toMatch(/^a: [^;]+; b: [^;]+; …and 5 more$/);
    // Exactly as many issues as allowed: no count.
    expect(describeZodError(error, 7).split('; ')).toHaveLength(7);
    expect(describeZodError(error, 7)).not.toContain('more');
  });

  it('firstField: the first failing field, or (root) for a value that is wrong as a whole', () => {
    expect(firstField(seven.safeParse({ a: 'x' }).error!)).toBe('b');
    expect(firstField(z.string().safeParse(1).error!)).toBe('(root)');
  });
});

describe('error codes', () => {
  it('isCommandErrorCode holds for the codes of the table only', () => {
    for (const code of Object.keys(COMMAND_ERROR_STATUS))
      expect(isCommandErrorCode(code)).toBe(true);
    for (const v of ['nope', '', 'toString', 404, null, undefined, { code: 'conflict' }])
      expect(isCommandErrorCode(v), String(v)).toBe(false);
  });

  it('a CommandError carries its code and field, and says what it is', () => {
    const e = new CommandError('precondition', 'connect first', 'workspaceId');
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'CommandError', code: 'precondition', field: 'workspaceId' });
    expect(String(e)).toBe('CommandError: connect first');
  });
});
