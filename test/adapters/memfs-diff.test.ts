/**
 * memfs as a differential oracle for the generic part of the adapter: the same directory shape
 * in a memfs volume, in the adapter over a mount, and (on Linux) in a real directory under the
 * OS temp dir; the same generic operation on each; the error codes compared.
 *
 * Where memfs 4.80 is not Linux (it lets a write-only descriptor read, ...), the real
 * directory is the oracle and the divergence is written down. Where tracefs is not a generic
 * filesystem (no ->unlink, ->rename, ->create; eventfs has no ->rmdir; rmdir of an instance
 * removes it whole), the case says why.
 */
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { afterEach, describe, expect, it } from 'vitest';
import { createCatalog, createFs, mount } from '../../src/index';

/** The part of node:fs the cases use. */
interface FsLike {
  statSync(p: string): unknown;
  lstatSync(p: string): unknown;
  fstatSync(fd: number): unknown;
  readdirSync(p: string): unknown;
  opendirSync(p: string): { closeSync(): unknown };
  openSync(p: string, flags: string | number): number;
  closeSync(fd: number): unknown;
  readSync(fd: number, b: Uint8Array, off: number, len: number, pos: number | null): number;
  writeSync(fd: number, s: string): number;
  ftruncateSync(fd: number): unknown;
  readFileSync(p: string): unknown;
  mkdirSync(p: string, o?: { recursive?: boolean }): unknown;
  rmdirSync(p: string): unknown;
  rmSync(p: string): unknown;
  readlinkSync(p: string): unknown;
  accessSync(p: string): unknown;
  unlinkSync(p: string): unknown;
  renameSync(a: string, b: string): unknown;
  symlinkSync(t: string, p: string): unknown;
  linkSync(a: string, b: string): unknown;
  truncateSync(p: string): unknown;
}

type Backend = 'tracefs' | 'memfs' | 'linux';

/** The shape all three share (tracefs has more; the cases only touch these). */
const FILES = [
  'set_event',
  'available_events',
  'events/enable',
  'events/demo/enable',
  'events/demo/filter',
  'events/demo/tick/enable',
  'events/demo/tock/enable',
  'instances/foo/set_event',
];

