/**
 * The shell's interpreter: a pure function of (mount, cwd, line) to (output, errors, cwd, ok),
 * with one function per command, and tab completion.
 */
import {
  SHELL_HELP,
  type ShellOptions,
  type ShellResult,
  type Token,
  applySymbolicMode,
  columnate,
  fmtCounters,
  globToRegExp,
  modeString,
  resolvePath,
  strerror,
  textLines,
  tokenize,
} from './shell-text';
import { type Tracefs } from '../facade';
import { formatViolation } from '../sim/report';
import { FsError, KernelBugError, type ErrnoCode } from '../vfs/errors';
import type { FlagString } from '../vfs/file';
import type { DirEntry, Stat } from '../vfs/types';
// ---------------------------------------------------------------------------------------------
// The interpreter

export class Session {
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

export type Command = (s: Session, args: string[]) => void;

/** Split `-la` style flags off the front of args (stops at '--' or the first operand). */
export function flags(
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
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function lsLong(
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

export const ls: Command = (s, args) => {
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

export const cd: Command = (s, args) => {
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

export const cat: Command = (s, args) => {
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

export function unescapeEcho(t: string): string {
  return t.replace(/\\(.)/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === '\\' ? '\\' : c === '0' ? '\0' : `\\${c}`,
  );
}

export function echo(
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

export function writeTo(s: Session, target: string, text: string, flags: FlagString): void {
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

export const mkdir: Command = (s, args) => {
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

export const rmdir: Command = (s, args) => {
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

export const stat: Command = (s, args) => {
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

export const chmod: Command = (s, args) => {
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

export function parseId(v: string): number | null {
  if (v === '') return -1;
  if (v === 'root') return 0;
  return /^\d+$/.test(v) && Number(v) <= 0xfffffffe ? Number(v) : null;
}

export const chown: Command = (s, args) => {
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
export function children(
  s: Session,
  path: string,
  onErr: (code: ErrnoCode) => string,
): DirEntry[] | undefined {
  const es = s.try(() => s.fs.readdir(path), onErr);
  return es?.filter((e) => e.name !== '.' && e.name !== '..');
}

export const find: Command = (s, args) => {
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

export const tree: Command = (s, args) => {
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

export const COMMANDS: Readonly<Record<string, Command>> = {
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

export function runCommand(s: Session, tokens: Token[]): void {
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
