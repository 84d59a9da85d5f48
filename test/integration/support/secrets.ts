// Secret hygiene for the integration suite: every token the emulator issued (seen on the wire or
// minted by a test), everything the daemon produced (log lines, frames, errors, files), and a
// search of the latter for the former.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const PREFIXED = /^(?:enr|hos|wkt|wrk|pwk|pop|adm|pool)_[A-Za-z0-9_-]{16,}$/;
/** JSON keys whose string values are secrets whatever their shape (device codes carry no prefix). */
const SECRET_KEYS = new Set(['token', 'code', 'deviceCode', 'workerToken', 'operatorToken']);
/** Characters of a token that may be shown (`tokenHint`: the first five). */
const HINT = 5;
/** A run of this many secret characters anywhere counts as a leak. */
const WINDOW = 10;

export class TokenBook {
  private readonly tokens = new Set<string>();

  add(token: string): string {
    if (token.length >= HINT + WINDOW) this.tokens.add(token);
    return token;
  }

  /** Every secret in a JSON value: prefixed tokens anywhere, any string under a secret key. */
  harvestJson(value: unknown, key = ''): void {
    if (typeof value === 'string') {
      if (SECRET_KEYS.has(key) || PREFIXED.test(value)) this.add(value);
    } else if (Array.isArray(value)) {
      for (const v of value) this.harvestJson(v);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) this.harvestJson(v, k);
    }
  }

  harvestText(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    this.harvestJson(json);
  }

  harvestBearer(header: string | undefined): void {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (m?.[1]) this.add(m[1]);
  }

  all(): string[] {
    return [...this.tokens];
  }

  /** How many tokens of each prefix (device codes count as `device`). */
  kinds(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.tokens) {
      const kind = PREFIXED.test(t) ? t.slice(0, t.indexOf('_')) : 'device';
      out[kind] = (out[kind] ?? 0) + 1;
    }
    return out;
  }
}

export interface Text {
  /** What produced it: `log`, `frame:<kind>`, `error`, `file:<path>` (worker files by folder). */
  category: string;
  where: string;
  text: string;
}

/** Everything the daemon said, kept for the leak search at the end of a file. */
export class Evidence {
  readonly texts: Text[] = [];

  add(category: string, where: string, text: string): void {
    this.texts.push({ category, where, text });
  }

  /** An error a command threw: its message and stack. */
  error(where: string, e: unknown): void {
    const text = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
    this.add('error', where, text);
  }

  categories(): Set<string> {
    return new Set(this.texts.map((t) => t.category));
  }

  /** Every file under `home`, except the two kinds that hold secrets by design. */
  async files(home: string, label: string): Promise<number> {
    let n = 0;
    for (const file of await listFiles(home)) {
      const rel = relative(home, file).split(sep).join('/');
      if (rel === 'orchestrator/credentials.json') continue;
      if (/^orchestrator\/workers\/[^/]+\.json$/.test(rel)) continue;
      const category = `file:${rel.replace(/^(logs|runs)\/.*$/, '$1/')}`;
      this.add(category, `${label} ${rel}`, await readFile(file, 'utf8').catch(() => ''));
      n++;
    }
    return n;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

export interface Leak {
  where: string;
  /** The token as it may be shown (first five characters). */
  token: string;
  context: string;
}

/** Any token, or any WINDOW-long piece of its secret part, in any text. */
export function findLeaks(texts: readonly Text[], tokens: readonly string[]): Leak[] {
  const windows = new Map<string, string>();
  for (const t of tokens) {
    const secret = t.slice(HINT);
    for (let i = 0; i + WINDOW <= secret.length; i++) windows.set(secret.slice(i, i + WINDOW), t);
  }
  const leaks: Leak[] = [];
  const run = new RegExp(`[A-Za-z0-9_-]{${WINDOW},}`, 'g');
  for (const { where, text } of texts) {
    for (const m of text.matchAll(run)) {
      for (let i = 0; i + WINDOW <= m[0].length; i++) {
        const token = windows.get(m[0].slice(i, i + WINDOW));
        if (token === undefined) continue;
        const at = (m.index ?? 0) + i;
        leaks.push({
          where,
          token: `${token.slice(0, HINT)}…`,
          context: text.slice(Math.max(0, at - 40), at).replace(/\s+/g, ' '),
        });
        break;
      }
    }
  }
  return leaks;
}

/** The leak search of a whole file, with proof that it would have found a leak. */
export function leakReport(
  evidence: Evidence,
  tokens: TokenBook,
): { leaks: Leak[]; kinds: Record<string, number>; categories: Set<string>; canaries: number } {
  const all = tokens.all();
  const planted = all.flatMap((t, i) => [
    { category: 'canary', where: `canary ${i}`, text: `token=${t}` },
    {
      category: 'canary',
      where: `canary ${i} cut`,
      text: `…${t.slice(HINT + 3, HINT + 3 + WINDOW)}…`,
    },
  ]);
  const canaries = new Set(findLeaks(planted, all).map((l) => l.where)).size;
  return {
    leaks: findLeaks(evidence.texts, all),
    kinds: tokens.kinds(),
    categories: evidence.categories(),
    canaries,
  };
}
