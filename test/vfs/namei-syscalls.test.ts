import { describe, expect, it } from 'vitest';
import type { Dentry } from '../../src/vfs/dentry';
import {
  ERRNO,
  FsError,
  fsErr,
  isErrnoCode,
  KernelBugError,
  ViolationSignal,
} from '../../src/vfs/errors';
import { File, parseFlags, readFromBuffer, type FlagString } from '../../src/vfs/file';
import { lookupComponent, pathLookup, pathParent, walkComponents } from '../../src/vfs/namei';
import { runSync, Task, type KOp } from '../../src/vfs/sched';
import {
  getattr,
  simpleSetattr,
  StatResult,
  sysChmod,
  sysChown,
  sysClose,
  sysMkdir,
  sysOpen,
  sysRead,
  sysReaddir,
  sysRmdir,
  sysStat,
  sysWrite,
} from '../../src/vfs/syscalls';
import { checkWriteSize, MAX_CONTROL_WRITE, controlFops } from '../../src/vfs/control-file';
import { S_IFDIR, S_IFMT, S_IFREG, type Cred, type Ctx } from '../../src/vfs/types';
import { ctxFor, fsErrorOf, readOnlyFops, ToyFs, violationOf, writeOnlyFops } from './toyfs';

const USER: Cred = { uid: 1000, gid: 1000 };

function flags(f: FlagString) {
  return parseFlags(f)!;
}

function stat(fs: ToyFs, path: unknown, ctx: Ctx = fs.ctx): StatResult {
  return runSync(sysStat(ctx, fs.root, path));
}

function open(fs: ToyFs, path: unknown, f: FlagString = 'r', ctx: Ctx = fs.ctx): File {
  return runSync(sysOpen(ctx, fs.root, path, flags(f)));
}

function read(fs: ToyFs, file: File, count = 1 << 20): string {
  return runSync(sysRead(fs.ctx, file, count));
}

function write(fs: ToyFs, file: File, data: string): number {
  return runSync(sysWrite(fs.ctx, file, data));
}

function close(fs: ToyFs, file: File): void {
  runSync(sysClose(fs.ctx, file));
}

function errOf(fn: () => unknown): FsError {
  return fsErrorOf(fn);
}

/** Every dentry reference is accounted for: nothing left but cached (count 0) and pinned ones. */
function expectQuiescent(fs: ToyFs): void {
  for (const d of fs.dcache.live) {
    const children = [...d.subdirs].length;
    expect(d.count, `d_count of '${d.path()}'`).toBe(children + (d.pinned ? 1 : 0));
  }
  expect(fs.ctx.task.held).toEqual([]);
}

function sample(): ToyFs {
  return new ToyFs({
    a: { b: { c: 'hello world' }, e: '' },
    f: 'top',
    g: {},
  });
}

