/**
 * `tracefs-sim shell`: an interactive shell over a mounted default tree. The interpreter is a
 * pure function of (mount, cwd, line) to (output, errors, cwd, ok), so that it can be tested
 * without a terminal; {@link runShell} feeds it from stdin, with a readline prompt on a TTY and
 * silently (outputs only, exit status 1 if any command failed) when a script is piped in.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { mount, type Tracefs } from '../facade';
import { isVariantName, variants } from '../eventfs/variants/index';
import { formatViolation } from '../sim/report';
import { FsError, KernelBugError, type ErrnoCode } from '../vfs/errors';
import type { FlagString } from '../vfs/file';
import type { DirEntry, Stat } from '../vfs/types';

/** What one command line did. */
export interface ShellResult {
  /** Lines for stdout. */
  readonly output: string[];
  /** Lines for stderr (coreutils-style messages, kernel reports). */
  readonly errors: string[];
  /** The working directory afterwards (absolute, '/' is the mount root). */
  readonly cwd: string;
  /** False when a command failed (its exit status would be non-zero). */
  readonly ok: boolean;
  /** Set by `exit`: the shell should stop, with this status (undefined: the default status). */
  readonly exit?: { readonly code: number | undefined };
}

/** Options of {@link runShellLine}. */
export interface ShellOptions {
  /** Terminal width: `ls` prints names in columns like on a TTY. Without it, one name per line. */
  readonly columns?: number;
}

/** strerror(3) texts, as coreutils print them. */
const STRERROR: Readonly<Record<ErrnoCode, string>> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  EXDEV: 'Invalid cross-device link',
  ENODEV: 'No such device',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  EFBIG: 'File too large',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EMLINK: 'Too many links',
  E2BIG: 'Argument list too long',
  ERANGE: 'Numerical result out of range',
  ENAMETOOLONG: 'File name too long',
  ENOTEMPTY: 'Directory not empty',
  ELOOP: 'Too many levels of symbolic links',
  ENOSYS: 'Function not implemented',
  EOPNOTSUPP: 'Operation not supported',
};

/** The strerror text of an errno name. */
export function strerror(code: ErrnoCode): string {
  return STRERROR[code];
}

/** The help text of the shell. */
export const SHELL_HELP = `commands (paths are relative to the working directory; / is the mount root):
  ls [-l] [-a] [PATH...]       list a directory (-l: mode, links, uid, gid, size, name)
  cd [PATH]                    change directory (no PATH: /)
  pwd                          print the working directory
  cat PATH...                  print files
  echo [-n] [-e] TEXT          print TEXT; with > PATH write it (truncating), >> PATH append
  mkdir PATH...                create directories (instances/NAME)
  rmdir PATH...                remove directories
  stat PATH...                 inode, mode, links, owner, size
  chmod MODE PATH...           MODE: octal (640) or symbolic (u+x, go-w, a=r)
  chown UID[:GID] PATH...      numeric ids (':GID' changes the group only)
  find [PATH...] [-maxdepth N] [-type d|f] [-name GLOB]
                               every name below PATH, recursively
  tree [PATH] [-L DEPTH] [-d]  the tree below PATH
  shrink                       drop every unused dentry (memory pressure)
  counters                     live dentries, negative dentries, inodes, eventfs_inodes
  invariants                   check the model's invariants
  help                         this text
  exit [N]                     leave the shell
quotes ('…', "…") and backslashes work as in sh; ';' separates commands; # starts a comment`;

// ---------------------------------------------------------------------------------------------
// Tokenizer

/** A word or an operator of a command line. */
export type Token =
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'op'; readonly text: '>' | '>>' | ';' | '|' | '<' | '&' };

/**
 * Split a line into words and operators (> >> ; and the unsupported | < &). Throws SyntaxError
 * on an open quote.
 */
