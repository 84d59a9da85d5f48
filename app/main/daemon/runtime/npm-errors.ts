// What went wrong in an npm run, in the operator's terms: the registry (origin only, never
// credentials), the failure kind, and a sentence naming the registry and the package.
import type { InstallFailure } from '../../../shared/index.ts';
import type { ToolResult } from '../tools/run-tool.ts';

const CODE = /npm (?:error|ERR!) code (\S+)/;
const URL_IN_TEXT = /\bhttps?:\/\/[^\s'"<>)]+/;

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ESOCKETTIMEDOUT',
  'ERR_SOCKET_TIMEOUT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
]);

/** The origin of the first URL npm printed (a registry or tarball URL), without credentials. */
export function registryIn(text: string): string | null {
  const m = URL_IN_TEXT.exec(text);
  if (!m) return null;
  try {
    return new URL(m[0]).origin;
  } catch {
    return null;
  }
}

/** npm's error code: `npm error code X` on stderr, or `{"error":{"code":X}}` with --json. */
export function npmErrorCode(r: Pick<ToolResult, 'stdout' | 'stderr'>): string | null {
  const fromLog = CODE.exec(r.stderr)?.[1];
  if (fromLog) return fromLog;
  try {
    const json = JSON.parse(r.stdout) as { error?: { code?: unknown } };
    return typeof json.error?.code === 'string' ? json.error.code : null;
  } catch {
    return null;
  }
}

export function classifyNpmFailure(r: ToolResult): InstallFailure {
  if (r.timedOut) return 'timeout';
  const code = npmErrorCode(r) ?? '';
  const text = `${r.stderr}\n${r.stdout}`;
  if (code === 'E404' || /\b404 Not Found\b/.test(text)) return 'not-found';
  if (code === 'ETARGET') return 'not-found';
  if (['E401', 'E403', 'ENEEDAUTH', 'EOTP'].includes(code)) return 'auth';
  if (code === 'EINTEGRITY' || /integrity checksum failed/i.test(text)) return 'integrity';
  if (code === 'ENOSPC' || /\bENOSPC\b/.test(text)) return 'disk-full';
  if (UNREACHABLE.has(code) || /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT)\b/.test(text))
    return 'unreachable';
  return 'other';
}

/** One sentence for the operator: what failed, where, and what to check. */
export function describeInstallFailure(
  failure: InstallFailure,
  spec: string,
  registry: string | null,
  detail: string,
): string {
  const where = registry ?? 'the npm registry';
  const tail = detail ? ` (${detail})` : '';
  switch (failure) {
    case 'unreachable':
      return `cannot reach ${where} to install ${spec}: check the network, a proxy setting or the registry in your .npmrc${tail}`;
    case 'not-found':
      return `${spec} is not on ${where}${tail}`;
    case 'auth':
      return `${where} refused ${spec}: check the auth token for it in your .npmrc${tail}`;
    case 'integrity':
      return `${spec} from ${where} failed npm's integrity check (the download does not match the registry's checksum)${tail}`;
    case 'disk-full':
      return `no space left on the disk to install ${spec} from ${where}${tail}`;
    case 'timeout':
      return `installing ${spec} from ${where} took too long and was stopped${tail}`;
    case 'verify':
      return `${spec} from ${where} installed but does not work: ${detail}`;
    case 'other':
      return `installing ${spec} from ${where} failed${tail}`;
  }
}

/** The last meaningful lines of npm's output (no debug-log pointer), cut short. */
export function npmDetail(r: ToolResult): string {
  const lines = `${r.stderr}`
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!|warn)\s*/, '').trim())
    .filter((l) => l && !/complete log of this run|^code \S+$|^(errno|syscall)\b/.test(l));
  let summary = '';
  try {
    const json = JSON.parse(r.stdout) as { error?: { summary?: unknown } };
    if (typeof json.error?.summary === 'string') summary = json.error.summary;
  } catch {
    // not JSON output
  }
  return (summary || lines.slice(0, 2).join(' ')).slice(0, 300);
}