const CATALOG = createCatalog([{ name: 'demo', events: [{ name: 'tick' }, { name: 'tock' }] }]);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function make(backend: Backend): { fs: FsLike; base: string } {
  switch (backend) {
    case 'tracefs': {
      const tracefs = mount({ catalog: CATALOG });
      tracefs.mkdir('instances/foo');
      return { fs: createFs(tracefs, { root: '/t' }), base: '/t' };
    }
    case 'memfs': {
      const vol = Volume.fromJSON(Object.fromEntries(FILES.map((f) => [`/t/${f}`, '0\n'])));
      return { fs: vol, base: '/t' };
    }
    case 'linux': {
      const base = nodeFs.mkdtempSync(join(tmpdir(), 'tracefs-diff-'));
      for (const f of FILES) {
        nodeFs.mkdirSync(join(base, f, '..'), { recursive: true });
        nodeFs.writeFileSync(join(base, f), '0\n');
      }
      cleanups.push(() => {
        nodeFs.rmSync(base, { recursive: true, force: true });
      });
      return { fs: nodeFs, base };
    }
  }
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

/** Open, run, close whatever happens (the real directory must not leak descriptors). */
function withFd(fs: FsLike, path: string, flags: string, fn: (fd: number) => unknown): unknown {
  const fd = fs.openSync(path, flags);
  try {
    return fn(fd);
  } finally {
    fs.closeSync(fd);
  }
}

interface Case {
  readonly name: string;
  readonly run: (fs: FsLike, b: string) => unknown;
  /** What Linux answers (checked against a real directory on Linux). */
  readonly linux: string;
  /** memfs's answer when it is not Linux's, and why that does not matter here. */
  readonly memfs?: { readonly code: string; readonly note: string };
  /** tracefs's answer when a generic filesystem's is not its, and the kernel reason. */
  readonly tracefs?: { readonly code: string; readonly note: string };
}

const buf = (): Uint8Array => new Uint8Array(8);

const CASES: readonly Case[] = [
  { name: 'stat of a missing path', run: (fs, b) => fs.statSync(`${b}/nope`), linux: 'ENOENT' },
  { name: 'lstat of a missing path', run: (fs, b) => fs.lstatSync(`${b}/nope`), linux: 'ENOENT' },
  {
    name: 'stat through a file',
    run: (fs, b) => fs.statSync(`${b}/set_event/x`),
    linux: 'ENOTDIR',
  },
  {
    name: 'stat with a trailing slash on a file',
    run: (fs, b) => fs.statSync(`${b}/set_event/`),
    linux: 'ENOTDIR',
    memfs: { code: 'ok', note: 'memfs ignores a trailing slash on stat' },
  },
  {
    name: 'open with a trailing slash on a file',
    run: (fs, b) => withFd(fs, `${b}/set_event/`, 'r', () => 0),
    linux: 'ENOTDIR',
  },
  { name: 'access of a missing path', run: (fs, b) => fs.accessSync(`${b}/nope`), linux: 'ENOENT' },
  { name: 'readdir of a file', run: (fs, b) => fs.readdirSync(`${b}/set_event`), linux: 'ENOTDIR' },
  {
    name: 'readdir of a missing path',
    run: (fs, b) => fs.readdirSync(`${b}/nope`),
    linux: 'ENOENT',
  },
  {
    name: 'opendir of a file',
    run: (fs, b) => fs.opendirSync(`${b}/set_event`).closeSync(),
    linux: 'ENOTDIR',
  },
  {
    name: 'open a directory for writing',
    run: (fs, b) => withFd(fs, `${b}/events`, 'w', () => 0),
    linux: 'EISDIR',
  },
  {
    name: 'open a directory read-write',
    run: (fs, b) => withFd(fs, `${b}/events`, 'r+', () => 0),
    linux: 'EISDIR',
  },
  {
    name: 'open a missing file for reading',
    run: (fs, b) => withFd(fs, `${b}/nope`, 'r', () => 0),
    linux: 'ENOENT',
  },
  {
    name: 'O_EXCL on an existing file',
    run: (fs, b) => withFd(fs, `${b}/set_event`, 'wx', () => 0),
    linux: 'EEXIST',
  },
  {
    name: 'readFile of a directory',
    run: (fs, b) => fs.readFileSync(`${b}/events`),
    linux: 'EISDIR',
  },
  {
    name: 'mkdir of an existing directory',
    run: (fs, b) => fs.mkdirSync(`${b}/events`),
    linux: 'EEXIST',
  },
  {
    name: 'mkdir of an existing file',
    run: (fs, b) => fs.mkdirSync(`${b}/set_event`),
    linux: 'EEXIST',
  },
  {
    name: 'mkdir with a missing parent',
    run: (fs, b) => fs.mkdirSync(`${b}/nope/x`),
    linux: 'ENOENT',
  },
  {
    name: 'mkdir -p of an existing directory',
    run: (fs, b) => fs.mkdirSync(`${b}/events/demo`, { recursive: true }),
    linux: 'ok',
  },
  {
    name: 'mkdir -p over a file',
    run: (fs, b) => fs.mkdirSync(`${b}/set_event`, { recursive: true }),
    linux: 'EEXIST',
    memfs: { code: 'ok', note: 'memfs accepts a file where mkdir -p wants a directory' },
  },
  {
    name: 'mkdir -p under a file',
    run: (fs, b) => fs.mkdirSync(`${b}/set_event/a/b`, { recursive: true }),
    linux: 'ENOTDIR',
  },
  { name: 'rmdir of a file', run: (fs, b) => fs.rmdirSync(`${b}/set_event`), linux: 'ENOTDIR' },
  { name: 'rmdir of a missing path', run: (fs, b) => fs.rmdirSync(`${b}/nope`), linux: 'ENOENT' },
  {
    name: 'rmdir of a non-empty directory',
    run: (fs, b) => fs.rmdirSync(`${b}/events/demo`),
    linux: 'ENOTEMPTY',
    tracefs: {
      code: 'EPERM',
      note:
        'eventfs directories have no ->rmdir: vfs_rmdir() answers EPERM before any emptiness ' +
        'check (that check is the filesystem ->rmdir, e.g. simple_rmdir()).',
    },
  },
  {
    name: 'rmdir of a non-empty instance',
    run: (fs, b) => fs.rmdirSync(`${b}/instances/foo`),
    linux: 'ENOTEMPTY',
    tracefs: {
      code: 'ok',
      note: 'tracefs_syscall_rmdir() -> instance_rmdir() removes the instance with its files.',
    },
  },
  {
    name: 'rm of a directory without recursive',
    run: (fs, b) => fs.rmSync(`${b}/events`),
    linux: 'ERR_FS_EISDIR',
  },
  {
    name: 'read on a write-only descriptor',
    run: (fs, b) =>
      withFd(fs, `${b}/events/demo/tick/enable`, 'a', (fd) => fs.readSync(fd, buf(), 0, 8, null)),
    linux: 'EBADF',
    memfs: { code: 'ok', note: 'memfs reads 0 bytes from a write-only descriptor' },
  },
  {
    name: 'write on a read-only descriptor',
    run: (fs, b) => withFd(fs, `${b}/events/demo/tick/enable`, 'r', (fd) => fs.writeSync(fd, '1')),
    linux: 'EBADF',
    memfs: { code: 'ok', note: 'memfs writes through a read-only descriptor' },
  },
  {
    name: 'read on a directory descriptor',
    run: (fs, b) => withFd(fs, `${b}/events`, 'r', (fd) => fs.readSync(fd, buf(), 0, 8, null)),
    linux: 'EISDIR',
    memfs: { code: 'ok', note: 'memfs reads 0 bytes from a directory descriptor' },
  },
  {
    name: 'close twice',
    run: (fs, b) => {
      const fd = fs.openSync(`${b}/set_event`, 'r');
      fs.closeSync(fd);
      fs.closeSync(fd);
    },
    linux: 'EBADF',
  },
  {
    name: 'fstat of a closed descriptor',
    run: (fs, b) => {
      const fd = fs.openSync(`${b}/set_event`, 'r');
      fs.closeSync(fd);
      fs.fstatSync(fd);
    },
    linux: 'EBADF',
  },
  {
    name: 'ftruncate of a read-only descriptor',
    run: (fs, b) =>
      withFd(fs, `${b}/set_event`, 'r', (fd) => {
        fs.ftruncateSync(fd);
      }),
    linux: 'EINVAL',
    memfs: { code: 'ok', note: 'memfs truncates through a read-only descriptor' },
  },
  { name: 'truncate of a file', run: (fs, b) => fs.truncateSync(`${b}/set_event`), linux: 'ok' },
  {
    name: 'truncate of a directory',
    run: (fs, b) => fs.truncateSync(`${b}/events`),
    linux: 'EISDIR',
  },
  {
    name: 'readlink of a file',
    run: (fs, b) => fs.readlinkSync(`${b}/set_event`),
    linux: 'EINVAL',
  },
  {
    name: 'unlink of a directory',
    run: (fs, b) => fs.unlinkSync(`${b}/events`),
    linux: 'EISDIR',
    memfs: { code: 'EPERM', note: 'memfs answers EPERM (POSIX allows it; Linux says EISDIR)' },
  },
  { name: 'unlink of a missing path', run: (fs, b) => fs.unlinkSync(`${b}/nope`), linux: 'ENOENT' },
  {
    name: 'unlink of a file',
    run: (fs, b) => fs.unlinkSync(`${b}/set_event`),
    linux: 'ok',
    tracefs: { code: 'EPERM', note: 'tracefs has no ->unlink: vfs_unlink() answers EPERM.' },
  },
  {
    name: 'rename of a file',
    run: (fs, b) => fs.renameSync(`${b}/set_event`, `${b}/renamed`),
    linux: 'ok',
    tracefs: { code: 'EPERM', note: 'tracefs has no ->rename: vfs_rename() answers EPERM.' },
  },
  {
    name: 'rename of a missing path',
    run: (fs, b) => fs.renameSync(`${b}/nope`, `${b}/renamed`),
    linux: 'ENOENT',
  },
  {
    name: 'rename onto itself',
    run: (fs, b) => fs.renameSync(`${b}/set_event`, `${b}/set_event`),
    linux: 'ok',
  },
  {
    name: 'symlink to a new name',
    run: (fs, b) => fs.symlinkSync('set_event', `${b}/link`),
    linux: 'ok',
    tracefs: { code: 'EPERM', note: 'tracefs has no ->symlink: vfs_symlink() answers EPERM.' },
  },
  {
    name: 'symlink over an existing name',
    run: (fs, b) => fs.symlinkSync('set_event', `${b}/available_events`),
    linux: 'EEXIST',
  },
  {
    name: 'link to a new name',
    run: (fs, b) => fs.linkSync(`${b}/set_event`, `${b}/hard`),
    linux: 'ok',
    tracefs: { code: 'EPERM', note: 'tracefs has no ->link: vfs_link() answers EPERM.' },
  },
  {
    name: 'link of a missing path',
    run: (fs, b) => fs.linkSync(`${b}/nope`, `${b}/hard`),
    linux: 'ENOENT',
  },
  {
    name: 'create a new file',
    run: (fs, b) => withFd(fs, `${b}/newfile`, 'w', () => 0),
    linux: 'ok',
    tracefs: {
      code: 'EACCES',
      note: 'tracefs directories have no ->create: lookup_open() answers EACCES.',
    },
  },
  {
    name: 'mkdir in a plain directory',
    run: (fs, b) => fs.mkdirSync(`${b}/events/demo/new`),
    linux: 'ok',
    tracefs: {
      code: 'EPERM',
      note: 'eventfs directories have no ->mkdir: vfs_mkdir() answers EPERM.',
    },
  },
  { name: 'mkdir in instances/', run: (fs, b) => fs.mkdirSync(`${b}/instances/bar`), linux: 'ok' },
];

const onLinux = process.platform === 'linux';

describe('generic errors: adapter vs memfs vs Linux', () => {
  it.each(CASES)('$name', (c) => {
    const got = (backend: Backend): string => {
      const { fs, base } = make(backend);
      return codeOf(() => c.run(fs, base));
    };
    const expected = {
      tracefs: c.tracefs?.code ?? c.linux,
      memfs: c.memfs?.code ?? c.linux,
    };
    expect({ tracefs: got('tracefs'), memfs: got('memfs') }).toEqual(expected);
    if (onLinux) expect(got('linux')).toBe(c.linux);
  });

  it('agrees with memfs wherever neither memfs nor tracefs is documented to differ', () => {
    const generic = CASES.filter((c) => c.memfs === undefined && c.tracefs === undefined);
    expect(generic.length).toBeGreaterThanOrEqual(25);
    for (const c of generic) {
      const a = make('tracefs');
      const m = make('memfs');
      expect(
        codeOf(() => c.run(a.fs, a.base)),
        c.name,
      ).toBe(codeOf(() => c.run(m.fs, m.base)));
    }
  });
});
