// deploy/cloud-init/user-data.yaml against cloud-init's own schema: the system's `cloud-init`
// (Debian's package), else that package unpacked by .ci/run into .cache/cloud-init (not
// installed: its services would run at the next boot), else a plain YAML check of the keys
// (python3's yaml). The test says which validator ran.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/support/cli.ts';

const FILE = join(ROOT, 'deploy/cloud-init/user-data.yaml');
const UNPACKED = join(ROOT, '.cache/cloud-init');

/** The validator that runs here: the command, and its name for people. */
function validator(): {
  name: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
} | null {
  if (spawnSync('cloud-init', ['--version']).status === 0)
    return { name: 'cloud-init schema (system)', cmd: 'cloud-init', args: ['schema', '-c', FILE] };
  const lib = join(UNPACKED, 'usr/lib/python3/dist-packages');
  if (existsSync(join(lib, 'cloudinit')))
    return {
      name: 'cloud-init schema (Debian packages unpacked in .cache/cloud-init)',
      // Debian's Python, without its site packages: only what .ci/run unpacked.
      cmd: '/usr/bin/python3',
      args: ['-S', '-m', 'cloudinit.cmd.main', 'schema', '-c', FILE],
      env: { ...process.env, PYTHONPATH: lib },
    };
  return null;
}

describe('deploy/cloud-init/user-data.yaml', () => {
  it('passes cloud-init schema (or, without cloud-init, a YAML check of its keys)', () => {
    const text = readFileSync(FILE, 'utf8');
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    // The code goes through stdin from a 0600 file on a tmpfs, never on a command line.
    expect(text).toMatch(/connect [^\n]*\\\n\s+< \/run\/pipedai\/enrollment-code/);
    expect(text).not.toMatch(/--token/);
    const v = validator();
    if (v) {
      console.info(`cloud-init.test: validated with ${v.name}`);
      const r = spawnSync(v.cmd, v.args, { encoding: 'utf8', env: v.env ?? process.env });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('Valid cloud-config');
      return;
    }
    console.info('cloud-init.test: no cloud-init here: validated with a YAML check of its keys');
    const check = spawnSync(
      'python3',
      [
        '-c',
        `import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
known = {'users': list, 'packages': list, 'write_files': list, 'runcmd': list}
assert isinstance(doc, dict), 'not a mapping'
for k, v in doc.items():
    assert k in known, 'unknown key ' + k
    assert isinstance(v, known[k]), k + ' has the wrong type'
for f in doc['write_files']:
    assert set(f) <= {'path', 'owner', 'permissions', 'content'}, f
print('ok')`,
        FILE,
      ],
      { encoding: 'utf8' },
    );
    expect(check.status, check.stderr).toBe(0);
  });
});