export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let word = '';
  let inWord = false;
  const flush = (): void => {
    if (inWord) out.push({ kind: 'word', text: word });
    word = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new SyntaxError("unexpected EOF while looking for matching `''");
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const c = line[j]!;
        const next = line[j + 1];
        if (c === '\\' && next !== undefined && '"\\$`'.includes(next)) {
          word += next;
          j++;
        } else word += c;
      }
      if (j >= line.length) throw new SyntaxError('unexpected EOF while looking for matching `"\'');
      i = j;
    } else if (ch === '\\') {
      const next = line[i + 1];
      if (next !== undefined) {
        word += next;
        i++;
      }
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      flush();
    } else if (ch === '#' && !inWord) {
      break;
    } else if (ch === ';' || ch === '|' || ch === '<' || ch === '&') {
      flush();
      out.push({ kind: 'op', text: ch });
    } else if (ch === '>') {
      flush();
      if (line[i + 1] === '>') {
        out.push({ kind: 'op', text: '>>' });
        i++;
      } else out.push({ kind: 'op', text: '>' });
    } else {
      word += ch;
      inWord = true;
    }
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paths and formatting

/** Resolve `arg` against `cwd` lexically ('.' and '..', never above the root). */
export function resolvePath(cwd: string, arg: string): string {
  const parts = arg.startsWith('/') ? [] : cwd.split('/').filter((p) => p !== '');
  for (const c of arg.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  return `/${parts.join('/')}`;
}

/** `drwxr-x---` from st_mode. */
export function modeString(mode: number): string {
  const type = (mode & 0o170000) === 0o040000 ? 'd' : (mode & 0o170000) === 0o100000 ? '-' : '?';
  const bit = (m: number, c: string): string => (mode & m ? c : '-');
  const special = (x: boolean, setc: string, exec: boolean): string =>
    x ? (exec ? setc : setc.toUpperCase()) : exec ? 'x' : '-';
  return (
    type +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special((mode & 0o4000) !== 0, 's', (mode & 0o100) !== 0) +
    bit(0o40, 'r') +
    bit(0o20, 'w') +
    special((mode & 0o2000) !== 0, 's', (mode & 0o10) !== 0) +
    bit(0o4, 'r') +
    bit(0o2, 'w') +
    special((mode & 0o1000) !== 0, 't', (mode & 0o1) !== 0)
  );
}

/** Names in columns, column-major, like `ls -C` for a terminal `width` wide. */
export function columnate(names: readonly string[], width: number): string[] {
  if (names.length === 0) return [];
  for (let cols = names.length; cols >= 1; cols--) {
    const rows = Math.ceil(names.length / cols);
    if (cols > 1 && Math.ceil(names.length / rows) < cols) continue;
    const widths: number[] = [];
    for (let c = 0; c < cols; c++) {
      const col = names.slice(c * rows, (c + 1) * rows);
      widths.push(Math.max(0, ...col.map((n) => n.length)));
    }
    const total = widths.reduce((a, b) => a + b, 0) + 2 * (cols - 1);
    if (total <= width || cols === 1) {
      const lines: string[] = [];
      for (let r = 0; r < rows; r++) {
        let line = '';
        for (let c = 0; c < cols; c++) {
          const n = names[c * rows + r];
          if (n === undefined) continue;
          const last = c === cols - 1 || names[(c + 1) * rows + r] === undefined;
          line += last ? n : n.padEnd(widths[c]! + 2);
        }
        lines.push(line);
      }
      return lines;
    }
  }
  return [...names];
}

function fmtCounters(fs: Tracefs): string {
  const c = fs.counters();
  return `dentries=${c.dentries} (negative ${c.negativeDentries}) inodes=${c.inodes} eventfs_inodes=${c.eventfsInodes}`;
}

/** Lines of a text, without the empty one after a final newline. */
function textLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Apply a symbolic mode (u+x,go-w,a=r) to `mode`; null when it does not parse. */
export function applySymbolicMode(mode: number, spec: string): number | null {
  let m = mode & 0o7777;
  for (const clause of spec.split(',')) {
    const r = /^([ugoa]*)([+\-=])([rwxXst]*)$/.exec(clause);
    if (r === null) return null;
    const who = r[1] === '' || r[1]!.includes('a') ? 'ugo' : r[1]!;
    let bits = 0;
    for (const p of r[3]!) {
      for (const w of who) {
        const shift = w === 'u' ? 6 : w === 'g' ? 3 : 0;
        if (p === 'r') bits |= 4 << shift;
        else if (p === 'w') bits |= 2 << shift;
        else if (p === 'x' || (p === 'X' && (mode & 0o40000) !== 0)) bits |= 1 << shift;
        else if (p === 's' && w !== 'o') bits |= w === 'u' ? 0o4000 : 0o2000;
        else if (p === 't' && w === 'o') bits |= 0o1000;
      }
    }
    let mask = 0;
    for (const w of who) mask |= w === 'u' ? 0o4700 : w === 'g' ? 0o2070 : 0o1007;
    if (r[2] === '+') m |= bits;
    else if (r[2] === '-') m &= ~bits;
    else m = (m & ~mask) | bits;
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// The interpreter

class Session {
  readonly output: string[] = [];
  readonly errors: string[] = [];
  ok = true;
  exit: { code: number | undefined } | undefined;

  constructor(
    readonly fs: Tracefs,
    public cwd: string,
    readonly opts: ShellOptions,
    readonly line: string,
  ) {}

  out(...lines: string[]): void {
    this.output.push(...lines);
  }

  fail(...lines: string[]): void {
    this.errors.push(...lines);
    this.ok = false;
  }

  abs(arg: string): string {
    return resolvePath(this.cwd, arg);
  }

  /**
   * Run a call; an FsError goes to `onErr` (which prints the coreutils message), a kernel
   * failure prints its report. Returns undefined on failure.
   */
  try<R>(fn: () => R, onErr: (code: ErrnoCode) => string): R | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FsError) this.fail(onErr(e.code));
      else if (e instanceof KernelBugError) this.kernelBug(e);
      else if (e instanceof TypeError) this.fail(e.message);
      else throw e;
      return undefined;
    }
  }

  /** The modelled kernel failed: print its report, naming the shell command that ran into it. */
  kernelBug(e: KernelBugError): void {
    const report = formatViolation(e.violation, this.fs.variant, this.line.trim()).replace(
      /^CPU: - Comm: setup/m,
      'CPU: - Comm: shell',
    );
    this.fail(...report.split('\n'));
  }
}

