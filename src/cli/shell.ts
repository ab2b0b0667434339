/**
 * `tracefs-sim shell`: an interactive shell over a mounted default tree. The interpreter is a
 * pure function of (mount, cwd, line) to (output, errors, cwd, ok), so that it can be tested
 * without a terminal; {@link runShell} feeds it from stdin, with a readline prompt on a TTY and
 * silently (outputs only, exit status 1 if any command failed) when a script is piped in.
 */
import { completeLine, runShellLine, shellPrompt } from './shell-commands';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { mount, type Tracefs } from '../facade';
import { isVariantName, variants } from '../eventfs/variants/index';

export {
  applySymbolicMode,
  columnate,
  modeString,
  resolvePath,
  SHELL_HELP,
  strerror,
  tokenize,
  type ShellOptions,
  type ShellResult,
  type Token,
} from './shell-text';
export { completeLine, runShellLine, SHELL_COMMANDS, shellPrompt } from './shell-commands';

/** Where the shell reads and writes. */
export interface ShellIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream;
}

class ShellUsageError extends Error {}

function parseMountId(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 0xfffffffe)
    throw new ShellUsageError(`--${name} takes a numeric id`);
  return Number(v);
}

/** Parse the shell's options and mount. Throws Error subclasses with a usage message. */
export function mountForShell(args: readonly string[]): Tracefs {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: {
      variant: { type: 'string' },
      uid: { type: 'string' },
      gid: { type: 'string' },
      mode: { type: 'string' },
    },
  });
  if (positionals.length > 0)
    throw new ShellUsageError(`shell takes no operands (got '${positionals[0]}')`);
  const variant = values.variant ?? 'fixed';
  if (!isVariantName(variant))
    throw new ShellUsageError(`no variant '${variant}' (try: ${variants.join(', ')})`);
  const uid = parseMountId(values.uid, 'uid');
  const gid = parseMountId(values.gid, 'gid');
  let mode: number | undefined;
  if (values.mode !== undefined) {
    if (!/^[0-7]{1,4}$/.test(values.mode))
      throw new ShellUsageError('--mode takes an octal mode (e.g. 0750)');
    mode = parseInt(values.mode, 8);
  }
  return mount({
    variant,
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
    ...(mode !== undefined ? { mode } : {}),
  });
}

export { ShellUsageError };

function writeLines(stream: NodeJS.WritableStream, lines: readonly string[]): void {
  if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
}

/**
 * Run the shell: with a TTY on stdin, a readline prompt `tracefs:/path# `; otherwise read the
 * script on stdin line by line, print outputs only, and return 1 if any command failed (or the
 * status `exit N` gave).
 */
export async function runShell(args: readonly string[], io: ShellIo): Promise<number> {
  const fs = mountForShell(args);
  let cwd = '/';
  if (io.stdin.isTTY === true) {
    const rl = createInterface({
      input: io.stdin,
      output: io.stdout,
      terminal: true,
      completer: (line: string) => completeLine(fs, cwd, line),
    });
    const c = fs.counters();
    io.stdout.write(
      `tracefs-sim shell: a tracefs mount with eventfs=${fs.variant} (${c.eventfsInodes} eventfs_inodes); type help, exit or ^D to leave\n`,
    );
    let code = 0;
    let lastOk = true;
    rl.setPrompt(shellPrompt(cwd));
    rl.prompt();
    return new Promise<number>((resolve) => {
      rl.on('line', (line) => {
        const cols = io.stdout.columns;
        const r = runShellLine(fs, cwd, line, {
          columns: cols !== undefined && cols > 0 ? cols : 80,
        });
        writeLines(io.stdout, r.output);
        writeLines(io.stderr, r.errors);
        cwd = r.cwd;
        lastOk = r.ok;
        if (r.exit !== undefined) {
          code = r.exit.code ?? (lastOk ? 0 : 1);
          rl.close();
          return;
        }
        rl.setPrompt(shellPrompt(cwd));
        rl.prompt();
      });
      rl.on('SIGINT', () => {
        io.stdout.write('^C\n');
        rl.write(null, { ctrl: true, name: 'u' });
        rl.prompt();
      });
      rl.on('close', () => {
        resolve(code);
      });
    });
  }
  const rl = createInterface({ input: io.stdin, terminal: false, crlfDelay: Infinity });
  let failed = false;
  for await (const line of rl) {
    const r = runShellLine(fs, cwd, line);
    writeLines(io.stdout, r.output);
    writeLines(io.stderr, r.errors);
    cwd = r.cwd;
    if (!r.ok) failed = true;
    if (r.exit !== undefined) {
      rl.close();
      return r.exit.code ?? (failed ? 1 : 0);
    }
  }
  return failed ? 1 : 0;
}
