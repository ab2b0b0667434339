/**
 * The shell's words: its results, error texts, help, the tokenizer, path resolution and the
 * formatting of listings and modes.
 */
import { type Tracefs } from '../facade';
import { type ErrnoCode } from '../vfs/errors';

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
export const STRERROR: Readonly<Record<ErrnoCode, string>> = {
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

export function fmtCounters(fs: Tracefs): string {
  const c = fs.counters();
  return `dentries=${c.dentries} (negative ${c.negativeDentries}) inodes=${c.inodes} eventfs_inodes=${c.eventfsInodes}`;
}

/** Lines of a text, without the empty one after a final newline. */
export function textLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function globToRegExp(glob: string): RegExp {
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
