import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Tests never touch the real ~/.pipedai: every run gets a throwaway PIPEDAI_HOME
// (tests that need isolation make their own below it).
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'pipedai-test-'));
  process.env.PIPEDAI_HOME = join(root, 'home');
  process.env.PIPEDAI_TEST_ROOT = root;
  return () => rmSync(root, { recursive: true, force: true });
}