type Command = (s: Session, args: string[]) => void;

/** Split `-la` style flags off the front of args (stops at '--' or the first operand). */
function flags(
  s: Session,
  cmd: string,
  args: string[],
  allowed: string,
): { set: Set<string>; rest: string[] } | null {
  const set = new Set<string>();
  const rest: string[] = [];
  let more = true;
  for (const a of args) {
    if (more && a === '--') {
      more = false;
    } else if (more && a.startsWith('-') && a.length > 1) {
      for (const f of a.slice(1)) {
        if (!allowed.includes(f)) {
          s.fail(`${cmd}: invalid option -- '${f}'`);
          return null;
        }
        set.add(f);
      }
    } else rest.push(a);
  }
  return { set, rest };
}

/** Byte order, like ls and tree under LC_ALL=C. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lsLong(
  rows: { name: string; display: string; st: Stat | null; type: DirEntry['type'] }[],
): string[] {
  const cols = rows.map((r) =>
    r.st === null
      ? { mode: `${r.type === 'dir' ? 'd' : '-'}?????????`, n: '?', u: '?', g: '?', z: '?' }
      : {
          mode: modeString(r.st.mode),
          n: String(r.st.nlink),
          u: String(r.st.uid),
          g: String(r.st.gid),
          z: String(r.st.size),
        },
  );
  const w = (k: 'n' | 'u' | 'g' | 'z'): number => Math.max(0, ...cols.map((c) => c[k].length));
  const [wn, wu, wg, wz] = [w('n'), w('u'), w('g'), w('z')];
  return rows.map((r, i) => {
    const c = cols[i]!;
    return `${c.mode} ${c.n.padStart(wn)} ${c.u.padEnd(wu)} ${c.g.padEnd(wg)} ${c.z.padStart(wz)} ${r.display}`;
  });
}

const ls: Command = (s, args) => {
  const f = flags(s, 'ls', args, 'laA1d');
  if (f === null) return;
  const long = f.set.has('l');
  const all = f.set.has('a');
  const almostAll = f.set.has('A');
  const targets = f.rest.length === 0 ? ['.'] : f.rest;
  const files: { name: string; display: string; st: Stat; type: DirEntry['type'] }[] = [];
  const dirs: { arg: string; st: Stat }[] = [];
  for (const arg of targets) {
    const st = s.try(
      () => s.fs.stat(s.abs(arg)),
      (code) => `ls: cannot access '${arg}': ${strerror(code)}`,
    );
    if (st === undefined) continue;
    if (st.isDirectory() && !f.set.has('d')) dirs.push({ arg, st });
    else files.push({ name: arg, display: arg, st, type: st.isDirectory() ? 'dir' : 'file' });
  }
  // Like ls: file operands first, then directories, each sorted.
  files.sort((a, b) => byName(a.name, b.name));
  dirs.sort((a, b) => byName(a.arg, b.arg));
  const blocks: string[][] = [];
  const names = (xs: readonly string[]): string[] =>
    f.set.has('1') || s.opts.columns === undefined ? [...xs] : columnate(xs, s.opts.columns);
  if (files.length > 0) {
    blocks.push(long ? lsLong(files) : names(files.map((x) => x.display)));
  }
  for (const { arg } of dirs) {
    const path = s.abs(arg);
    const entries = s.try(
      () => s.fs.readdir(path),
      (code) => `ls: cannot open directory '${arg}': ${strerror(code)}`,
    );
    if (entries === undefined) continue;
    const shown = entries
      .filter(
        (e) =>
          all || (!e.name.startsWith('.') ? true : almostAll && e.name !== '.' && e.name !== '..'),
      )
      .sort((a, b) => byName(a.name, b.name));
    const lines: string[] = [];
    if (targets.length > 1) lines.push(`${arg}:`);
    if (long) {
      const rows = shown.map((e) => {
        const shownPath = f.rest.length === 0 ? e.name : `${arg.replace(/\/+$/, '')}/${e.name}`;
        let st: Stat | null = null;
        try {
          st = s.fs.stat(`${path === '/' ? '' : path}/${e.name}`);
        } catch (err) {
          if (err instanceof FsError)
            s.fail(`ls: cannot access '${shownPath}': ${strerror(err.code)}`);
          else if (err instanceof KernelBugError) s.kernelBug(err);
          else throw err;
        }
        return { name: e.name, display: e.name, st, type: e.type };
      });
      lines.push('total 0', ...lsLong(rows));
    } else lines.push(...names(shown.map((e) => e.name)));
    blocks.push(lines);
  }
  blocks.forEach((b, i) => {
    if (i > 0) s.out('');
    s.out(...b);
  });
};

const cd: Command = (s, args) => {
  if (args.length > 1) {
    s.fail('cd: too many arguments');
    return;
  }
  const arg = args[0] ?? '/';
  const path = s.abs(arg);
  const st = s.try(
    () => s.fs.stat(path),
    (code) => `cd: ${arg}: ${strerror(code)}`,
  );
  if (st === undefined) return;
  if (!st.isDirectory()) {
    s.fail(`cd: ${arg}: ${strerror('ENOTDIR')}`);
    return;
  }
  s.cwd = path;
};

const cat: Command = (s, args) => {
  if (args.length === 0) {
    s.fail('cat: missing operand (this shell has no stdin for cat)');
    return;
  }
  for (const arg of args) {
    const text = s.try(
      () => s.fs.readFile(s.abs(arg)),
      (code) => `cat: ${arg}: ${strerror(code)}`,
    );
    if (text !== undefined) s.out(...textLines(text));
  }
};

function unescapeEcho(t: string): string {
  return t.replace(/\\(.)/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === '\\' ? '\\' : c === '0' ? '\0' : `\\${c}`,
  );
}

function echo(
  s: Session,
  words: string[],
  redirect: { op: '>' | '>>'; target: string } | null,
): void {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < words.length && /^-[neE]+$/.test(words[i]!); i++) {
    for (const c of words[i]!.slice(1)) {
      if (c === 'n') newline = false;
      else if (c === 'e') escapes = true;
      else escapes = false;
    }
  }
  let text = words.slice(i).join(' ');
  if (escapes) text = unescapeEcho(text);
  if (newline) text += '\n';
  if (redirect === null) {
    s.out(...textLines(text));
    return;
  }
  writeTo(s, redirect.target, text, redirect.op === '>' ? 'w' : 'a');
}

function writeTo(s: Session, target: string, text: string, flags: FlagString): void {
  const file = s.try(
    () => s.fs.open(s.abs(target), flags),
    (code) => `tracefs: ${target}: ${strerror(code)}`,
  );
  if (file === undefined) return;
  try {
    s.try(
      () => file.write(text),
      (code) => `tracefs: echo: write error: ${strerror(code)}`,
    );
  } finally {
    s.try(
      () => {
        file.close();
      },
      (code) => `tracefs: ${target}: close: ${strerror(code)}`,
    );
  }
}

const mkdir: Command = (s, args) => {
  if (args.length === 0) s.fail('mkdir: missing operand');
  for (const arg of args) {
    s.try(
      () => {
        s.fs.mkdir(s.abs(arg));
      },
      (code) => `mkdir: cannot create directory '${arg}': ${strerror(code)}`,
    );
  }
};

const rmdir: Command = (s, args) => {
  if (args.length === 0) s.fail('rmdir: missing operand');
  for (const arg of args) {
    s.try(
      () => {
        s.fs.rmdir(s.abs(arg));
      },
      (code) => `rmdir: failed to remove '${arg}': ${strerror(code)}`,
    );
  }
};

const stat: Command = (s, args) => {
  if (args.length === 0) s.fail('stat: missing operand');
  for (const arg of args) {
    const st = s.try(
      () => s.fs.stat(s.abs(arg)),
      (code) => `stat: cannot statx '${arg}': ${strerror(code)}`,
    );
    if (st === undefined) continue;
    const type = st.isDirectory()
      ? 'directory'
      : st.size === 0
        ? 'regular empty file'
        : 'regular file';
    const perm = (st.mode & 0o7777).toString(8).padStart(4, '0');
    s.out(
      `  File: ${arg}`,
      `  Size: ${String(st.size).padEnd(10)} Blocks: 0          ${type}`,
      ` Inode: ${String(st.ino).padEnd(10)} Links: ${st.nlink}`,
      `Access: (${perm}/${modeString(st.mode)})  Uid: ${String(st.uid).padStart(5)}   Gid: ${String(st.gid).padStart(5)}`,
    );
  }
};

const chmod: Command = (s, args) => {
  const [spec, ...paths] = args;
  if (spec === undefined || paths.length === 0) {
    s.fail(
      spec === undefined ? 'chmod: missing operand' : `chmod: missing operand after '${spec}'`,
    );
    return;
  }
  const octal = /^[0-7]{1,4}$/.test(spec) ? parseInt(spec, 8) : null;
  for (const arg of paths) {
    const path = s.abs(arg);
    let mode = octal;
    if (mode === null) {
      const st = s.try(
        () => s.fs.stat(path),
        (code) => `chmod: cannot access '${arg}': ${strerror(code)}`,
      );
      if (st === undefined) continue;
      mode = applySymbolicMode(st.mode, spec);
      if (mode === null) {
        s.fail(`chmod: invalid mode: '${spec}'`);
        return;
      }
    }
    const m = mode;
    s.try(
      () => {
        s.fs.chmod(path, m);
      },
      (code) =>
        code === 'ENOENT' || code === 'ENOTDIR'
          ? `chmod: cannot access '${arg}': ${strerror(code)}`
          : `chmod: changing permissions of '${arg}': ${strerror(code)}`,
    );
  }
};

function parseId(v: string): number | null {
  if (v === '') return -1;
  if (v === 'root') return 0;
  return /^\d+$/.test(v) && Number(v) <= 0xfffffffe ? Number(v) : null;
}

const chown: Command = (s, args) => {
  const [spec, ...paths] = args;
  if (spec === undefined || paths.length === 0) {
    s.fail(
      spec === undefined ? 'chown: missing operand' : `chown: missing operand after '${spec}'`,
    );
    return;
  }
  const [u = '', g] = spec.split(':', 2);
  const uid = parseId(u);
  const gid = g === undefined ? -1 : parseId(g);
  if (uid === null || gid === null || spec.split(':').length > 2) {
    s.fail(uid === null ? `chown: invalid user: '${spec}'` : `chown: invalid group: '${spec}'`);
    return;
  }
  for (const arg of paths) {
    s.try(
      () => {
        s.fs.chown(s.abs(arg), uid, gid);
      },
      (code) =>
        code === 'ENOENT' || code === 'ENOTDIR'
          ? `chown: cannot access '${arg}': ${strerror(code)}`
          : `chown: changing ownership of '${arg}': ${strerror(code)}`,
    );
  }
};

/** Entries of a directory without '.' and '..', or undefined (error printed) when it fails. */
function children(
  s: Session,
  path: string,
  onErr: (code: ErrnoCode) => string,
): DirEntry[] | undefined {
  const es = s.try(() => s.fs.readdir(path), onErr);
  return es?.filter((e) => e.name !== '.' && e.name !== '..');
}

