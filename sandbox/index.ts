// Sandbox runner: `node dist/sandbox.js api --port <n> --state <dir>` (sandbox issue).
process.stderr.write('sandbox: not built yet\n');
process.exit(2);
