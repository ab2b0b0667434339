/**
 * The `tracefs-sim` command. `demo` (what `npm start` runs) tours the default tree.
 */
import { parseArgs } from 'node:util';
import { runDemo } from './demo';

const USAGE = `usage: tracefs-sim <command>

commands:
  demo        mount the default tree and walk through the thread's sequences
  help        show this text`;

function main(argv: readonly string[]): number {
  const { positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {},
  });
  const cmd = positionals[0] ?? 'demo';
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  switch (cmd) {
    case 'demo':
      return runDemo(out);
    case 'help':
      out(USAGE);
      return 0;
    default:
      process.stderr.write(`tracefs-sim: unknown command '${cmd}'\n${USAGE}\n`);
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