const find: Command = (s, args) => {
  const paths: string[] = [];
  let maxDepth = Infinity;
  let type: 'd' | 'f' | null = null;
  let name: RegExp | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-maxdepth' || a === '-type' || a === '-name') {
      const v = args[++i];
      if (v === undefined) {
        s.fail(`find: missing argument to \`${a}'`);
        return;
      }
      if (a === '-maxdepth') {
        if (!/^\d+$/.test(v)) {
          s.fail(`find: Expected a positive decimal integer argument to -maxdepth, but got '${v}'`);
          return;
        }
        maxDepth = Number(v);
      } else if (a === '-type') {
        if (v !== 'd' && v !== 'f') {
          s.fail(`find: Unknown argument to -type: ${v}`);
          return;
        }
        type = v;
      } else name = globToRegExp(v);
    } else if (a.startsWith('-')) {
      s.fail(`find: unknown predicate \`${a}'`);
      return;
    } else paths.push(a);
  }
  if (paths.length === 0) paths.push('.');
  const lines: string[] = [];
  const emit = (shown: string, base: string, isDir: boolean): void => {
    if (type !== null && (type === 'd') !== isDir) return;
    if (name !== null && !name.test(base)) return;
    lines.push(shown);
  };
  const walk = (abs: string, shown: string, depth: number): void => {
    if (depth >= maxDepth) return;
    const es = children(s, abs, (code) => `find: '${shown}': ${strerror(code)}`);
    if (es === undefined) return;
    for (const e of es) {
      const childShown = `${shown.replace(/\/+$/, '')}/${e.name}`;
      emit(childShown, e.name, e.type === 'dir');
      if (e.type === 'dir') walk(`${abs === '/' ? '' : abs}/${e.name}`, childShown, depth + 1);
    }
  };
  for (const p of paths) {
    const abs = s.abs(p);
    const st = s.try(
      () => s.fs.stat(abs),
      (code) => `find: '${p}': ${strerror(code)}`,
    );
    if (st === undefined) continue;
    emit(
      p,
      p
        .split('/')
        .filter((x) => x !== '')
        .pop() ?? p,
      st.isDirectory(),
    );
    if (st.isDirectory()) walk(abs, p, 0);
  }
  s.out(...lines);
};

