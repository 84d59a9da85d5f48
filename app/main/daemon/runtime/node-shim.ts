// `node` for what the runtime starts by name: npm's lifecycle scripts (`sh -c "node …"`) and
// `#!/usr/bin/env node` bins (the model CLI a worker runs). On a machine without Node.js, the
// daemon's own Node answers: a script that execs it (with ELECTRON_RUN_AS_NODE=1 inside
// Electron). Rewritten at every start, so an app that moved or updated points at itself again.
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.ts';
import type { NodeRuntime } from './node-runtime.ts';

/** Single-quote for POSIX sh. */
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface ShimFile {
  name: string;
  content: string;
  mode: number;
}

/** The shim's file for a platform (pure, so every platform's branch is tested here). */
export function nodeShim(platform: NodeJS.Platform, node: NodeRuntime): ShimFile {
  const vars = Object.entries(node.env);
  if (platform === 'win32') {
    const sets = vars.map(([k, v]) => `@set "${k}=${v}"\r\n`).join('');
    return {
      name: 'node.cmd',
      content: `@echo off\r\n@setlocal\r\n${sets}"${node.execPath}" %*\r\n`,
      mode: 0o755,
    };
  }
  const exports = vars.map(([k, v]) => `${k}=${shQuote(v)} `).join('');
  return {
    name: 'node',
    content: `#!/bin/sh\n# Written by pipedai-orchestrator: its own Node, for the worker runtime.\n${exports ? `export ${exports.trim()}\n` : ''}exec ${shQuote(node.execPath)} "$@"\n`,
    mode: 0o755,
  };
}

/** Write the shim into `dir` unless it is already up to date; returns the folder. */
export async function writeNodeShim(
  dir: string,
  platform: NodeJS.Platform,
  node: NodeRuntime,
): Promise<string> {
  const shim = nodeShim(platform, node);
  const path = join(dir, shim.name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current !== shim.content) await writeFileAtomic(path, shim.content, shim.mode);
  await chmod(path, shim.mode).catch(() => undefined);
  return dir;
}
