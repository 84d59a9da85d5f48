import { describe, expect, it } from 'vitest';
import { electronNpmCli } from './worker-node.ts';

describe('what runs npm inside Electron', () => {
  it('runs npm from beside app.asar when packaged, from the dependency in a checkout', () => {
    const dep = () => '/src/node_modules/npm/bin/npm-cli.js';
    expect(electronNpmCli({ packaged: true, resourcesPath: '/opt/P/resources' }, dep)).toBe(
      '/opt/P/resources/npm/bin/npm-cli.js',
    );
    expect(electronNpmCli({ packaged: false, resourcesPath: '/x' }, dep)).toBe(dep());
  });
});