const tree: Command = (s, args) => {
  let depth = Infinity;
  let dirsOnly = false;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-L') {
      const v = args[++i];
      if (v === undefined || !/^[1-9]\d*$/.test(v)) {
        s.fail('tree: Invalid level, must be greater than 0.');
        return;
      }
      depth = Number(v);
    } else if (a === '-d') dirsOnly = true;
    else if (a.startsWith('-')) {
      s.fail(`tree: Invalid argument \`${a}'.`);
      return;
    } else paths.push(a);
  }
  if (paths.length === 0) paths.push('.');
  let nd = 0;
  let nf = 0;
  const lines: string[] = [];
  const walk = (abs: string, prefix: string, level: number): void => {
    let es: DirEntry[] | undefined;
    try {
      es = s.fs.readdir(abs).filter((e) => e.name !== '.' && e.name !== '..');
    } catch (e) {
      if (e instanceof FsError) {
        lines.push(`${lines.pop() ?? ''}  [error opening dir: ${strerror(e.code)}]`);
        s.ok = false;
        return;
      }
      if (e instanceof KernelBugError) {
        s.kernelBug(e);
        return;
      }
      throw e;
    }
    es = es
      .filter((e) => !e.name.startsWith('.') && (!dirsOnly || e.type === 'dir'))
      .sort((a, b) => byName(a.name, b.name));
    es.forEach((e, i) => {
      const last = i === es.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${e.name}`);
      if (e.type === 'dir') {
        nd++;
        if (level + 1 < depth)
          walk(
            `${abs === '/' ? '' : abs}/${e.name}`,
            `${prefix}${last ? '    ' : '│   '}`,
            level + 1,
          );
      } else nf++;
    });
  };
  for (const p of paths) {
    const abs = s.abs(p);
    lines.push(p);
    let st: Stat | undefined;
    try {
      st = s.fs.stat(abs);
    } catch (e) {
      if (e instanceof FsError) {
        lines.push(`${lines.pop() ?? ''}  [error opening dir: ${strerror(e.code)}]`);
        s.ok = false;
        continue;
      }
      if (e instanceof KernelBugError) {
        s.kernelBug(e);
        continue;
      }
      throw e;
    }
    if (st.isDirectory()) walk(abs, '', 0);
  }
  lines.push(
    '',
    dirsOnly
      ? `${nd} director${nd === 1 ? 'y' : 'ies'}`
      : `${nd} director${nd === 1 ? 'y' : 'ies'}, ${nf} file${nf === 1 ? '' : 's'}`,
  );
  s.out(...lines);
};

const COMMANDS: Readonly<Record<string, Command>> = {
  ls,
  cd,
  cat,
  mkdir,
  rmdir,
  stat,
  chmod,
  chown,
  find,
  tree,
  pwd: (s) => {
    s.out(s.cwd);
  },
  shrink: (s) => {
    const n = s.try(
      () => s.fs.shrink(),
      () => 'shrink: failed',
    );
    if (n !== undefined)
      s.out(`shrink: ${n} dentr${n === 1 ? 'y' : 'ies'} freed; ${fmtCounters(s.fs)}`);
  },
  counters: (s) => {
    s.out(fmtCounters(s.fs));
  },
  invariants: (s) => {
    const problems = s.fs.checkInvariants();
    if (problems.length === 0) s.out('invariants: all hold');
    else s.fail(...problems.map((p) => `invariant violated in ${p.site}: ${p.message}`));
  },
  help: (s) => {
    s.out(...SHELL_HELP.split('\n'));
  },
  exit: (s, args) => {
    const a = args[0];
    if (a !== undefined && !/^\d+$/.test(a)) {
      s.fail(`exit: ${a}: numeric argument required`);
      s.exit = { code: 2 };
      return;
    }
    s.exit = { code: a === undefined ? undefined : Number(a) & 255 };
  },
};

/** Names of the shell's commands. */
export const SHELL_COMMANDS: readonly string[] = Object.freeze([...Object.keys(COMMANDS), 'echo']);

function runCommand(s: Session, tokens: Token[]): void {
  const words: string[] = [];
  let redirect: { op: '>' | '>>'; target: string } | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'word') {
      words.push(t.text);
      continue;
    }
    if (t.text === '|' || t.text === '<' || t.text === '&') {
      s.fail(
        `tracefs: '${t.text}' is not supported (no pipes, input redirection or background jobs)`,
      );
      return;
    }
    const next = tokens[i + 1];
    if (t.text === ';' || next?.kind !== 'word') {
      s.fail(`tracefs: syntax error near unexpected token \`${next?.text ?? 'newline'}'`);
      return;
    }
    redirect = { op: t.text, target: next.text };
    i++;
  }
  const [cmd, ...args] = words;
  if (cmd === undefined) {
    if (redirect !== null) writeTo(s, redirect.target, '', redirect.op === '>' ? 'w' : 'a');
    return;
  }
  if (cmd === 'echo') {
    echo(s, args, redirect);
    return;
  }
  const fn = COMMANDS[cmd];
  if (fn === undefined) {
    s.fail(`tracefs: ${cmd}: command not found (try help)`);
    return;
  }
  if (redirect !== null) {
    s.fail(`tracefs: ${cmd}: output redirection works with echo only`);
    return;
  }
  fn(s, args);
}