describe('FsError', () => {
  it('carries code, negative errno, syscall and path, with a Node-style message', () => {
    const fs = sample();
    const e = errOf(() => stat(fs, 'x'));
    expect(e).toBeInstanceOf(FsError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('FsError');
    expect(e.code).toBe('ENOENT');
    expect(e.errno).toBe(-2);
    expect(e.syscall).toBe('stat');
    expect(e.path).toBe('x');
    expect(e.message).toBe("ENOENT: no such file or directory, stat 'x'");
  });

  it('keeps the path exactly as given', () => {
    const fs = sample();
    const e = errOf(() => stat(fs, '/a//nope/'));
    expect(e.path).toBe('/a//nope/');
    expect(e.message).toBe("ENOENT: no such file or directory, stat '/a//nope/'");
  });

  it('formats without syscall or path', () => {
    expect(new FsError('EBADF').message).toBe('EBADF: bad file descriptor');
    expect(new FsError('EIO', 'read').message).toBe('EIO: i/o error, read');
    const e = fsErr('EPERM', 'why');
    expect(e.detail).toBe('why');
    expect(e.path).toBeUndefined();
    expect(e.syscall).toBe('');
    const w = e.withContext('mkdir', 'p');
    expect(w.detail).toBe('why');
    expect(w.message).toBe("EPERM: operation not permitted, mkdir 'p'");
    expect(w.errno).toBe(-1);
  });

  it('knows the errno table', () => {
    expect(ERRNO.ENOENT).toBe(2);
    expect(ERRNO.ENAMETOOLONG).toBe(36);
    expect(isErrnoCode('ENOTDIR')).toBe(true);
    expect(isErrnoCode('toString')).toBe(false);
    expect(isErrnoCode('EFOO')).toBe(false);
  });

  it('KernelBugError summarises a violation', () => {
    const v = violationOf(() => {
      throw new ViolationSignal({ kind: 'bug', site: 's', message: 'm' });
    });
    expect(new KernelBugError(v).message).toBe('bug in s: m');
  });
});

describe('stat and the path walk', () => {
  it('stats nested paths', () => {
    const fs = sample();
    const s = stat(fs, 'a/b/c');
    expect(s).toBeInstanceOf(StatResult);
    expect(s.ino).toBe(fs.at('a/b/c').ino);
    expect(s.isFile()).toBe(true);
    expect(s.isDirectory()).toBe(false);
    expect(s.mode).toBe(S_IFREG | 0o644);
    expect(s.size).toBe(11);
    expect(s.nlink).toBe(1);
    const d = stat(fs, '/a/b');
    expect(d.isDirectory()).toBe(true);
    expect(d.isFile()).toBe(false);
    expect(d.mode & S_IFMT).toBe(S_IFDIR);
    expect(d.nlink).toBe(2);
    expect(stat(fs, '/').ino).toBe(fs.rootNode.ino);
    expect(stat(fs, '.').ino).toBe(fs.rootNode.ino);
    expect(stat(fs, 'a//b///c').ino).toBe(fs.at('a/b/c').ino);
    expect(stat(fs, 'a/./b/./c').ino).toBe(fs.at('a/b/c').ino);
    expect(stat(fs, 'a/b/../b/c').ino).toBe(fs.at('a/b/c').ino);
    expectQuiescent(fs);
  });

  it('caches: a second walk does not call ->lookup', () => {
    const fs = sample();
    stat(fs, 'a/b/c');
    expect(fs.lookups).toEqual(['a', 'b', 'c']);
    stat(fs, 'a/b/c');
    stat(fs, 'a/b');
    expect(fs.lookups).toEqual(['a', 'b', 'c']);
  });

  it("never goes above the root with '..'", () => {
    const fs = sample();
    const root = fs.rootNode.ino;
    expect(stat(fs, '..').ino).toBe(root);
    expect(stat(fs, '/../..').ino).toBe(root);
    expect(stat(fs, '../../a/b/../..').ino).toBe(root);
    expect(stat(fs, 'a/b/../../..').ino).toBe(root);
    expect(stat(fs, '../../a/../a/b/c').ino).toBe(fs.at('a/b/c').ino);
    expectQuiescent(fs);
  });

  it('fails with ENOENT for a missing component, anywhere in the path', () => {
    const fs = sample();
    for (const p of ['nope', 'a/nope', 'a/nope/c', 'a/b/nope', 'g/x', 'a/./nope/..']) {
      expect(errOf(() => stat(fs, p)).code).toBe('ENOENT');
    }
    expect(errOf(() => stat(fs, '')).code).toBe('ENOENT');
    expectQuiescent(fs);
  });

  it('fails with ENOTDIR for a file used as a directory', () => {
    const fs = sample();
    for (const p of ['f/x', 'a/b/c/d', 'f/.', 'f/..', 'a/b/c/../c']) {
      const e = errOf(() => stat(fs, p));
      expect(e.code, p).toBe('ENOTDIR');
      expect(e.errno).toBe(-20);
    }
    expectQuiescent(fs);
  });

  it('fails with ENOTDIR for a trailing slash on a file', () => {
    const fs = sample();
    expect(errOf(() => stat(fs, 'f/')).code).toBe('ENOTDIR');
    expect(errOf(() => stat(fs, 'a/b/c//')).code).toBe('ENOTDIR');
    expect(stat(fs, 'a/b/').isDirectory()).toBe(true);
    expectQuiescent(fs);
  });

  it('passes path-string errors through with the syscall filled in', () => {
    const fs = sample();
    const e = errOf(() => stat(fs, 'a\0b'));
    expect(e.code).toBe('EINVAL');
    expect(e.syscall).toBe('stat');
    expect(e.path).toBe('a\0b');
    expect(errOf(() => stat(fs, 'x'.repeat(256))).code).toBe('ENAMETOOLONG');
    expect(() => stat(fs, 7)).toThrow(TypeError);
    expect(() => stat(fs, undefined)).toThrow(TypeError);
  });

  it('needs exec permission on every directory it passes through', () => {
    const fs = sample();
    const user = ctxFor(USER);
    fs.at('a').mode = 0o754; // others: r-- (no search)
    expect(stat(fs, 'a', user).isDirectory()).toBe(true);
    for (const p of ['a/b', 'a/b/c', 'a/.', 'a/..', 'a/nope']) {
      const e = errOf(() => stat(fs, p, user));
      expect(e.code, p).toBe('EACCES');
      expect(e.errno).toBe(-13);
    }
    // Root searches anything; the owner class is used for the owner.
    expect(stat(fs, 'a/b/c').isFile()).toBe(true);
    const fs2 = sample();
    fs2.at('a').uid = 1000;
    fs2.at('a').mode = 0o070;
    expect(errOf(() => stat(fs2, 'a/b', user)).code).toBe('EACCES');
    const fs3 = sample();
    fs3.at('a').uid = 1000;
    fs3.at('a').mode = 0o100;
    fs3.at('a/b').mode = 0o001;
    expect(stat(fs3, 'a/b/c', user).isFile()).toBe(true);
    expectQuiescent(fs);
    expectQuiescent(fs3);
    expect(user.task.held).toEqual([]);
  });

  it('checks search permission through ->permission when the filesystem has one', () => {
    const calls: string[] = [];
    const fs = new ToyFs(
      { a: { b: 'x' } },
      { permissionHook: (cred, inode, mask) => calls.push(`${cred.uid}:${inode.ino}:${mask}`) },
    );
    stat(fs, 'a/b');
    const rootIno = fs.rootNode.ino;
    const aIno = fs.at('a').ino;
    expect(calls).toEqual([`0:${rootIno}:1`, `0:${aIno}:1`]);
  });

  it('d_revalidate returning false drops the cached dentry and looks it up afresh', () => {
    let valid = true;
    const revalidated: string[] = [];
    const fs = new ToyFs(
      { a: { b: 'x' } },
      {
        dentryOps: {
          revalidate: (d) => {
            revalidated.push(d.name);
            return valid;
          },
        },
      },
    );
    stat(fs, 'a/b');
    expect(fs.lookupCount('a')).toBe(1);
    expect(fs.lookupCount('b')).toBe(1);
    stat(fs, 'a/b');
    expect(revalidated).toEqual(['a', 'b']);
    expect(fs.lookupCount('a')).toBe(1);
    const oldA = fs.dcache.peek(fs.root, 'a')!;
    const oldB = fs.dcache.peek(oldA, 'b')!;
    valid = false;
    stat(fs, 'a/b');
    expect(fs.lookupCount('a')).toBe(2);
    expect(fs.lookupCount('b')).toBe(2);
    // The stale ones were invalidated and, unused, freed.
    expect(oldA.isPoisoned).toBe(true);
    expect(oldB.isPoisoned).toBe(true);
    const newA = fs.dcache.peek(fs.root, 'a')!;
    expect(newA).not.toBe(oldA);
    valid = true;
    stat(fs, 'a/b');
    expect(fs.lookupCount('a')).toBe(2);
    // Each invalid walk looks up again, once per component.
    valid = false;
    stat(fs, 'a/b');
    stat(fs, 'a/b');
    expect(fs.lookupCount('a')).toBe(4);
    expect(fs.dcache.live.size).toBe(3);
    expect(fs.sb.inodes.live).toBe(3);
    expectQuiescent(fs);
  });

  it('d_revalidate false on an open file keeps the stale dentry for its holder', () => {
    let valid = true;
    const fs = new ToyFs({ f: 'data' }, { dentryOps: { revalidate: () => valid } });
    const file = open(fs, 'f');
    valid = false;
    stat(fs, 'f');
    const fresh = fs.dcache.peek(fs.root, 'f')!;
    expect(fresh).not.toBe(file.dentry);
    expect(file.dentry.hashed).toBe(false);
    expect(read(fs, file)).toBe('data');
    close(fs, file);
    expect(file.dentry.isPoisoned).toBe(true);
    expect(fs.lookupCount('f')).toBe(2);
  });

  it('a plain miss leaves nothing cached; a negative-caching fs caches it once', () => {
    const plain = sample();
    expect(() => stat(plain, 'nope')).toThrow(FsError);
    expect(() => stat(plain, 'nope')).toThrow(FsError);
    expect(plain.lookupCount('nope')).toBe(2);
    expect(plain.dcache.counts().negative).toBe(0);
    const neg = new ToyFs({ a: {} }, { negative: true });
    expect(() => stat(neg, 'a/nope')).toThrow(FsError);
    expect(() => stat(neg, 'a/nope')).toThrow(FsError);
    expect(() => stat(neg, 'a/nope/x')).toThrow(FsError);
    expect(neg.lookupCount('nope')).toBe(1);
    expect(neg.dcache.counts().negative).toBe(1);
    expectQuiescent(neg);
  });

  it('->lookup errors fail the walk and release everything', () => {
    const fs = sample();
    const dir = fs.root.inode!;
    const base = dir.iop;
    dir.iop = {
      ...base,
      // eslint-disable-next-line require-yield
      *lookup(_ctx, _dir, d) {
        throw fsErr('EIO', `cannot look up ${d.name}`);
      },
    };
    const e = errOf(() => stat(fs, 'a/b'));
    expect(e.code).toBe('EIO');
    expect(e.syscall).toBe('stat');
    expect(e.path).toBe('a/b');
    expect(e.detail).toBe('cannot look up a');
    expect(fs.dcache.live.size).toBe(1);
    expectQuiescent(fs);
    // Not left in-lookup: the next lookup is fresh again.
    dir.iop = base;
    expect(stat(fs, 'a/b').isDirectory()).toBe(true);
  });

  it('uses the dentry ->lookup returns instead of the one it was given', () => {
    const fs = sample();
    const dir = fs.root.inode!;
    const target = runSync(pathLookup(fs.ctx, fs.root, 'f'));
    const base = dir.iop;
    const given: Dentry[] = [];
    dir.iop = {
      ...base,
      // eslint-disable-next-line require-yield
      *lookup(_ctx, _dir, d): KOp<Dentry | null> {
        given.push(d);
        return fs.dcache.dget(target);
      },
    };
    const d = runSync(lookupComponent(fs.ctx, fs.root, 'alias'));
    expect(d).toBe(target);
    expect(target.count).toBe(2);
    expect(given).toHaveLength(1);
    expect(given[0]!.isPoisoned).toBe(true);
    expect(given[0]!.name).toBe('alias');
    runSync(fs.dcache.dput(fs.ctx, d));
    runSync(fs.dcache.dput(fs.ctx, target));
    expectQuiescent(fs);
  });

  it('without ->lookup a directory has only what the dcache holds', () => {
    const fs = sample();
    const dir = fs.root.inode!;
    dir.iop = {};
    expect(errOf(() => stat(fs, 'a')).code).toBe('ENOENT');
    expect(fs.lookups).toEqual([]);
    expectQuiescent(fs);
  });

  it('refuses lookups in a dead directory with ENOENT', () => {
    const fs = new ToyFs({ d: {} }, { mkdir: true });
    const d = runSync(pathLookup(fs.ctx, fs.root, 'd'));
    runSync(sysRmdir(fs.ctx, fs.root, 'd'));
    expect(d.inode!.dead).toBe(true);
    expect(d.hashed).toBe(false);
    const e = fsErrorOf(() => runSync(lookupComponent(fs.ctx, d, 'x')));
    expect(e.code).toBe('ENOENT');
    expect(fs.lookupCount('x')).toBe(0);
    expect(fs.ctx.task.held).toEqual([]);
    runSync(fs.dcache.dput(fs.ctx, d));
    expect(d.isPoisoned).toBe(true);
  });

  it('walkComponents with allowNegative returns the negative last component', () => {
    const fs = sample();
    const d = runSync(walkComponents(fs.ctx, fs.dcache.dget(fs.root), ['a', 'nope'], true));
    expect(d.inode).toBeNull();
    expect(d.parent.name).toBe('a');
    expect(
      errOf(() => runSync(walkComponents(fs.ctx, fs.dcache.dget(fs.root), ['nope', 'x'], true)))
        .code,
    ).toBe('ENOENT');
    runSync(fs.dcache.dput(fs.ctx, d));
    expectQuiescent(fs);
  });

  it('pathParent returns the parent and the last component', () => {
    const fs = sample();
    const p = runSync(pathParent(fs.ctx, fs.root, 'a/b/zz/'));
    expect(p.parent.name).toBe('b');
    expect(p.last).toBe('zz');
    expect(p.trailingSlash).toBe(true);
    runSync(fs.dcache.dput(fs.ctx, p.parent));
    const r = runSync(pathParent(fs.ctx, fs.root, '/'));
    expect(r.parent).toBe(fs.root);
    expect(r.last).toBeUndefined();
    runSync(fs.dcache.dput(fs.ctx, r.parent));
    expect(errOf(() => runSync(pathParent(fs.ctx, fs.root, 'f/x'))).code).toBe('ENOTDIR');
    expectQuiescent(fs);
  });
});

describe('open / read / write / close', () => {
  it('reads from f_pos and advances it; past EOF returns an empty string', () => {
    const fs = sample();
    const file = open(fs, 'a/b/c');
    expect(file.pos).toBe(0);
    expect(read(fs, file, 5)).toBe('hello');
    expect(file.pos).toBe(5);
    expect(read(fs, file, 1)).toBe(' ');
    expect(read(fs, file)).toBe('world');
    expect(file.pos).toBe(11);
    expect(read(fs, file)).toBe('');
    expect(read(fs, file, 10)).toBe('');
    expect(file.pos).toBe(11);
    expect(read(fs, file, 0)).toBe('');
    close(fs, file);
    expectQuiescent(fs);
  });

  it('each open has its own f_pos', () => {
    const fs = sample();
    const f1 = open(fs, 'a/b/c');
    const f2 = open(fs, 'a/b/c');
    expect(read(fs, f1, 6)).toBe('hello ');
    expect(read(fs, f2, 3)).toBe('hel');
    expect(f1.dentry).toBe(f2.dentry);
    expect(f1.dentry.count).toBe(2);
    close(fs, f1);
    close(fs, f2);
    expectQuiescent(fs);
  });

  it('writes at f_pos with r+, growing the file', () => {
    const fs = sample();
    const file = open(fs, 'a/b/c', 'r+');
    expect(read(fs, file, 6)).toBe('hello ');
    expect(write(fs, file, 'WORLD!!')).toBe(7);
    expect(file.pos).toBe(13);
    expect(fs.at('a/b/c').content).toBe('hello WORLD!!');
    expect(file.inode.size).toBe(13);
    expect(write(fs, file, '')).toBe(0);
    expect(file.pos).toBe(13);
    file.pos = 0;
    expect(read(fs, file)).toBe('hello WORLD!!');
    close(fs, file);
  });

  it("'w' on an existing file writes from offset 0", () => {
    const fs = sample();
    const file = open(fs, 'f', 'w');
    expect(write(fs, file, 'T')).toBe(1);
    expect(fs.at('f').content).toBe('Top');
    expect(file.pos).toBe(1);
    close(fs, file);
  });

  it("'a' appends at the end of the file on every write", () => {
    const fs = sample();
    const file = open(fs, 'f', 'a');
    expect(file.pos).toBe(0);
    expect(write(fs, file, '-1')).toBe(2);
    expect(file.pos).toBe(5);
    file.pos = 0;
    expect(write(fs, file, '-2')).toBe(2);
    expect(fs.at('f').content).toBe('top-1-2');
    expect(file.pos).toBe(7);
    expect(errOf(() => read(fs, file)).code).toBe('EBADF');
    close(fs, file);
    const ap = open(fs, 'f', 'a+');
    expect(write(fs, ap, '!')).toBe(1);
    ap.pos = 0;
    expect(read(fs, ap)).toBe('top-1-2!');
    close(fs, ap);
    expectQuiescent(fs);
  });

  it('read on a write-only file is EBADF, write on a read-only one too', () => {
    const fs = sample();
    const w = open(fs, 'f', 'w');
    const e = errOf(() => read(fs, w));
    expect(e.code).toBe('EBADF');
    expect(e.syscall).toBe('read');
    expect(e.detail).toBe('not open for reading');
    const r = open(fs, 'f', 'r');
    const e2 = errOf(() => write(fs, r, 'x'));
    expect(e2.code).toBe('EBADF');
    expect(e2.syscall).toBe('write');
    close(fs, w);
    close(fs, r);
  });

  it('a closed file fails every call with EBADF', () => {
    const fs = sample();
    const file = open(fs, 'f', 'r+');
    close(fs, file);
    expect(file.released).toBe(true);
    for (const fn of [
      () => read(fs, file),
      () => write(fs, file, 'x'),
      () => {
        close(fs, file);
      },
    ]) {
      const e = errOf(fn);
      expect(e.code).toBe('EBADF');
      expect(e.errno).toBe(-9);
    }
    const e = errOf(() => runSync(sysRead(fs.ctx, file, 1, '/f')));
    expect(e.message).toBe("EBADF: bad file descriptor, read '/f'");
    expectQuiescent(fs);
  });

  it('close calls ->release once and drops the dentry reference', () => {
    const fs = sample();
    const file = open(fs, 'a/b/c');
    expect(file.dentry.count).toBe(1);
    close(fs, file);
    expect(fs.releases).toEqual(['c']);
    expect(file.dentry.count).toBe(0);
    expect(file.dentry.onLru).toBe(true);
    expect(() => {
      close(fs, file);
    }).toThrow(FsError);
    expect(fs.releases).toEqual(['c']);
  });

  it('opening a directory for writing is EISDIR; reading it is EISDIR', () => {
    const fs = sample();
    for (const f of ['w', 'r+', 'a', 'w+', 'a+'] as const) {
      const e = errOf(() => open(fs, 'a', f));
      expect(e.code, f).toBe('EISDIR');
      expect(e.syscall).toBe('open');
      expect(e.path).toBe('a');
    }
    expect(errOf(() => open(fs, '/', 'w')).code).toBe('EISDIR');
    expect(errOf(() => open(fs, 'a/', 'r+')).code).toBe('EISDIR');
    const dir = open(fs, 'a');
    expect(errOf(() => read(fs, dir)).code).toBe('EISDIR');
    close(fs, dir);
    expectQuiescent(fs);
  });

  it("'w' of a missing name is EACCES: the filesystem has no ->create", () => {
    const fs = sample();
    const e = errOf(() => open(fs, 'nope', 'w'));
    expect(e.code).toBe('EACCES');
    expect(e.syscall).toBe('open');
    expect(e.path).toBe('nope');
    expect(errOf(() => open(fs, 'a/b/nope', 'a')).code).toBe('EACCES');
    expect(errOf(() => open(fs, 'a/nope/x', 'w')).code).toBe('ENOENT');
    expect(errOf(() => open(fs, 'f/x', 'w')).code).toBe('ENOTDIR');
    expect(errOf(() => open(fs, 'nope', 'r')).code).toBe('ENOENT');
    expect(errOf(() => open(fs, 'f/', 'w')).code).toBe('EISDIR');
    expectQuiescent(fs);
  });

  it('checks may_open permissions against the file mode', () => {
    const fs = sample();
    const user = ctxFor(USER);
    expect(open(fs, 'f', 'r', user).flags.read).toBe(true);
    expect(errOf(() => open(fs, 'f', 'r+', user)).code).toBe('EACCES');
    expect(errOf(() => open(fs, 'f', 'a', user)).code).toBe('EACCES');
    fs.at('a/e').mode = 0o200;
    expect(errOf(() => open(fs, 'a/e', 'r', user)).code).toBe('EACCES');
    // Root reads and writes regardless of the mode.
    const f = open(fs, 'a/e', 'r+');
    close(fs, f);
  });

  it('works with simpleFileOps read-only and write-only files', () => {
    const fs = sample();
    const sink: string[] = [];
    fs.add('', 'ro', 'file', 0o444, 'read me').fops = readOnlyFops();
    fs.add('', 'wo', 'file', 0o200).fops = writeOnlyFops(sink);
    const ro = open(fs, 'ro');
    expect(read(fs, ro, 4)).toBe('read');
    expect(read(fs, ro)).toBe(' me');
    close(fs, ro);
    const roW = open(fs, 'ro', 'r+');
    const e = errOf(() => write(fs, roW, 'x'));
    expect(e.code).toBe('EINVAL');
    expect(e.detail).toBe('file has no write method');
    close(fs, roW);
    const wo = open(fs, 'wo', 'w');
    expect(write(fs, wo, 'cmd1')).toBe(4);
    expect(write(fs, wo, 'cmd2')).toBe(4);
    expect(sink).toEqual(['cmd1', 'cmd2']);
    expect(wo.pos).toBe(8);
    close(fs, wo);
    const woR = open(fs, 'wo', 'r+');
    const e2 = errOf(() => read(fs, woR));
    expect(e2.code).toBe('EINVAL');
    expect(e2.detail).toBe('wo is write-only');
    close(fs, woR);
    expectQuiescent(fs);
  });

  it('a file without ->read fails read(2) with EINVAL', () => {
    const fs = sample();
    fs.add('', 'bare', 'file').fops = {};
    const f = open(fs, 'bare', 'r+');
    expect(errOf(() => read(fs, f)).code).toBe('EINVAL');
    expect(errOf(() => write(fs, f, 'x')).code).toBe('EINVAL');
    close(fs, f);
  });

  it('->open errors fail open(2) and drop the dentry reference', () => {
    const fs = sample();
    const opened: string[] = [];
    fs.add('', 'busy', 'file').fops = controlFops<unknown>(
      {
        // eslint-disable-next-line require-yield
        *open(_ctx, _data, file) {
          opened.push(file.dentry.name);
          throw fsErr('EBUSY');
        },
      },
      'busy',
    );
    const e = errOf(() => open(fs, 'busy'));
    expect(e.code).toBe('EBUSY');
    expect(e.syscall).toBe('open');
    expect(opened).toEqual(['busy']);
    expectQuiescent(fs);
  });

  it('checkWriteSize caps control writes', () => {
    expect(() => {
      checkWriteSize('x'.repeat(MAX_CONTROL_WRITE));
    }).not.toThrow();
    expect(
      fsErrorOf(() => {
        checkWriteSize('x'.repeat(MAX_CONTROL_WRITE + 1));
      }).code,
    ).toBe('EINVAL');
    expect(
      fsErrorOf(() => {
        checkWriteSize('abc', 2);
      }).code,
    ).toBe('EINVAL');
  });

  it('readFromBuffer copies from f_pos', () => {
    const fs = sample();
    const file = open(fs, 'f');
    expect(readFromBuffer(file, 'abcdef', 2)).toBe('ab');
    expect(readFromBuffer(file, 'abcdef', 100)).toBe('cdef');
    expect(readFromBuffer(file, 'abcdef', 1)).toBe('');
    file.pos = 1;
    expect(readFromBuffer(file, 'abcdef', -1)).toBe('');
    expect(file.pos).toBe(1);
    close(fs, file);
  });

  it('parseFlags knows the Node flag strings only', () => {
    expect(parseFlags('r')).toMatchObject({ read: true, write: false, create: false });
    expect(parseFlags('w')).toMatchObject({ read: false, write: true, trunc: true, create: true });
    expect(parseFlags('a+')).toMatchObject({ read: true, write: true, append: true, create: true });
    expect(parseFlags('rw')).toBeUndefined();
    expect(parseFlags('toString')).toBeUndefined();
  });
});

describe('sysReaddir', () => {
  it("lists '.' and '..' first, then the children", () => {
    const fs = sample();
    const list = runSync(sysReaddir(fs.ctx, fs.root, 'a'));
    expect(list).toEqual([
      { name: '.', ino: fs.at('a').ino, type: 'dir' },
      { name: '..', ino: fs.rootNode.ino, type: 'dir' },
      { name: 'b', ino: fs.at('a/b').ino, type: 'dir' },
      { name: 'e', ino: fs.at('a/e').ino, type: 'file' },
    ]);
    const root = runSync(sysReaddir(fs.ctx, fs.root, '/'));
    expect(root.map((e) => e.name)).toEqual(['.', '..', 'a', 'f', 'g']);
    expect(root[1]!.ino).toBe(fs.rootNode.ino);
    expect(runSync(sysReaddir(fs.ctx, fs.root, 'g')).map((e) => e.name)).toEqual(['.', '..']);
    expectQuiescent(fs);
  });

  it('fails on files with ENOTDIR and on missing paths with ENOENT, as scandir', () => {
    const fs = sample();
    const e = errOf(() => runSync(sysReaddir(fs.ctx, fs.root, 'f')));
    expect(e.code).toBe('ENOTDIR');
    expect(e.syscall).toBe('scandir');
    expect(e.path).toBe('f');
    expect(errOf(() => runSync(sysReaddir(fs.ctx, fs.root, 'nope'))).code).toBe('ENOENT');
    expectQuiescent(fs);
  });

  it('needs read permission on the directory', () => {
    const fs = sample();
    fs.at('g').mode = 0o711;
    expect(errOf(() => runSync(sysReaddir(ctxFor(USER), fs.root, 'g'))).code).toBe('EACCES');
    expect(runSync(sysReaddir(fs.ctx, fs.root, 'g'))).toHaveLength(2);
  });

  it('a directory without ->iterate is ENOTDIR', () => {
    const fs = sample();
    runSync(sysStat(fs.ctx, fs.root, 'g'));
    fs.dcache.peek(fs.root, 'g')!.inode!.fop = {};
    expect(errOf(() => runSync(sysReaddir(fs.ctx, fs.root, 'g'))).code).toBe('ENOTDIR');
    expectQuiescent(fs);
  });
});

describe('mkdir / rmdir', () => {
  it('mkdir without ->mkdir is EPERM', () => {
    const fs = sample();
    const e = errOf(() => {
      runSync(sysMkdir(fs.ctx, fs.root, 'newdir', 0o755));
    });
    expect(e.code).toBe('EPERM');
    expect(e.syscall).toBe('mkdir');
    expect(e.path).toBe('newdir');
    expect(fs.ctx.task.held).toEqual([]);
    expectQuiescent(fs);
  });

  it('mkdir of an existing name is EEXIST (file, dir, ., .., /)', () => {
    for (const p of ['f', 'a', 'a/b/', 'a/.', 'a/..', '/', '.']) {
      const fs = sample();
      expect(
        errOf(() => {
          runSync(sysMkdir(fs.ctx, fs.root, p, 0o755));
        }).code,
        p,
      ).toBe('EEXIST');
      expectQuiescent(fs);
    }
  });

  it('mkdir needs write and search permission on the parent', () => {
    const fs = new ToyFs({ d: {} }, { mkdir: true });
    fs.at('d').uid = 1000;
    fs.at('d').mode = 0o500;
    expect(
      errOf(() => {
        runSync(sysMkdir(ctxFor(USER), fs.root, 'd/x', 0o755));
      }).code,
    ).toBe('EACCES');
    expect(fs.at('d').children.size).toBe(0);
  });

  it('mkdir with ->mkdir creates a directory visible to stat and readdir', () => {
    const fs = new ToyFs({ d: {} }, { mkdir: true });
    runSync(sysMkdir(fs.ctx, fs.root, 'd/x', 0o40777));
    const s = stat(fs, 'd/x');
    expect(s.isDirectory()).toBe(true);
    // Only permission bits reach ->mkdir.
    expect(s.mode).toBe(S_IFDIR | 0o777);
    expect(runSync(sysReaddir(fs.ctx, fs.root, 'd')).map((e) => e.name)).toEqual(['.', '..', 'x']);
    expect(
      errOf(() => {
        runSync(sysMkdir(fs.ctx, fs.root, 'd/x', 0o755));
      }).code,
    ).toBe('EEXIST');
    runSync(sysMkdir(fs.ctx, fs.root, 'd/x/y/', 0o700));
    expect(stat(fs, 'd/x/y').mode).toBe(S_IFDIR | 0o700);
    expectQuiescent(fs);
  });

  it('mkdir over a cached negative dentry instantiates it', () => {
    const fs = new ToyFs({}, { mkdir: true, negative: true });
    expect(() => stat(fs, 'x')).toThrow(FsError);
    const neg = fs.dcache.peek(fs.root, 'x')!;
    expect(neg.inode).toBeNull();
    runSync(sysMkdir(fs.ctx, fs.root, 'x', 0o755));
    expect(fs.dcache.peek(fs.root, 'x')).toBe(neg);
    expect(neg.inode).not.toBeNull();
    expect(stat(fs, 'x').isDirectory()).toBe(true);
    expect(fs.lookupCount('x')).toBe(1);
  });

  it("rmdir of '.' is EINVAL, of '..' ENOTEMPTY, of the root EBUSY", () => {
    const fs = new ToyFs({ d: { e: {} } }, { mkdir: true });
    const e1 = errOf(() => {
      runSync(sysRmdir(fs.ctx, fs.root, 'd/.'));
    });
    expect(e1.code).toBe('EINVAL');
    expect(e1.syscall).toBe('rmdir');
    expect(e1.path).toBe('d/.');
    expect(
      errOf(() => {
        runSync(sysRmdir(fs.ctx, fs.root, '.'));
      }).code,
    ).toBe('EINVAL');
    expect(
      errOf(() => {
        runSync(sysRmdir(fs.ctx, fs.root, 'd/e/..'));
      }).code,
    ).toBe('ENOTEMPTY');
    expect(
      errOf(() => {
        runSync(sysRmdir(fs.ctx, fs.root, '/'));
      }).code,
    ).toBe('EBUSY');
    expect(
      errOf(() => {
        runSync(sysRmdir(fs.ctx, fs.root, '//'));
      }).code,
    ).toBe('EBUSY');
    expect(fs.at('d/e').removed).toBe(false);
    expectQuiescent(fs);
  });

  it('rmdir of a file is ENOTDIR, of a missing name ENOENT, without ->rmdir EPERM', () => {
    const fs = new ToyFs({ d: {}, f: 'x' }, { mkdir: true });
    expect(
      errOf(() => {
        runSync(sysRmdir(fs.ctx, fs.root, 'f'));
      }).code,
    ).toBe('ENOTDIR');
    expect(
      errOf(() => {
        runSync(sysRmdir(fs.ctx, fs.root, 'nope'));
      }).code,
    ).toBe('ENOENT');
    expect(
      errOf(() => {
        runSync(sysRmdir(fs.ctx, fs.root, 'f/x'));
      }).code,
    ).toBe('ENOTDIR');
    const plain = sample();
    expect(
      errOf(() => {
        runSync(sysRmdir(plain.ctx, plain.root, 'g'));
      }).code,
    ).toBe('EPERM');
    expectQuiescent(fs);
    expectQuiescent(plain);
  });

  it('rmdir removes an empty directory: unhashed, dead, and gone for later lookups', () => {
    const fs = new ToyFs({ d: { e: {} } }, { mkdir: true });
    expect(
      errOf(() => {
        runSync(sysRmdir(fs.ctx, fs.root, 'd'));
      }).code,
    ).toBe('ENOTEMPTY');
    const held = runSync(pathLookup(fs.ctx, fs.root, 'd/e'));
    runSync(sysRmdir(fs.ctx, fs.root, 'd/e'));
    expect(held.hashed).toBe(false);
    expect(held.inode!.dead).toBe(true);
    expect(fs.dcache.peek(held.parent, 'e')).toBeUndefined();
    expect(errOf(() => stat(fs, 'd/e')).code).toBe('ENOENT');
    runSync(fs.dcache.dput(fs.ctx, held));
    expect(held.isPoisoned).toBe(true);
    runSync(sysRmdir(fs.ctx, fs.root, 'd'));
    expect(errOf(() => stat(fs, 'd')).code).toBe('ENOENT');
    expect(fs.ctx.task.held).toEqual([]);
    expectQuiescent(fs);
  });

  it('rmdir takes the parent and victim i_rwsem exclusively around ->rmdir', () => {
    const fs = new ToyFs({ d: {} }, { mkdir: true });
    const seen: string[] = [];
    const dirIop = fs.root.inode!.iop;
    fs.root.inode!.iop = {
      ...dirIop,
      *rmdir(ctx, dir, dentry) {
        seen.push(ctx.task.held.map((l) => l.name).join(','));
        seen.push(String(dir === fs.root.inode));
        yield* dirIop.rmdir!(ctx, dir, dentry);
      },
    };
    runSync(sysRmdir(fs.ctx, fs.root, 'd'));
    expect(seen).toEqual(['i_rwsem,i_rwsem', 'true']);
    expect(fs.ctx.task.held).toEqual([]);
  });

  it('mkdir blocks while another task holds the directory lock', () => {
    const fs = new ToyFs({ d: {} }, { mkdir: true });
    const other = new Task(9, 'holder');
    runSync(fs.root.inode!.lock.lockShared(other, 'test'));
    const v = violationOf(() => {
      runSync(sysMkdir(fs.ctx, fs.root, 'x', 0o755));
    });
    expect(v.kind).toBe('deadlock');
    expect(v.message).toContain('held by holder');
  });
});

describe('chmod / chown', () => {
  it('chmod changes permission bits and keeps the file type', () => {
    const fs = sample();
    runSync(sysChmod(fs.ctx, fs.root, 'f', 0o170600));
    expect(stat(fs, 'f').mode).toBe(S_IFREG | 0o600);
    runSync(sysChmod(fs.ctx, fs.root, 'a', 0o700));
    expect(stat(fs, 'a').mode).toBe(S_IFDIR | 0o700);
  });

  it('chmod by a non-owner is EPERM; by the owner fine', () => {
    const fs = sample();
    const user = ctxFor(USER);
    const e = errOf(() => {
      runSync(sysChmod(user, fs.root, 'f', 0o777));
    });
    expect(e.code).toBe('EPERM');
    expect(e.syscall).toBe('chmod');
    fs.at('a/e').uid = 1000;
    runSync(sysChmod(user, fs.root, 'a/e', 0o600));
    expect(stat(fs, 'a/e').mode).toBe(S_IFREG | 0o600);
  });

  it('chown: root changes both, -1 keeps a value, non-root cannot give files away', () => {
    const fs = sample();
    runSync(sysChown(fs.ctx, fs.root, 'f', 1000, -1));
    expect(stat(fs, 'f')).toMatchObject({ uid: 1000, gid: 0 });
    runSync(sysChown(fs.ctx, fs.root, 'f', -1, 50));
    expect(stat(fs, 'f')).toMatchObject({ uid: 1000, gid: 50 });
    const user = ctxFor({ uid: 1000, gid: 1000, groups: [60] });
    runSync(sysChown(user, fs.root, 'f', -1, 60));
    expect(stat(fs, 'f').gid).toBe(60);
    const e = errOf(() => {
      runSync(sysChown(user, fs.root, 'f', 0, -1));
    });
    expect(e.code).toBe('EPERM');
    expect(e.syscall).toBe('chown');
    expect(
      errOf(() => {
        runSync(sysChown(user, fs.root, 'f', -1, 70));
      }).code,
    ).toBe('EPERM');
    expect(
      errOf(() => {
        runSync(sysChown(user, fs.root, 'nope', -1, 60));
      }).code,
    ).toBe('ENOENT');
    expectQuiescent(fs);
  });

  it('uses ->setattr when the inode has one', () => {
    const fs = sample();
    const seen: unknown[] = [];
    const d = runSync(pathLookup(fs.ctx, fs.root, 'f'));
    d.inode!.iop = {
      // eslint-disable-next-line require-yield
      *setattr(_ctx, dentry, attr) {
        seen.push([dentry.name, attr]);
      },
    };
    runSync(sysChmod(fs.ctx, fs.root, 'f', 0o600));
    runSync(sysChown(fs.ctx, fs.root, 'f', 5, 6));
    expect(seen).toEqual([
      ['f', { mode: 0o600 }],
      ['f', { uid: 5, gid: 6 }],
    ]);
    expect(d.inode!.mode).toBe(S_IFREG | 0o644);
    runSync(fs.dcache.dput(fs.ctx, d));
  });

  it('simpleSetattr applies mode, uid and gid', () => {
    const fs = sample();
    const i = fs.makeInode(fs.at('f'));
    simpleSetattr(i, { mode: 0o7777 });
    expect(i.mode).toBe(S_IFREG | 0o7777);
    simpleSetattr(i, { uid: -1, gid: 3 });
    expect([i.uid, i.gid]).toEqual([0, 3]);
    simpleSetattr(i, {});
    expect([i.mode, i.uid, i.gid]).toEqual([S_IFREG | 0o7777, 0, 3]);
  });
});

describe('getattr', () => {
  it('calls ->getattr before copying the inode out', () => {
    const fs = sample();
    const d = runSync(pathLookup(fs.ctx, fs.root, 'f'));
    const inode = d.inode!;
    inode.iop = {
      // eslint-disable-next-line require-yield
      *getattr(_ctx, _dentry, i) {
        i.size = 999;
      },
    };
    expect(runSync(getattr(fs.ctx, d)).size).toBe(999);
    expect(stat(fs, 'f').size).toBe(999);
    runSync(fs.dcache.dput(fs.ctx, d));
  });
});
