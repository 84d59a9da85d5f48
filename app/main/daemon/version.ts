// Replaced at bundle time by esbuild's `define`; under vitest it is read from package.json.
declare const __PIPEDAI_VERSION__: string | undefined;
export const VERSION: string =
  typeof __PIPEDAI_VERSION__ === 'string'
    ? __PIPEDAI_VERSION__
    : (process.env.npm_package_version ?? '0.0.0-dev');
