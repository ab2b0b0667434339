/**
 * Shell idioms of tools/testing/selftests/ftrace (test.d/functions and the .tc scripts) in terms
 * of the facade, so that the ports read close to the originals:
 *
 * - `echo X > f` is writeFile(f, 'X\n') (O_TRUNC, one write(2)); `echo X >> f` is appendFile.
 * - `! cmd` (the command must fail) is {@link fails}; `test -d`/`test -f` are {@link isDir} and
 *   {@link isFile}; `grep -q` on a file is {@link grepq}.
 * - `stat -c %u`/`%g` is stat().uid/gid; `chown U f` is chown(f, U, -1); `chgrp G f` is
 *   chown(f, -1, G).
 * - `ls -l` is {@link lsl}: one line per entry, built from readdir + stat of each name, in the
 *   shape `ls -ln` prints (`drwxr-x--- 0 1001 name`, or `d????????? ? ? name` for an entry that
 *   readdir lists but stat cannot reach: the symptom of the January 2024 eventfs bugs).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FsError, mount, type Cred, type Tracefs } from '../../src/index';

/** Run `fn`; 'ok', or the FsError code it threw. Anything else propagates. */
export function errno(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
  return 'ok';
}

/** `! cmd`: the command must fail with an errno (not succeed, not throw anything else). */
export function fails(fn: () => unknown): string {
  const code = errno(fn);
  expect(code, 'the selftest expects this command to fail').not.toBe('ok');
  return code;
}

/** `echo TEXT > path`. */
export function echo(fs: Tracefs, text: string, path: string, cred?: Cred): void {
  fs.writeFile(path, `${text}\n`, cred);
}

/** `echo TEXT >> path`. */
export function echoAppend(fs: Tracefs, text: string, path: string, cred?: Cred): void {
  fs.appendFile(path, `${text}\n`, cred);
}

/** `test -d path`. */
export function isDir(fs: Tracefs, path: string): boolean {
  try {
    return fs.stat(path).isDirectory();
  } catch (e) {
    if (e instanceof FsError) return false;
    throw e;
  }
}

/** `test -f path`. */
export function isFile(fs: Tracefs, path: string): boolean {
  try {
    return fs.stat(path).isFile();
  } catch (e) {
    if (e instanceof FsError) return false;
    throw e;
  }
}

/** `grep -q PATTERN path` (a fixed string or a RegExp, line by line). */
export function grepq(fs: Tracefs, pattern: string | RegExp, path: string): boolean {
  return grepLines(fs.readFile(path), pattern).length > 0;
}

/** The lines of `text` that match, as grep prints them. */
export function grepLines(text: string, pattern: string | RegExp): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.filter((l) => (typeof pattern === 'string' ? l.includes(pattern) : pattern.test(l)));
}

/** `wc -l < path`. */
export function lineCount(fs: Tracefs, path: string): number {
  return fs.readFile(path).split('\n').length - 1;
}

/** The names of a directory, without '.' and '..' (what `ls` shows). */
export function ls(fs: Tracefs, path: string, cred?: Cred): string[] {
  return fs
    .readdir(path, cred)
    .map((e) => e.name)
    .filter((n) => n !== '.' && n !== '..');
}

/** `-rw-r-----` from a st_mode. */
export function modeString(mode: number): string {
  const type = (mode & 0o170000) === 0o040000 ? 'd' : (mode & 0o170000) === 0o100000 ? '-' : '?';
  const rwx = (bits: number, special: boolean, ch: string): string =>
    `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${
      special ? (bits & 1 ? ch : ch.toUpperCase()) : bits & 1 ? 'x' : '-'
    }`;
  return (
    type +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') +
    rwx(mode & 7, (mode & 0o1000) !== 0, 't')
  );
}

/**
 * `ls -ln DIR`: readdir, then stat every listed name. An entry readdir lists but stat cannot
 * reach prints as `d????????? ? ? name`, like ls after a failed lstat.
 */
export function lsl(fs: Tracefs, dir: string, cred?: Cred): string[] {
  const base = dir === '.' || dir === '' ? '' : `${dir.replace(/\/$/, '')}/`;
  return ls(fs, dir, cred).map((name) => {
    try {
      const st = fs.stat(`${base}${name}`, cred);
      return `${modeString(st.mode)} ${st.uid} ${st.gid} ${name}`;
    } catch (e) {
      if (e instanceof FsError) return `?????????? ? ? ${name}`;
      throw e;
    }
  });
}

/**
 * reset_trigger_file() of test.d/functions: for every line of a trigger file that is not a
 * comment, write `!CMD` where CMD is the line up to the first '[' (`echo "!$cmd" > $file`).
 */
export function resetTriggerFile(fs: Tracefs, path: string): void {
  for (const line of grepLines(fs.readFile(path), /^[^#]/)) {
    const cmd = line.split('[')[0]!;
    fs.writeFile(path, `!${cmd}\n`);
  }
}

/** reset_trigger of test.d/functions over the events a test touched (events/*\/*\/trigger). */
export function resetTrigger(fs: Tracefs, triggerFiles: readonly string[]): void {
  for (const f of triggerFiles) resetTriggerFile(fs, f);
}

/** A few uids and gids that stand for the accounts `tac /etc/passwd | head -1` would pick. */
export const ROOT = 0;
export const OTHER_OWNER = 1002;
export const OTHER_GROUP = 1001;

/** A describe whose `it`s share one mount, in order, like the lines of a script. */
export function script(title: string, body: (fs: () => Tracefs) => void): void {
  describe(title, () => {
    let fs!: Tracefs;
    beforeAll(() => {
      fs = mount();
    });
    body(() => fs);
    it('(not in the script) the mount is consistent afterwards', () => {
      expect(fs.checkInvariants()).toEqual([]);
    });
  });
}

/**
 * A script marked `# flags: instance`: run at the top level and, as ftracetest does, again
 * inside an instance; `dir(p)` prefixes a path with the instance directory.
 */
export function scriptInInstances(
  title: string,
  instanceFlag: boolean,
  body: (fs: () => Tracefs, dir: (p: string) => string) => void,
): void {
  const where: [string, string][] = [['top level', '']];
  if (instanceFlag) where.push(['in an instance', 'instances/ftracetest/']);
  describe.each(where)(`${title} (%s)`, (_label, prefix) => {
    let fs!: Tracefs;
    beforeAll(() => {
      fs = mount();
      if (prefix !== '') fs.mkdir('instances/ftracetest');
    });
    body(
      () => fs,
      (p) => `${prefix}${p}`,
    );
    it('(not in the script) the mount is consistent afterwards', () => {
      if (prefix !== '') fs.rmdir('instances/ftracetest');
      expect(fs.checkInvariants()).toEqual([]);
    });
  });
}
