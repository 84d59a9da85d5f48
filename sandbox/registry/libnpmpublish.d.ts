// libnpmpublish ships no types: the one call the sandbox registry makes.
declare module 'libnpmpublish' {
  export function publish(
    manifest: Record<string, unknown>,
    tarball: Buffer,
    opts: Record<string, unknown>,
  ): Promise<unknown>;
}
