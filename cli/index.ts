import { Command } from 'commander';
import { VERSION } from '../app/main/daemon/version.ts';

const program = new Command('pipedai-orchestrator')
  .description('Local control plane for PipedAI workers')
  .version(VERSION, '-V, --version');
program
  .command('version')
  .description('print the version')
  .action(() => {
    process.stdout.write(`${VERSION}\n`);
  });
await program.parseAsync(process.argv);