/**
 * Run one command line against a mount. `cwd` is absolute ('/' = the mount root). Never throws
 * for user errors: they come back as coreutils-style messages in `errors` with `ok` false.
 */
export function runShellLine(
  fs: Tracefs,
  cwd: string,
  line: string,
  opts: ShellOptions = {},
): ShellResult {
  const s = new Session(fs, resolvePath('/', cwd), opts, line);
  let tokens: Token[];
  try {
    tokens = tokenize(line);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    s.fail(`tracefs: syntax error: ${e.message}`);
    return { output: s.output, errors: s.errors, cwd: s.cwd, ok: false };
  }
  // ';' separates commands; the line fails when any of them failed.
  let start = 0;
  let anyFailed = false;
  for (let i = 0; i <= tokens.length && s.exit === undefined; i++) {
    const t = tokens[i];
    if (t !== undefined && !(t.kind === 'op' && t.text === ';')) continue;
    const part = tokens.slice(start, i);
    start = i + 1;
    if (part.length === 0) {
      if (t !== undefined && i > 0 && tokens[i - 1]?.kind === 'op') {
        s.fail("tracefs: syntax error near unexpected token `;'");
        break;
      }
      continue;
    }
    s.ok = true;
    runCommand(s, part);
    if (!s.ok) anyFailed = true;
  }
  return {
    output: s.output,
    errors: s.errors,
    cwd: s.cwd,
    ok: !anyFailed && s.ok,
    ...(s.exit !== undefined ? { exit: s.exit } : {}),
  };
}

/** The prompt for a working directory. */
export function shellPrompt(cwd: string): string {
  return `tracefs:${cwd}# `;
}

/** Tab completion: command names first, then path names relative to `cwd`. */
export function completeLine(fs: Tracefs, cwd: string, line: string): [string[], string] {
  const m = /(?:^|\s)(\S*)$/.exec(line);
  const word = m?.[1] ?? '';
  const first = line.trimStart().split(/\s+/).length <= 1;
  if (first) {
    const hits = SHELL_COMMANDS.filter((c) => c.startsWith(word)).sort();
    return [hits.map((h) => `${h} `), word];
  }
  const slash = word.lastIndexOf('/');
  const dirPart = slash >= 0 ? word.slice(0, slash + 1) : '';
  const base = slash >= 0 ? word.slice(slash + 1) : word;
  try {
    const entries = fs.readdir(resolvePath(cwd, dirPart === '' ? '.' : dirPart));
    const hits = entries
      .filter((e) => e.name !== '.' && e.name !== '..' && e.name.startsWith(base))
      .map((e) => `${dirPart}${e.name}${e.type === 'dir' ? '/' : ''}`)
      .sort();
    return [hits, word];
  } catch {
    return [[], word];
  }
}

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
