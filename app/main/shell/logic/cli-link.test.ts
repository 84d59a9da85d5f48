import { describe, expect, it } from 'vitest';
import { bundledLauncher, cliLinkCommand, cliLinkState, CLI_LINK_PATH } from './cli-link.ts';

const RESOURCES = '/Applications/PipedAI Orchestrator.app/Contents/Resources';
const LAUNCHER = `${RESOURCES}/bin/pipedai-orchestrator`;

describe('macOS: Install command line tool', () => {
  it("links /usr/local/bin/pipedai-orchestrator to the bundle's launcher", () => {
    expect(bundledLauncher(RESOURCES)).toBe(LAUNCHER);
    expect(cliLinkCommand(LAUNCHER, true)).toEqual({
      command: 'ln',
      args: ['-sfn', LAUNCHER, CLI_LINK_PATH],
    });
  });
  it('asks for an administrator through osascript when the folder is not writable', () => {
    expect(cliLinkCommand(LAUNCHER, false)).toEqual({
      command: 'osascript',
      args: [
        '-e',
        `do shell script "mkdir -p '/usr/local/bin' && ln -sfn '/Applications/PipedAI Orchestrator.app/Contents/Resources/bin/pipedai-orchestrator' '/usr/local/bin/pipedai-orchestrator'" with administrator privileges`,
      ],
    });
    // A quote or backslash in the app's path stays inside both quotings.
    const odd = `/Users/o'brien/Apps/"P"\\.app/Contents/Resources/bin/pipedai-orchestrator`;
    expect(cliLinkCommand(odd, false).args[1]).toBe(
      `do shell script "mkdir -p '/usr/local/bin' && ln -sfn '/Users/o'\\\\''brien/Apps/\\"P\\"\\\\.app/Contents/Resources/bin/pipedai-orchestrator' '/usr/local/bin/pipedai-orchestrator'" with administrator privileges`,
    );
  });
  it('tells our link from nothing and from something else', () => {
    expect(cliLinkState(LAUNCHER, LAUNCHER, true)).toBe('installed');
    expect(cliLinkState(LAUNCHER, null, false)).toBe('absent');
    expect(cliLinkState(LAUNCHER, '/opt/homebrew/lib/node_modules/x/cli.js', true)).toBe('other');
    expect(cliLinkState(LAUNCHER, null, true)).toBe('other'); // a file, not a link
    // A dangling link (to an app since deleted) is there, to be replaced.
    expect(cliLinkState(LAUNCHER, '/Applications/Old.app/Contents/Resources/bin/x', false)).toBe(
      'other',
    );
  });
});
