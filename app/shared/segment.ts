// Worker and run ids used as file-path segments (§7.3). No schema here: paths.ts (what even
// `--version`'s compile cache needs) checks ids without loading zod; util.ts's PathSegment parses.
export const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;
export function isSafeSegment(s: string): boolean {
  return SAFE_SEGMENT.test(s) && !s.includes('..');
}
