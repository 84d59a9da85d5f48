// JSON.parse that reports where the text goes wrong without quoting it: V8's messages either
// lack a position or embed a snippet of the file, and a snippet of credentials.json is a secret.

export type JsonText =
  | { ok: true; value: unknown }
  | { ok: false; position: number; line: number; column: number; reason: string };

export function parseJsonText(text: string): JsonText {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const position = jsonErrorPosition(text);
    const before = text.slice(0, position).split('\n');
    const reason = position >= text.length ? 'unexpected end of input' : 'unexpected character';
    return {
      ok: false,
      position,
      line: before.length,
      // Stryker disable next-line OptionalChaining: split always gives at least one part
      column: (before.at(-1)?.length ?? 0) + 1,
      reason,
    };
  }
}

class Stop extends Error {
  readonly position: number;
  constructor(position: number) {
    // Stryker disable next-line StringLiteral: a Stop never leaves jsonErrorPosition, only its position does
    super('json syntax error');
    this.position = position;
  }
}

const MAX_DEPTH = 512;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Offset of the first character at which `text` stops being JSON (RFC 8259). */
export function jsonErrorPosition(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      if (c === '"') {
        i++;
        return;
      }
      if (c !== '\\') {
        i++;
        continue;
      }
      i++;
      const e = text.charAt(i); // '' past the end
      if (e !== '' && '"\\/bfnrt'.includes(e)) i++;
      else if (e === 'u') {
        i++;
        for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
      } else fail();
    }
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail();
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          skipSpace();
          if (text[i] !== '"') fail();
          string();
          skipSpace();
          if (text[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        skipSpace();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return string();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) fail();
    i = NUMBER.lastIndex;
  };
  try {
    value(0);
    skipSpace();
    return i; // where the trailing text starts; or the end, if JSON.parse disagreed on the rest
  } catch (err) {
    // Stryker disable next-line ConditionalExpression: only a Stop is thrown inside (the depth bound keeps the recursion off the stack limit)
    if (err instanceof Stop) return err.position;
    throw err;
  }
}
