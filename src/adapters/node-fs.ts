/**
 * A `node:fs`-shaped view of a mounted tracefs: `createFs(mount())` gives an object with the
 * sync, callback and `promises` forms of the calls code written against `node:fs` makes (stat,
 * readdir, open/read/write/close, readFile/writeFile, mkdir/rmdir, ...), numeric file
 * descriptors, `Stats`/`Dirent`/`Dir`/`FileHandle` objects and Node-shaped errors, so such code
 * runs unchanged against the model (for instance through `vi.mock('node:fs', ...)`).
 *
 * Calls the model has no system call for answer as the Linux VFS answers them on tracefs:
 * tracefs's inode_operations have no ->unlink, ->rename, ->link or ->symlink, so unlink, rename,
 * link and symlink fail with EPERM after the generic checks (may_delete()/may_create()) of
 * fs/namei.c; truncate goes through do_truncate() -> notify_change() -> tracefs_setattr() ->
 * simple_setattr() and succeeds; readlink is EINVAL (do_readlinkat(): not a symlink).
 *
 * Runs in a browser: bytes are `Uint8Array`s, not `Buffer`s (pass `toBuffer` to get Buffers).
 *
 * @module
 */
import { TracefsMount, type OpenFile, type Tracefs } from '../facade';
import { FsError, type ErrnoCode } from '../vfs/errors';
import type { File, FlagString, OpenFlags } from '../vfs/file';
import { parsePath } from '../vfs/path';
import { getattr, sysClose, sysOpen, sysRead, sysWrite } from '../vfs/syscalls';
import { ROOT_CRED, type Cred, type Ctx, type Stat } from '../vfs/types';
import { ASYNC_DISPOSE, BigIntStats, Dir, Dirent, Stats, type DirentKind } from './node-fs-objects';
import {
  checkCallback,
  checkEncoding,
  checkFd,
  checkInt,
  constants,
  dataBytes,
  decode,
  encode,
  fileMode,
  flagsToNumber,
  fromUtf8,
  fsError,
  invalidArgType,
  invalidArgValue,
  outOfRange,
  pathString,
  readdress,
  systemError,
  utf8,
  utf8Length,
  viewBytes,
  type Encoding,
  type FsConstants,
  type OpenFlagsArg,
  type PathArg,
} from './node-fs-support';

export { BigIntStats, Dir, Dirent, Stats } from './node-fs-objects';
export { constants } from './node-fs-support';
export type {
  Encoding,
  FileUrlLike,
  FsConstants,
  FsErrorWithDest,
  OpenFlagsArg,
  PathArg,
} from './node-fs-support';

const C = constants;
/** Node's chunk for reading files of unknown size (kReadFileUnknownBufferLength). */
const READ_CHUNK = 64 * 1024;
/** What `filehandle.read()` allocates without a buffer (kReadFileBufferLength is 16 KiB). */
const DEFAULT_READ_BUFFER = 16 * 1024;

// ---------------------------------------------------------------------------------------------
// Public types.

/** Options of {@link createFs}. */
export interface CreateFsOptions {
  /** Who every call runs as; default root (uid 0, with the superuser's DAC overrides). */
  readonly cred?: Cred;
  /**
   * An absolute path that stands for the mount root, e.g. '/sys/kernel/tracing': paths under it
   * address the mount, relative paths resolve against it (it is the working directory), and
   * other absolute paths do not exist (ENOENT). Without it, every path addresses the mount
   * root directly ('events/sched' and '/events/sched' are the same).
   */
  readonly root?: string;
  /** `st_dev` of every Stats (an anonymous device number); default 0. */
  readonly dev?: number;
  /**
   * The fixed time of every Stats (atime, mtime, ctime, birthtime), in ms since the epoch;
   * default 0. The model keeps no timestamps.
   */
  readonly timeMs?: number;
  /**
   * Turn bytes into what the caller expects from `readFile` and friends, e.g.
   * `(b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)` under Node. Default: the plain
   * `Uint8Array` (the library runs in browsers, which have no `Buffer`).
   */
  readonly toBuffer?: (bytes: Uint8Array) => Uint8Array;
}

/** `{ bigint, throwIfNoEntry }` of stat/lstat/fstat. */
export interface StatOptions {
  readonly bigint?: boolean;
  readonly throwIfNoEntry?: boolean;
}

/** `{ encoding, withFileTypes, recursive }` of readdir. */
export interface ReaddirOptions {
  readonly encoding?: Encoding | 'buffer' | null;
  readonly withFileTypes?: boolean;
  readonly recursive?: boolean;
}

/** `{ encoding, flag }` of readFile. */
export interface ReadFileOptions {
  readonly encoding?: Encoding | 'buffer' | null;
  readonly flag?: OpenFlagsArg;
}

/** `{ encoding, mode, flag }` of writeFile/appendFile. */
export interface WriteFileOptions {
  readonly encoding?: Encoding | null;
  readonly mode?: number | string;
  readonly flag?: OpenFlagsArg;
}

/** `{ recursive, mode }` of mkdir. */
export interface MkdirOptions {
  readonly recursive?: boolean;
  readonly mode?: number | string;
}

/** `{ force, recursive, maxRetries, retryDelay }` of rm. */
export interface RmOptions {
  readonly force?: boolean;
  readonly recursive?: boolean;
  readonly maxRetries?: number;
  readonly retryDelay?: number;
}

/** `{ offset, length, position }` of read/write with a buffer. */
export interface ReadWriteOptions {
  readonly offset?: number;
  readonly length?: number;
  readonly position?: number | bigint | null;
}

/** A time as utimes takes it: seconds (number or numeric string) or a Date. */
export type TimeLike = number | string | Date;

/** Data as writeFile/write take it. */
export type WriteData = string | ArrayBufferView;

/** A Node-style callback. */
export type FsCallback<T> = (err: Error | null, value: T) => void;

/** The result of `filehandle.read()`. */
export interface FileReadResult<B extends ArrayBufferView> {
  readonly bytesRead: number;
  readonly buffer: B;
}

/** The result of `filehandle.write()`. */
export interface FileWriteResult<B> {
  readonly bytesWritten: number;
  readonly buffer: B;
}

/** readFileSync and friends: a string with an encoding, bytes without. */
/** readFile's result for its options: a string with an encoding, bytes without one. */
export type ReadFileResult<O> = O extends Encoding
  ? string
  : O extends { readonly encoding: Encoding }
    ? string
    : O extends 'buffer' | null | undefined | { readonly encoding?: 'buffer' | null }
      ? Uint8Array
      : Uint8Array | string;

/** readdir's result for its options: Dirents, byte names ('buffer') or names. */
export type ReaddirResult<O> = O extends { readonly withFileTypes: true }
  ? Dirent[]
  : O extends 'buffer' | { readonly encoding: 'buffer' }
    ? Uint8Array[]
    : string[];

/**
 * `fs.promises.open()`'s FileHandle over one of the adapter's descriptors. Closing twice is fine
 * (as in Node); any other call after close fails with EBADF.
 */
export interface FileHandle {
  /** The descriptor, or -1 once closed. */
  readonly fd: number;
  read<B extends ArrayBufferView = Uint8Array>(
    buffer?: B,
    offset?: number,
    length?: number,
    position?: number | bigint | null,
  ): Promise<FileReadResult<B>>;
  read<B extends ArrayBufferView = Uint8Array>(
    options: ReadWriteOptions & { readonly buffer?: B },
  ): Promise<FileReadResult<B>>;
  write<B extends ArrayBufferView>(
    buffer: B,
    offset?: number | null,
    length?: number | null,
    position?: number | null,
  ): Promise<FileWriteResult<B>>;
  write(
    data: string,
    position?: number | null,
    encoding?: Encoding,
  ): Promise<FileWriteResult<string>>;
  /** The rest of the file from the current offset. */
  readFile(options?: ReadFileOptions | Encoding | null): Promise<Uint8Array | string>;
  /** Write all of `data` at the current offset. */
  writeFile(data: WriteData, options?: WriteFileOptions | Encoding | null): Promise<void>;
  /** Same as writeFile (a FileHandle's append is its offset's business). */
  appendFile(data: WriteData, options?: WriteFileOptions | Encoding | null): Promise<void>;
  stat(options?: StatOptions): Promise<Stats | BigIntStats>;
  truncate(len?: number): Promise<void>;
  chmod(mode: number | string): Promise<void>;
  chown(uid: number, gid: number): Promise<void>;
  utimes(atime: TimeLike, mtime: TimeLike): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** `fs.promises` of the adapter. */
export interface TracefsFsPromises {
  readonly constants: FsConstants;
  access(path: PathArg, mode?: number): Promise<void>;
  stat(path: PathArg, options: StatOptions & { bigint: true }): Promise<BigIntStats>;
  stat(path: PathArg, options?: StatOptions): Promise<Stats>;
  lstat(path: PathArg, options: StatOptions & { bigint: true }): Promise<BigIntStats>;
  lstat(path: PathArg, options?: StatOptions): Promise<Stats>;
  readdir<O extends ReaddirOptions | Encoding | 'buffer' | undefined = undefined>(
    path: PathArg,
    options?: O,
  ): Promise<ReaddirResult<O>>;
  opendir(path: PathArg, options?: { readonly recursive?: boolean }): Promise<Dir>;
  readFile<O extends ReadFileOptions | Encoding | 'buffer' | undefined = undefined>(
    path: PathArg | FileHandle,
    options?: O,
  ): Promise<ReadFileResult<O>>;
  writeFile(
    path: PathArg | FileHandle,
    data: WriteData,
    options?: WriteFileOptions | Encoding,
  ): Promise<void>;
  appendFile(
    path: PathArg | FileHandle,
    data: WriteData,
    options?: WriteFileOptions | Encoding,
  ): Promise<void>;
  open(path: PathArg, flags?: OpenFlagsArg, mode?: number | string): Promise<FileHandle>;
  mkdir(path: PathArg, options?: MkdirOptions | number | string): Promise<string | undefined>;
  rmdir(path: PathArg, options?: { readonly recursive?: boolean }): Promise<void>;
  rm(path: PathArg, options?: RmOptions): Promise<void>;
  chmod(path: PathArg, mode: number | string): Promise<void>;
  chown(path: PathArg, uid: number, gid: number): Promise<void>;
  lchown(path: PathArg, uid: number, gid: number): Promise<void>;
  unlink(path: PathArg): Promise<void>;
  rename(oldPath: PathArg, newPath: PathArg): Promise<void>;
  link(existingPath: PathArg, newPath: PathArg): Promise<void>;
  symlink(target: PathArg, path: PathArg, type?: string | null): Promise<void>;
  readlink(path: PathArg, options?: { readonly encoding?: Encoding } | Encoding): Promise<string>;
  realpath(path: PathArg, options?: { readonly encoding?: Encoding } | Encoding): Promise<string>;
  truncate(path: PathArg, len?: number): Promise<void>;
  utimes(path: PathArg, atime: TimeLike, mtime: TimeLike): Promise<void>;
  lutimes(path: PathArg, atime: TimeLike, mtime: TimeLike): Promise<void>;
}

/** `fs.realpathSync` with its `.native` twin (the same here). */
export interface RealpathSync {
  (path: PathArg, options?: { readonly encoding?: Encoding } | Encoding): string;
  native(path: PathArg, options?: { readonly encoding?: Encoding } | Encoding): string;
}

/** `fs.realpath` (callback form) with its `.native` twin. */
export interface RealpathCallback {
  (path: PathArg, ...rest: unknown[]): void;
  native(path: PathArg, ...rest: unknown[]): void;
}

/**
 * The `node:fs`-shaped object {@link createFs} returns. Sync calls throw; callback calls take a
 * trailing `(err, value)` callback (argument errors are thrown, as Node does); `promises` holds
 * the promise forms.
 */
export interface TracefsNodeFs {
  readonly constants: FsConstants;
  readonly promises: TracefsFsPromises;
  readonly Stats: typeof Stats;
  readonly BigIntStats: typeof BigIntStats;
  readonly Dirent: typeof Dirent;
  readonly Dir: typeof Dir;
  /** The mount this object reads and writes. */
  readonly tracefs: Tracefs;
  /** Descriptors open right now (for leak checks in tests). */
  openFds(): number[];

  /** access(2) with F_OK/R_OK/W_OK/X_OK; EACCES as generic_permission() decides. */
  accessSync(path: PathArg, mode?: number): void;
  /** False for anything that fails, bad arguments included. */
  existsSync(path: unknown): boolean;
  /** stat(2) as a Stats snapshot; `throwIfNoEntry: false` turns ENOENT into undefined. */
  statSync(
    path: PathArg,
    options: StatOptions & { bigint: true; throwIfNoEntry: false },
  ): BigIntStats | undefined;
  statSync(path: PathArg, options: StatOptions & { bigint: true }): BigIntStats;
  statSync(path: PathArg, options: StatOptions & { throwIfNoEntry: false }): Stats | undefined;
  statSync(path: PathArg, options?: StatOptions): Stats;
  lstatSync(
    path: PathArg,
    options: StatOptions & { bigint: true; throwIfNoEntry: false },
  ): BigIntStats | undefined;
  lstatSync(path: PathArg, options: StatOptions & { bigint: true }): BigIntStats;
  lstatSync(path: PathArg, options: StatOptions & { throwIfNoEntry: false }): Stats | undefined;
  lstatSync(path: PathArg, options?: StatOptions): Stats;
  fstatSync(fd: number, options: { readonly bigint: true }): BigIntStats;
  fstatSync(fd: number, options?: { readonly bigint?: boolean }): Stats;
  readdirSync<O extends ReaddirOptions | Encoding | 'buffer' | undefined = undefined>(
    path: PathArg,
    options?: O,
  ): ReaddirResult<O>;
  opendirSync(path: PathArg, options?: { readonly recursive?: boolean }): Dir;
  readFileSync<O extends ReadFileOptions | Encoding | 'buffer' | undefined = undefined>(
    path: PathArg | number,
    options?: O,
  ): ReadFileResult<O>;
  writeFileSync(
    path: PathArg | number,
    data: WriteData,
    options?: WriteFileOptions | Encoding,
  ): void;
  appendFileSync(
    path: PathArg | number,
    data: WriteData,
    options?: WriteFileOptions | Encoding,
  ): void;
  /** open(2) with a flag string or O_* bits; the lowest free descriptor from 3. */
  openSync(path: PathArg, flags?: OpenFlagsArg, mode?: number | string): number;
  /**
   * read(2) at the descriptor's offset (`position` null), or pread(2) at `position` (the
   * offset does not move). Returns the bytes read, 0 at the end.
   */
  readSync(
    fd: number,
    buffer: ArrayBufferView,
    offset?: number,
    length?: number,
    position?: number | bigint | null,
  ): number;
  readSync(fd: number, buffer: ArrayBufferView, options?: ReadWriteOptions): number;
  /** write(2)/pwrite(2) of bytes or a string; returns the bytes the file took. */
  writeSync(
    fd: number,
    buffer: ArrayBufferView,
    offset?: number | null,
    length?: number | null,
    position?: number | null,
  ): number;
  writeSync(fd: number, buffer: ArrayBufferView, options?: ReadWriteOptions): number;
  writeSync(fd: number, data: string, position?: number | null, encoding?: Encoding): number;
  /** close(2); EBADF for a descriptor that is not open. */
  closeSync(fd: number): void;
  ftruncateSync(fd: number, len?: number): void;
  /** open 'r+' + ftruncate, as Node: succeeds on files (a no-op in the model). */
  truncateSync(path: PathArg, len?: number): void;
  /** mkdir(2); `recursive` as Node: the first directory made, or undefined. */
  mkdirSync(path: PathArg, options?: MkdirOptions | number | string): string | undefined;
  rmdirSync(path: PathArg, options?: { readonly recursive?: boolean }): void;
  rmSync(path: PathArg, options?: RmOptions): void;
  chmodSync(path: PathArg, mode: number | string): void;
  fchmodSync(fd: number, mode: number | string): void;
  chownSync(path: PathArg, uid: number, gid: number): void;
  lchownSync(path: PathArg, uid: number, gid: number): void;
  fchownSync(fd: number, uid: number, gid: number): void;
  /** Always fails: EPERM for a file (tracefs has no ->unlink), or the generic check's errno. */
  unlinkSync(path: PathArg): void;
  /** EPERM (no ->rename) after the generic checks; renaming onto itself succeeds. */
  renameSync(oldPath: PathArg, newPath: PathArg): void;
  /** EPERM (no ->link) after the generic checks. */
  linkSync(existingPath: PathArg, newPath: PathArg): void;
  /** EPERM (no ->symlink) after the generic checks. */
  symlinkSync(target: PathArg, path: PathArg, type?: string | null): void;
  /** EINVAL for anything that exists: tracefs has no symlinks. */
  readlinkSync(path: PathArg, options?: { readonly encoding?: Encoding } | Encoding): string;
  /** The resolved path ('.', '..' taken out, never above the mount root); it must exist. */
  readonly realpathSync: RealpathSync;
  utimesSync(path: PathArg, atime: TimeLike, mtime: TimeLike): void;
  lutimesSync(path: PathArg, atime: TimeLike, mtime: TimeLike): void;
  futimesSync(fd: number, atime: TimeLike, mtime: TimeLike): void;

  access(path: PathArg, ...rest: unknown[]): void;
  exists(path: unknown, cb: (exists: boolean) => void): void;
  stat(path: PathArg, ...rest: unknown[]): void;
  lstat(path: PathArg, ...rest: unknown[]): void;
  fstat(fd: number, ...rest: unknown[]): void;
  readdir(path: PathArg, ...rest: unknown[]): void;
  opendir(path: PathArg, ...rest: unknown[]): void;
  readFile(path: PathArg | number, ...rest: unknown[]): void;
  writeFile(path: PathArg | number, data: WriteData, ...rest: unknown[]): void;
  appendFile(path: PathArg | number, data: WriteData, ...rest: unknown[]): void;
  open(path: PathArg, ...rest: unknown[]): void;
  read(fd: number, ...rest: unknown[]): void;
  write(fd: number, ...rest: unknown[]): void;
  close(fd: number, cb?: FsCallback<void>): void;
  ftruncate(fd: number, ...rest: unknown[]): void;
  truncate(path: PathArg, ...rest: unknown[]): void;
  mkdir(path: PathArg, ...rest: unknown[]): void;
  rmdir(path: PathArg, ...rest: unknown[]): void;
  rm(path: PathArg, ...rest: unknown[]): void;
  chmod(path: PathArg, mode: number | string, cb: FsCallback<void>): void;
  fchmod(fd: number, mode: number | string, cb: FsCallback<void>): void;
  chown(path: PathArg, uid: number, gid: number, cb: FsCallback<void>): void;
  lchown(path: PathArg, uid: number, gid: number, cb: FsCallback<void>): void;
  fchown(fd: number, uid: number, gid: number, cb: FsCallback<void>): void;
  unlink(path: PathArg, cb: FsCallback<void>): void;
  rename(oldPath: PathArg, newPath: PathArg, cb: FsCallback<void>): void;
  link(existingPath: PathArg, newPath: PathArg, cb: FsCallback<void>): void;
  symlink(target: PathArg, path: PathArg, ...rest: unknown[]): void;
  readlink(path: PathArg, ...rest: unknown[]): void;
  readonly realpath: RealpathCallback;
  utimes(path: PathArg, atime: TimeLike, mtime: TimeLike, cb: FsCallback<void>): void;
  lutimes(path: PathArg, atime: TimeLike, mtime: TimeLike, cb: FsCallback<void>): void;
  futimes(fd: number, atime: TimeLike, mtime: TimeLike, cb: FsCallback<void>): void;
}

// ---------------------------------------------------------------------------------------------
// Open files: the model's struct file behind a descriptor.

/** What a descriptor needs from an open file of the model. */
interface KFile {
  /** read(2) from f_pos. */
  read(count: number): string;
  /** write(2) at f_pos. */
  write(text: string): number;
  /** pwrite(2): at `pos`, f_pos unchanged. */
  writeAt(text: string, pos: number): number;
  /** The file's whole text as a read from 0 sees it, f_pos unchanged (for pread(2)). */
  readWhole(): string;
  /** fstat(2). */
  stat(): Stat;
  /** The last close. */
  close(): void;
}

/**
 * A `struct file` of a {@link TracefsMount}, driven with the generator-level system calls: any
 * combination of O_* flags, and pread/pwrite that move a private position, as the kernel's
 * vfs_read/vfs_write do with the `ppos` of pread64/pwrite64.
 */
class MountFile implements KFile {
  constructor(
    private readonly m: TracefsMount,
    private readonly ctx: Ctx,
    private readonly file: File,
  ) {}

  read(count: number): string {
    return this.m.run(sysRead(this.ctx, this.file, count));
  }

  write(text: string): number {
    return this.m.run(sysWrite(this.ctx, this.file, text));
  }

  writeAt(text: string, pos: number): number {
    const saved = this.file.pos;
    this.file.pos = pos;
    try {
      return this.write(text);
    } finally {
      this.file.pos = saved;
    }
  }

  readWhole(): string {
    // seq_read_iter() with *ppos != m->read_pos restarts the listing from the beginning and
    // skips to the position; the text is regenerated on every read, so reading it all from 0
    // and slicing gives the same bytes.
    const saved = this.file.pos;
    this.file.pos = 0;
    try {
      let out = '';
      for (;;) {
        const chunk = this.read(READ_CHUNK);
        if (chunk === '') return out;
        out += chunk;
      }
    } finally {
      this.file.pos = saved;
    }
  }

  stat(): Stat {
    return this.m.run(getattr(this.ctx, this.file.dentry));
  }

  close(): void {
    this.m.run(sysClose(this.ctx, this.file));
  }
}

/**
 * An open file through the plain {@link Tracefs} facade, for implementations of it other than
 * {@link TracefsMount}: flags map to the nearest of 'r', 'r+', 'w', 'w+', 'a', 'a+', pread
 * re-reads the file by path, and pwrite writes at the current offset.
 */
class FacadeFile implements KFile {
  constructor(
    private readonly t: Tracefs,
    private readonly f: OpenFile,
    private readonly path: string,
    private readonly cred: Cred,
    private readonly readable: boolean,
  ) {}

  read(count: number): string {
    return this.f.read(count);
  }

  write(text: string): number {
    return this.f.write(text);
  }

  writeAt(text: string): number {
    return this.f.write(text);
  }

  readWhole(): string {
    if (!this.readable) throw new FsError('EBADF', 'read', undefined, 'not open for reading');
    return this.t.readFile(this.path, this.cred);
  }

  stat(): Stat {
    return this.t.stat(this.path, this.cred);
  }

  close(): void {
    this.f.close();
  }
}

function facadeFlag(f: OpenFlags): FlagString {
  if (!f.write) return 'r';
  if (f.append) return f.read ? 'a+' : 'a';
  if (f.trunc) return f.read ? 'w+' : 'w';
  // O_WRONLY/O_RDWR without O_TRUNC: 'r+' (or 'a' when write-only: tracefs files are size 0,
  // so appending writes at offset 0 as well).
  return f.read ? 'r+' : 'a';
}

/** One descriptor of the adapter's table. */
interface FdEntry {
  readonly file: KFile;
  /** The path as the caller gave it. */
  readonly path: string;
  /** The path in the mount. */
  readonly modelPath: string;
  readonly readable: boolean;
  readonly writable: boolean;
  /** Bytes the model returned but the caller has not taken yet (non-ASCII text only). */
  pending: Uint8Array | null;
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/** generic_permission() on a stat snapshot (what tracefs_permission() runs after the owner fix-up). */
function permits(cred: Cred, st: Stat, mask: number): boolean {
  const m = mask & 7;
  const isDir = (st.mode & C.S_IFMT) === C.S_IFDIR;
  if (cred.uid === 0) return (m & C.X_OK) === 0 || isDir || (st.mode & 0o111) !== 0;
  let bits: number;
  if (cred.uid === st.uid) bits = (st.mode >> 6) & 7;
  else if (cred.gid === st.gid || (cred.groups?.includes(st.gid) ?? false))
    bits = (st.mode >> 3) & 7;
  else bits = st.mode & 7;
  return (m & ~bits) === 0;
}

function isDirStat(st: Stat): boolean {
  return (st.mode & C.S_IFMT) === C.S_IFDIR;
}

function isRegStat(st: Stat): boolean {
  return (st.mode & C.S_IFMT) === C.S_IFREG;
}

/** path.posix.normalize(), enough for joining readdir results. */
function normalizeJoin(a: string, b: string): string {
  const abs = a.startsWith('/');
  const out: string[] = [];
  for (const c of `${a}/${b}`.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(c);
  }
  const s = out.join('/');
  return abs ? `/${s}` : s === '' ? '.' : s;
}

/** Where a path's last component is, and what kind it is (filename_parentat()). */
interface ParentAt {
  /** The parent directory in the mount. */
  readonly parentModel: string;
  readonly parentStat: Stat;
  /** The last component; undefined for the root itself. */
  readonly last: string | undefined;
  /** LAST_NORM, LAST_DOT, LAST_DOTDOT or LAST_ROOT. */
  readonly type: 'norm' | 'dot' | 'dotdot' | 'root';
  readonly trailingSlash: boolean;
  /** parent + last, without the trailing slash. */
  readonly childModel: string;
  /** The canonical (lexically resolved) path of the child, '' for the root. */
  readonly canonical: string;
  /** The canonical path of the parent. */
  readonly parentCanonical: string;
}

function canonicalOf(components: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of components) {
    if (c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out;
}

function toTimeMs(v: unknown, name: string): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalidArgValue(name, v, 'is invalid');
    return v * 1000;
  }
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))
    return Number(v) * 1000;
  throw invalidArgType(name, 'of type number or an instance of Date', v);
}

function checkBuffer(b: unknown): ArrayBufferView {
  if (!ArrayBuffer.isView(b)) {
    throw invalidArgType('buffer', 'an instance of Buffer, TypedArray, or DataView', b);
  }
  return b;
}

function positionArg(p: unknown, length: number): number | null {
  if (p === null || p === undefined) return null;
  if (typeof p === 'bigint') {
    if (p === -1n) return null;
    if (p < 0n || p > BigInt(Number.MAX_SAFE_INTEGER) - BigInt(length)) {
      throw outOfRange('position', `>= 0 && <= ${Number.MAX_SAFE_INTEGER - length}`, p);
    }
    return Number(p);
  }
  if (typeof p !== 'number') throw invalidArgType('position', 'of type number or bigint', p);
  if (p === -1) return null;
  checkInt('position', p, 0, Number.MAX_SAFE_INTEGER);
  return p;
}

function optionsObject<T extends object>(o: unknown, stringKey?: keyof T): Partial<T> {
  if (o === undefined || o === null) return {};
  if (typeof o === 'string' && stringKey !== undefined) return { [stringKey]: o } as Partial<T>;
  if (typeof o === 'object') return o;
  throw invalidArgType('options', 'one of type string or an instance of Object', o);
}

const identity = (b: Uint8Array): Uint8Array => b;

function isCode(e: unknown, ...codes: string[]): boolean {
  return e instanceof Error && codes.includes((e as Error & { code?: string }).code ?? '');
}

// ---------------------------------------------------------------------------------------------
// The adapter.

/** The synchronous core; the callback and promise forms wrap it. */
class NodeFsCore {
  readonly cred: Cred;
  readonly root: string | undefined;
  readonly dev: number;
  readonly timeMs: number;
  readonly toBuffer: (bytes: Uint8Array) => Uint8Array;
  readonly fds = new Map<number, FdEntry>();

  constructor(
    readonly tracefs: Tracefs,
    options: CreateFsOptions,
  ) {
    this.cred = options.cred ?? ROOT_CRED;
    // The facade validates credentials (TypeError for bad ones); the root needs no permission.
    tracefs.stat('/', this.cred);
    if (options.root !== undefined) {
      if (typeof options.root !== 'string' || !options.root.startsWith('/')) {
        throw invalidArgValue('options.root', options.root, 'must be an absolute path');
      }
      this.root = options.root.replace(/\/+$/, '');
    }
    this.dev = options.dev ?? 0;
    this.timeMs = options.timeMs ?? 0;
    this.toBuffer = options.toBuffer ?? identity;
  }

  // --- paths -------------------------------------------------------------------------------

  /** The path in the mount for a path as the caller gave it. */
  toModel(p: string, syscall: string, errPath: string = p): string {
    const root = this.root;
    if (root === undefined || !p.startsWith('/') || root === '') return p;
    if (p === root) return '/';
    if (p.startsWith(`${root}/`)) return p.slice(root.length);
    throw fsError('ENOENT', syscall, errPath, undefined, `outside the mount at '${root}'`);
  }

  /** A model call, with errors re-addressed to `syscall` and the caller's path. */
  call<R>(syscall: string, path: string | undefined, fn: () => R, dest?: string): R {
    try {
      return fn();
    } catch (e) {
      throw readdress(e, syscall, path, dest);
    }
  }

  private statModel(model: string): Stat {
    return this.tracefs.stat(model, this.cred);
  }

  /** stat(2) of a mount path; null when it does not exist (ENOENT); other errors thrown. */
  private tryStat(model: string): Stat | null {
    try {
      return this.statModel(model);
    } catch (e) {
      if (e instanceof FsError && e.code === 'ENOENT') return null;
      throw e;
    }
  }

  /** filename_parentat() + may_lookup() on the parent. Throws the model's FsError. */
  private parentAt(model: string): ParentAt {
    const { components, trailingSlash } = parsePath(model);
    const last = components.at(-1);
    const parentComponents = components.slice(0, -1);
    const parentModel = `/${parentComponents.join('/')}`;
    const parentStat = this.statModel(parentModel);
    if (!isDirStat(parentStat)) throw new FsError('ENOTDIR');
    // link_path_walk() checks search permission before every component, the last one too.
    if (last !== undefined && !permits(this.cred, parentStat, C.X_OK)) throw new FsError('EACCES');
    const parentCanon = canonicalOf(parentComponents);
    const type =
      last === undefined ? 'root' : last === '.' ? 'dot' : last === '..' ? 'dotdot' : 'norm';
    return {
      parentModel,
      parentStat,
      last,
      type,
      trailingSlash,
      childModel: last === undefined ? '/' : `${parentModel.replace(/\/$/, '')}/${last}`,
      canonical: canonicalOf(components).join('/'),
      parentCanonical: parentCanon.join('/'),
    };
  }

  /** may_delete(): the errno, or null when the VFS lets the filesystem decide. */
  private mayDelete(dir: Stat, victim: Stat | null, isdir: boolean): ErrnoCode | null {
    if (victim === null) return 'ENOENT';
    if (!permits(this.cred, dir, C.W_OK | C.X_OK)) return 'EACCES';
    // check_sticky(): owner of the file or the directory, or CAP_FOWNER.
    if ((dir.mode & 0o1000) !== 0 && this.cred.uid !== 0) {
      if (this.cred.uid !== victim.uid && this.cred.uid !== dir.uid) return 'EPERM';
    }
    if (isdir && !isDirStat(victim)) return 'ENOTDIR';
    if (!isdir && isDirStat(victim)) return 'EISDIR';
    return null;
  }

  /** may_create(): the errno, or null. */
  private mayCreate(dir: Stat, child: Stat | null): ErrnoCode | null {
    if (child !== null) return 'EEXIST';
    if (!permits(this.cred, dir, C.W_OK | C.X_OK)) return 'EACCES';
    return null;
  }

  /** filename_create(): the parent of a name to create (symlink, link). */
  private filenameCreate(model: string): ParentAt {
    const pa = this.parentAt(model);
    if (pa.type !== 'norm') throw new FsError('EEXIST');
    const child = this.tryStat(pa.childModel);
    if (child !== null) throw new FsError('EEXIST');
    // A trailing slash on a name that does not exist: "you had / on the end ... ENOENT".
    if (pa.trailingSlash) throw new FsError('ENOENT');
    return pa;
  }

  // --- stat and friends -----------------------------------------------------------------------

  makeStats(st: Stat, bigint: boolean): Stats | BigIntStats {
    return bigint
      ? new BigIntStats(st, this.dev, this.timeMs)
      : new Stats(st, this.dev, this.timeMs);
  }

  statLike(
    syscall: 'stat' | 'lstat',
    path: unknown,
    options: unknown,
  ): Stats | BigIntStats | undefined {
    const p = pathString(path);
    const o = optionsObject<StatOptions>(options);
    try {
      const st = this.statModel(this.toModel(p, syscall));
      return this.makeStats(st, o.bigint === true);
    } catch (e) {
      if (o.throwIfNoEntry === false && e instanceof FsError && e.code === 'ENOENT')
        return undefined;
      throw readdress(e, syscall, p);
    }
  }

  fstatSync(fd: unknown, options?: unknown): Stats | BigIntStats {
    const o = optionsObject<StatOptions>(options);
    const entry = this.entry(fd, 'fstat');
    return this.makeStats(
      this.call('fstat', undefined, () => entry.file.stat()),
      o.bigint === true,
    );
  }

  accessSync(path: unknown, mode: unknown = C.F_OK): void {
    const p = pathString(path);
    const m = checkInt('mode', mode ?? C.F_OK, 0, 7);
    const st = this.call('access', p, () => this.statModel(this.toModel(p, 'access')));
    // do_faccessat() -> inode_permission(mode | MAY_ACCESS) -> tracefs_permission().
    if (m !== C.F_OK && !permits(this.cred, st, m)) throw fsError('EACCES', 'access', p);
  }

  existsSync(path: unknown): boolean {
    try {
      this.accessSync(path, C.F_OK);
      return true;
    } catch {
      return false;
    }
  }

  // --- directories ------------------------------------------------------------------------------

  /** getdents of one directory, without '.' and '..'. */
  private list(syscall: string, p: string): { name: string; kind: DirentKind }[] {
    return this.call(syscall, p, () =>
      this.tracefs
        .readdir(this.toModel(p, syscall), this.cred)
        .filter((e) => e.name !== '.' && e.name !== '..')
        .map((e) => ({ name: e.name, kind: e.type })),
    );
  }

  readdirSync(path: unknown, options?: unknown): (string | Uint8Array | Dirent)[] {
    const p = pathString(path);
    const o = optionsObject<ReaddirOptions>(options, 'encoding');
    const enc = o.encoding;
    const bytesNames = enc === 'buffer';
    const textEnc = bytesNames ? undefined : checkEncoding(enc);
    const nameOut = (name: string): string | Uint8Array => {
      if (bytesNames) return this.toBuffer(utf8(name));
      if (textEnc === undefined || textEnc === 'utf8' || textEnc === 'utf-8') return name;
      return decode(utf8(name), textEnc);
    };
    if (o.recursive !== true) {
      return this.list('scandir', p).map((e) =>
        o.withFileTypes === true ? new Dirent(e.name, e.kind, p) : nameOut(e.name),
      );
    }
    // readdirSyncRecursive(): a queue of directories, results in queue order.
    const out: (string | Uint8Array | Dirent)[] = [];
    const queue: { dir: string; rel: string }[] = [{ dir: p, rel: '' }];
    for (let i = 0; i < queue.length; i++) {
      const { dir, rel } = queue[i]!;
      for (const e of this.list('scandir', dir)) {
        const relName = rel === '' ? e.name : `${rel}/${e.name}`;
        if (o.withFileTypes === true) out.push(new Dirent(e.name, e.kind, dir));
        else out.push(nameOut(relName));
        if (e.kind === 'dir') queue.push({ dir: normalizeJoin(dir, e.name), rel: relName });
      }
    }
    return out;
  }

  opendirSync(path: unknown, options?: unknown): Dir {
    const p = pathString(path);
    const o = optionsObject<{ recursive?: boolean }>(options);
    const entries =
      o.recursive === true
        ? this.call('opendir', p, () =>
            this.readdirSync(p, { withFileTypes: true, recursive: true }),
          )
        : this.list('opendir', p).map((e) => new Dirent(e.name, e.kind, p));
    return new Dir(p, entries as Dirent[]);
  }

  mkdirSync(path: unknown, options?: unknown): string | undefined {
    const p = pathString(path);
    const o: MkdirOptions =
      typeof options === 'number' || typeof options === 'string'
        ? { mode: options }
        : optionsObject<MkdirOptions>(options);
    const mode = fileMode(o.mode, 'mode', 0o777) & 0o7777;
    if (o.recursive !== undefined && typeof o.recursive !== 'boolean') {
      throw invalidArgType('options.recursive', 'of type boolean', o.recursive);
    }
    if (o.recursive !== true) {
      this.call('mkdir', p, () => {
        this.tracefs.mkdir(this.toModel(p, 'mkdir'), mode, this.cred);
      });
      return undefined;
    }
    return this.mkdirp(p, mode);
  }

  /** node_file.cc MKDirpSync(): mkdir, on ENOENT the parent first, on EEXIST a stat. */
  private mkdirp(p: string, mode: number): string | undefined {
    const tryMkdir = (q: string): ErrnoCode | null => {
      try {
        this.tracefs.mkdir(this.toModel(q, 'mkdir'), mode, this.cred);
        return null;
      } catch (e) {
        if (e instanceof FsError) return e.code;
        throw e;
      }
    };
    const stack = [p];
    let first: string | undefined;
    while (stack.length > 0) {
      const next = stack.pop()!;
      const err = tryMkdir(next);
      if (err === null) {
        first ??= next;
        continue;
      }
      if (err === 'EACCES' || err === 'ENOSPC' || err === 'ENOTDIR' || err === 'EPERM') {
        throw fsError(err, 'mkdir', p);
      }
      if (err === 'ENOENT') {
        const slash = next.lastIndexOf('/');
        const dirname = slash === -1 ? next : next.slice(0, slash);
        if (dirname !== next) {
          stack.push(next, dirname);
          continue;
        }
        // No parent left to create: Node turns this into EEXIST and stats the path.
        if (stack.length > 0) throw fsError('ENOENT', 'mkdir', p);
      }
      let st: Stat;
      try {
        st = this.statModel(this.toModel(next, 'mkdir'));
      } catch (e) {
        throw readdress(e, 'mkdir', p);
      }
      if (!isDirStat(st)) {
        throw fsError(err === 'EEXIST' && stack.length > 0 ? 'ENOTDIR' : 'EEXIST', 'mkdir', p);
      }
    }
    return first;
  }

  rmdirSync(path: unknown, options?: unknown): void {
    const p = pathString(path);
    const o = optionsObject<{ recursive?: boolean }>(options);
    if (o.recursive === true) {
      // Deprecated in Node: validateRmOptionsSync(expectDir) then rimraf for a directory.
      const st = this.statLike('lstat', p, undefined) as Stats;
      if (st.isDirectory()) {
        this.rimraf(p);
        return;
      }
    }
    this.call('rmdir', p, () => {
      this.tracefs.rmdir(this.toModel(p, 'rmdir'), this.cred);
    });
  }

  rmSync(path: unknown, options?: unknown): void {
    const p = pathString(path);
    const o = optionsObject<RmOptions>(options);
    const force = o.force === true;
    const recursive = o.recursive === true;
    // validateRmOptionsSync().
    if (!force || !recursive) {
      const st = this.statLike('lstat', p, { throwIfNoEntry: !force });
      if (st?.isDirectory() === true && !recursive) {
        throw systemError(
          'ERR_FS_EISDIR',
          'EISDIR',
          'rm',
          p,
          'Path is a directory',
          'is a directory',
        );
      }
    }
    this.rimraf(p);
  }

  /** Node's rimrafSync() (lib/internal/fs/rimraf.js) with maxRetries 0, on Linux. */
  private rimraf(p: string): void {
    let st: Stats | undefined;
    try {
      st = this.statLike('lstat', p, undefined) as Stats;
    } catch (e) {
      if (isCode(e, 'ENOENT')) return;
    }
    try {
      if (st?.isDirectory() === true) this.rimrafDir(p, null);
      else this.unlinkSync(p);
    } catch (e) {
      if (isCode(e, 'ENOENT')) return;
      if (isCode(e, 'EPERM')) {
        this.rimrafDir(p, e);
        return;
      }
      if (!isCode(e, 'EISDIR')) throw e;
      this.rimrafDir(p, e);
    }
  }

  /** rimraf's _rmdirSync(). */
  private rimrafDir(p: string, originalErr: unknown): void {
    try {
      this.rmdirSync(p);
    } catch (e) {
      if (isCode(e, 'ENOENT')) return;
      if (isCode(e, 'ENOTDIR')) throw originalErr ?? e;
      if (isCode(e, 'ENOTEMPTY', 'EEXIST', 'EPERM')) {
        for (const child of this.readdirSync(p) as string[]) this.rimraf(`${p}/${child}`);
        try {
          this.rmdirSync(p);
          return;
        } catch (e2) {
          if (isCode(e2, 'ENOENT')) return;
          throw e2;
        }
      }
      throw originalErr ?? e;
    }
  }

  // --- the operations tracefs has no inode operation for ------------------------------------

  /** do_unlinkat() + vfs_unlink(): tracefs has no ->unlink, so EPERM once may_delete() passes. */
  unlinkSync(path: unknown): void {
    const p = pathString(path);
    this.call('unlink', p, () => {
      const pa = this.parentAt(this.toModel(p, 'unlink'));
      if (pa.type !== 'norm') throw new FsError('EISDIR');
      const victim = this.tryStat(pa.childModel);
      if (pa.trailingSlash || victim === null) {
        throw new FsError(victim === null ? 'ENOENT' : isDirStat(victim) ? 'EISDIR' : 'ENOTDIR');
      }
      const err = this.mayDelete(pa.parentStat, victim, false);
      if (err !== null) throw new FsError(err);
      throw new FsError('EPERM', '', undefined, 'tracefs has no ->unlink');
    });
  }

  /** do_renameat2() + vfs_rename(): tracefs has no ->rename, so EPERM after the checks. */
  renameSync(oldPath: unknown, newPath: unknown): void {
    const from = pathString(oldPath, 'oldPath');
    const to = pathString(newPath, 'newPath');
    this.call(
      'rename',
      from,
      () => {
        const po = this.parentAt(this.toModel(from, 'rename', from));
        const pn = this.parentAt(this.toModel(to, 'rename', from));
        if (po.type !== 'norm' || pn.type !== 'norm') throw new FsError('EBUSY');
        const source = this.tryStat(po.childModel);
        if (source === null) throw new FsError('ENOENT');
        const target = this.tryStat(pn.childModel);
        const isDir = isDirStat(source);
        // Unless the source is a directory, trailing slashes give ENOTDIR.
        if (!isDir && (po.trailingSlash || pn.trailingSlash)) throw new FsError('ENOTDIR');
        // lock_rename()'s trap: the source may not be an ancestor of the target, nor the
        // target an ancestor of the source.
        const op = po.parentCanonical;
        const np = pn.parentCanonical;
        if (op !== np) {
          const under = (a: string, b: string): boolean => a === '' || b.startsWith(`${a}/`);
          if (under(op, np)) {
            const trap = `${op === '' ? '' : `${op}/`}${np.slice(op === '' ? 0 : op.length + 1).split('/')[0]!}`;
            if (po.canonical === trap) throw new FsError('EINVAL');
          } else if (under(np, op)) {
            const trap = `${np === '' ? '' : `${np}/`}${op.slice(np === '' ? 0 : np.length + 1).split('/')[0]!}`;
            if (pn.canonical === trap) throw new FsError('ENOTEMPTY');
          }
        }
        // vfs_rename(): renaming something onto itself succeeds without a call.
        if (po.canonical === pn.canonical) return;
        const e1 = this.mayDelete(po.parentStat, source, isDir);
        if (e1 !== null) throw new FsError(e1);
        const e2 =
          target === null
            ? this.mayCreate(pn.parentStat, null)
            : this.mayDelete(pn.parentStat, target, isDir);
        if (e2 !== null) throw new FsError(e2);
        throw new FsError('EPERM', '', undefined, 'tracefs has no ->rename');
      },
      to,
    );
  }

  /** do_linkat() + vfs_link(): tracefs has no ->link, so EPERM after the checks. */
  linkSync(existingPath: unknown, newPath: unknown): void {
    const from = pathString(existingPath, 'existingPath');
    const to = pathString(newPath, 'newPath');
    this.call(
      'link',
      from,
      () => {
        const old = this.statModel(this.toModel(from, 'link', from));
        const pa = this.filenameCreate(this.toModel(to, 'link', from));
        // may_linkat() with fs.protected_hardlinks=1: the owner, CAP_FOWNER, or a regular
        // non-set-id file the caller may read and write.
        const c = this.cred;
        if (c.uid !== 0 && c.uid !== old.uid) {
          const setid = (old.mode & 0o4000) !== 0 || (old.mode & 0o2010) === 0o2010;
          if (!isRegStat(old) || setid || !permits(c, old, C.R_OK | C.W_OK)) {
            throw new FsError('EPERM');
          }
        }
        const err = this.mayCreate(pa.parentStat, null);
        if (err !== null) throw new FsError(err);
        throw new FsError('EPERM', '', undefined, 'tracefs has no ->link');
      },
      to,
    );
  }

  /** do_symlinkat() + vfs_symlink(): tracefs has no ->symlink, so EPERM after the checks. */
  symlinkSync(target: unknown, path: unknown, type?: unknown): void {
    const t = pathString(target, 'target');
    const p = pathString(path);
    if (type !== undefined && type !== null && typeof type !== 'string') {
      throw invalidArgType('type', 'of type string', type);
    }
    this.call(
      'symlink',
      t,
      () => {
        const pa = this.filenameCreate(this.toModel(p, 'symlink', t));
        const err = this.mayCreate(pa.parentStat, null);
        if (err !== null) throw new FsError(err);
        throw new FsError('EPERM', '', undefined, 'tracefs has no ->symlink');
      },
      p,
    );
  }

  /** do_readlinkat(): nothing on tracefs is a symlink, so EINVAL once the path resolves. */
  readlinkSync(path: unknown, options?: unknown): string {
    const p = pathString(path);
    checkEncoding(optionsObject<{ encoding?: string }>(options, 'encoding').encoding);
    return this.call('readlink', p, () => {
      this.statModel(this.toModel(p, 'readlink'));
      throw new FsError('EINVAL', '', undefined, 'not a symbolic link');
    });
  }

  /** realpath(3): the path walked by the model (so it must exist), '.' and '..' resolved. */
  realpathSync(path: unknown, options?: unknown): string {
    const p = pathString(path);
    const enc = checkEncoding(optionsObject<{ encoding?: string }>(options, 'encoding').encoding);
    const model = this.toModel(p, 'realpath');
    this.call('realpath', p, () => this.statModel(model));
    const comps = canonicalOf(parsePath(model).components);
    const base = this.root ?? '';
    const out = comps.length === 0 ? (base === '' ? '/' : base) : `${base}/${comps.join('/')}`;
    return enc === undefined || enc === 'utf8' || enc === 'utf-8' ? out : decode(utf8(out), enc);
  }

  /** truncate(2) as Node does it: open 'r+', ftruncate, close. */
  truncateSync(path: unknown, len?: unknown): void {
    if (typeof path === 'number') {
      this.ftruncateSync(path, len);
      return;
    }
    const fd = this.openSync(path, 'r+');
    try {
      this.ftruncateSync(fd, len);
    } finally {
      this.closeSync(fd);
    }
  }

  /**
   * do_sys_ftruncate(): EINVAL unless a regular file open for writing; then do_truncate() ->
   * notify_change() -> tracefs_setattr() -> simple_setattr(), which succeeds. The model keeps
   * i_size 0 (the kernel would set it to `len`); the file's text is generated, never stored.
   */
  ftruncateSync(fd: unknown, len: unknown = 0): void {
    // validateInteger(); Node then clamps a negative length to 0.
    if (len !== undefined) checkInt('len', len, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const entry = this.entry(fd, 'ftruncate');
    const st = this.call('ftruncate', undefined, () => entry.file.stat());
    if (!entry.writable || !isRegStat(st)) throw fsError('EINVAL', 'ftruncate');
  }

  // --- attributes -------------------------------------------------------------------------------

  chmodSync(path: unknown, mode: unknown, syscall = 'chmod'): void {
    const p = pathString(path);
    const m = fileMode(mode, 'mode', 0) & 0o7777;
    this.call(syscall, p, () => {
      this.tracefs.chmod(this.toModel(p, syscall), m, this.cred);
    });
  }

  fchmodSync(fd: unknown, mode: unknown): void {
    const m = fileMode(mode, 'mode', 0) & 0o7777;
    const entry = this.entry(fd, 'fchmod');
    this.call('fchmod', undefined, () => {
      this.tracefs.chmod(entry.modelPath, m, this.cred);
    });
  }

  private ids(uid: unknown, gid: unknown): [number, number] {
    const u = checkInt('uid', uid, -1, 0xffffffff);
    const g = checkInt('gid', gid, -1, 0xffffffff);
    return [u === 0xffffffff ? -1 : u, g === 0xffffffff ? -1 : g];
  }

  chownSync(path: unknown, uid: unknown, gid: unknown, syscall = 'chown'): void {
    const p = pathString(path);
    const [u, g] = this.ids(uid, gid);
    this.call(syscall, p, () => {
      this.tracefs.chown(this.toModel(p, syscall), u, g, this.cred);
    });
  }

  fchownSync(fd: unknown, uid: unknown, gid: unknown): void {
    const [u, g] = this.ids(uid, gid);
    const entry = this.entry(fd, 'fchown');
    this.call('fchown', undefined, () => {
      this.tracefs.chown(entry.modelPath, u, g, this.cred);
    });
  }

  /**
   * utimes(2) with explicit times: notify_change() -> setattr_prepare() allows it to the owner
   * or CAP_FOWNER (else EPERM), then simple_setattr() stores them. The model has no
   * timestamps, so Stats keep showing the adapter's fixed time.
   */
  private setTimes(st: Stat, syscall: string, path?: string): void {
    if (this.cred.uid !== 0 && this.cred.uid !== st.uid) throw fsError('EPERM', syscall, path);
  }

  utimesSync(path: unknown, atime: unknown, mtime: unknown, syscall = 'utime'): void {
    const p = pathString(path);
    toTimeMs(atime, 'atime');
    toTimeMs(mtime, 'mtime');
    const st = this.call(syscall, p, () => this.statModel(this.toModel(p, syscall)));
    this.setTimes(st, syscall, p);
  }

  futimesSync(fd: unknown, atime: unknown, mtime: unknown): void {
    toTimeMs(atime, 'atime');
    toTimeMs(mtime, 'mtime');
    const entry = this.entry(fd, 'futime');
    const st = this.call('futime', undefined, () => entry.file.stat());
    this.setTimes(st, 'futime');
  }

  // --- descriptors ----------------------------------------------------------------------------

  /** The entry of a descriptor, EBADF (for `syscall`) when it is not open. */
  entry(fd: unknown, syscall: string): FdEntry {
    const n = checkFd(fd);
    const e = this.fds.get(n);
    if (e === undefined) throw fsError('EBADF', syscall);
    return e;
  }

  private allocFd(): number {
    let fd = 3;
    while (this.fds.has(fd)) fd++;
    return fd;
  }

  private openModel(model: string, flags: OpenFlags): KFile {
    const t = this.tracefs;
    if (t instanceof TracefsMount) {
      const ctx: Ctx = { task: t.task, cred: this.cred };
      return new MountFile(t, ctx, t.run(sysOpen(ctx, t.root, model, flags)));
    }
    // Through the facade's flag strings: refuse what they would get wrong first.
    const flag = facadeFlag(flags);
    if (!flags.create && flag !== 'r' && flag !== 'r+') this.statModel(model);
    if (flags.directory && !isDirStat(this.statModel(model))) throw new FsError('ENOTDIR');
    return new FacadeFile(t, t.open(model, flag, this.cred), model, this.cred, flags.read);
  }

  openSync(path: unknown, flags?: unknown, mode?: unknown): number {
    const p = pathString(path);
    const f = flagsToNumber(flags, 'r');
    fileMode(mode, 'mode', 0o666);
    const acc = f & 3;
    const of: OpenFlags = {
      read: acc !== C.O_WRONLY,
      write: acc !== C.O_RDONLY,
      append: (f & C.O_APPEND) !== 0,
      trunc: (f & C.O_TRUNC) !== 0,
      create: (f & C.O_CREAT) !== 0,
      directory: (f & C.O_DIRECTORY) !== 0,
    };
    const { file, model } = this.call('open', p, () => {
      const model = this.toModel(p, 'open');
      if (of.create && (f & C.O_EXCL) !== 0) {
        // open_last_lookups(): O_CREAT with a trailing slash is EISDIR; do_open(): O_EXCL on
        // something that exists is EEXIST, before any permission check on it.
        if (parsePath(model).trailingSlash) throw new FsError('EISDIR');
        let exists = false;
        try {
          this.statModel(model);
          exists = true;
        } catch {
          // Let open() report what the walk finds.
        }
        if (exists) throw new FsError('EEXIST');
      }
      return { file: this.openModel(model, of), model };
    });
    const fd = this.allocFd();
    this.fds.set(fd, {
      file,
      path: p,
      modelPath: model,
      readable: of.read,
      writable: of.write,
      pending: null,
    });
    return fd;
  }

  closeSync(fd: unknown): void {
    const entry = this.entry(fd, 'close');
    this.fds.delete(fd as number);
    // The descriptor is gone even when ->release fails, as with close(2).
    this.call('close', undefined, () => {
      entry.file.close();
    });
  }

  /** read(2)/pread(2) into `dst`. */
  readInto(entry: FdEntry, dst: Uint8Array, position: number | null): number {
    if (position !== null) {
      const whole = utf8(this.call('read', undefined, () => entry.file.readWhole()));
      const part = whole.subarray(Math.min(position, whole.length), position + dst.length);
      dst.set(part);
      return part.length;
    }
    let bytes = entry.pending;
    entry.pending = null;
    if (bytes === null || bytes.length === 0) {
      // One read(2) of the model per call; tracefs text is ASCII, so chars are bytes. Should a
      // read return more bytes than asked for (non-ASCII text), the rest waits in `pending`.
      bytes = utf8(this.call('read', undefined, () => entry.file.read(dst.length)));
    }
    const n = Math.min(bytes.length, dst.length);
    dst.set(bytes.subarray(0, n));
    if (bytes.length > n) entry.pending = bytes.slice(n);
    return n;
  }

  /** write(2)/pwrite(2) of `src`; returns bytes written. */
  writeFrom(entry: FdEntry, src: Uint8Array, position: number | null): number {
    entry.pending = null;
    const text = fromUtf8(src);
    const n = this.call('write', undefined, () =>
      position === null ? entry.file.write(text) : entry.file.writeAt(text, position),
    );
    return n >= text.length ? src.length : utf8Length(text.slice(0, n));
  }

  readSync(
    fd: unknown,
    buffer: unknown,
    offsetOrOptions?: unknown,
    length?: unknown,
    position?: unknown,
  ): number {
    checkFd(fd);
    const buf = checkBuffer(buffer);
    let offset: unknown = offsetOrOptions;
    let len: unknown = length;
    let pos: unknown = position;
    if (typeof offsetOrOptions === 'object' && offsetOrOptions !== null) {
      const o = offsetOrOptions as ReadWriteOptions;
      offset = o.offset ?? 0;
      len = o.length ?? buf.byteLength - (o.offset ?? 0);
      pos = o.position ?? null;
    } else if (offsetOrOptions === undefined || offsetOrOptions === null) {
      offset = 0;
      if (length === undefined) len = buf.byteLength;
    }
    const off = checkInt('offset', offset, 0, buf.byteLength);
    const n =
      len === undefined ? buf.byteLength - off : checkInt('length', len, 0, buf.byteLength - off);
    if (n === 0) return 0;
    const at = positionArg(pos, n);
    const entry = this.entry(fd, 'read');
    return this.readInto(entry, viewBytes(buf).subarray(off, off + n), at);
  }

  writeSync(fd: unknown, data: unknown, a?: unknown, b?: unknown, c?: unknown): number {
    checkFd(fd);
    if (typeof data === 'string') {
      // writeSync(fd, string, position, encoding)
      const enc = checkEncoding(b) ?? 'utf8';
      const at = typeof a === 'number' ? positionArg(a, 0) : null;
      const entry = this.entry(fd, 'write');
      return this.writeFrom(entry, encode(data, enc), at);
    }
    if (!ArrayBuffer.isView(data)) {
      throw invalidArgType(
        'buffer',
        'of type string or an instance of Buffer, TypedArray, or DataView',
        data,
      );
    }
    let offset: unknown = a;
    let length: unknown = b;
    let position: unknown = c;
    if (typeof a === 'object' && a !== null) {
      const o = a as ReadWriteOptions;
      offset = o.offset ?? 0;
      length = o.length ?? data.byteLength - (o.offset ?? 0);
      position = o.position ?? null;
    }
    const off = typeof offset === 'number' ? checkInt('offset', offset, 0, data.byteLength) : 0;
    const len =
      typeof length === 'number'
        ? checkInt('length', length, 0, data.byteLength - off)
        : data.byteLength - off;
    const at = typeof position === 'number' ? positionArg(position, len) : null;
    const entry = this.entry(fd, 'write');
    return this.writeFrom(entry, viewBytes(data).subarray(off, off + len), at);
  }

  // --- whole files ------------------------------------------------------------------------------

  /** Read from the descriptor's offset to EOF, or `size` bytes of a regular file that has one. */
  readAll(fd: number): Uint8Array {
    const entry = this.entry(fd, 'read');
    // tryStatSync(): only a regular file's size bounds the read; tracefs files say 0.
    const st = this.call('fstat', undefined, () => entry.file.stat());
    const size = isRegStat(st) ? st.size : 0;
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const want = size > 0 ? size - total : READ_CHUNK;
      if (want <= 0) break;
      const chunk = new Uint8Array(Math.min(want, READ_CHUNK));
      const n = this.readInto(entry, chunk, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const ch of chunks) {
      out.set(ch, at);
      at += ch.length;
    }
    return out;
  }

  readFileSync(path: unknown, options?: unknown): Uint8Array | string {
    const o = optionsObject<ReadFileOptions>(options, 'encoding');
    const enc = o.encoding === 'buffer' ? undefined : checkEncoding(o.encoding);
    let bytes: Uint8Array;
    if (typeof path === 'number') {
      bytes = this.readAll(checkFd(path));
    } else {
      const fd = this.openSync(path, o.flag ?? 'r');
      try {
        bytes = this.readAll(fd);
      } finally {
        this.closeSync(fd);
      }
    }
    return enc === undefined ? this.toBuffer(bytes) : decode(bytes, enc);
  }

  /** Write all of `bytes` at the descriptor's offset (Node's loop over partial writes). */
  writeAll(fd: number, bytes: Uint8Array): void {
    const entry = this.entry(fd, 'write');
    let off = 0;
    while (off < bytes.length) {
      const n = this.writeFrom(entry, bytes.subarray(off), null);
      // A control file that consumes nothing would make Node spin; stop instead.
      if (n <= 0) break;
      off += n;
    }
  }

  writeFileSync(
    path: unknown,
    data: unknown,
    options?: unknown,
    defFlag: OpenFlagsArg = 'w',
  ): void {
    const o = optionsObject<WriteFileOptions>(options, 'encoding');
    const bytes = dataBytes(data, checkEncoding(o.encoding));
    if (typeof path === 'number') {
      this.writeAll(checkFd(path), bytes);
      return;
    }
    const fd = this.openSync(path, o.flag ?? defFlag, o.mode ?? 0o666);
    try {
      this.writeAll(fd, bytes);
    } finally {
      this.closeSync(fd);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// FileHandle.

class TracefsFileHandle implements FileHandle {
  #fd: number;

  constructor(
    private readonly core: NodeFsCore,
    fd: number,
  ) {
    this.#fd = fd;
  }

  get fd(): number {
    return this.#fd;
  }

  private op<R>(syscall: string, fn: (fd: number) => R): Promise<R> {
    return Promise.resolve().then(() => {
      if (this.#fd === -1) throw fsError('EBADF', syscall, undefined, undefined, 'file closed');
      return fn(this.#fd);
    });
  }

  read<B extends ArrayBufferView = Uint8Array>(
    bufferOrOptions?: B | (ReadWriteOptions & { readonly buffer?: B }),
    offset?: number,
    length?: number,
    position?: number | bigint | null,
  ): Promise<FileReadResult<B>> {
    return this.op('read', (fd) => {
      let buffer: B;
      let opts: ReadWriteOptions;
      if (bufferOrOptions === undefined || !ArrayBuffer.isView(bufferOrOptions)) {
        const o: ReadWriteOptions & { readonly buffer?: B } = bufferOrOptions ?? {};
        buffer =
          o.buffer ?? (this.core.toBuffer(new Uint8Array(DEFAULT_READ_BUFFER)) as unknown as B);
        opts = o;
      } else {
        buffer = bufferOrOptions;
        opts = {
          ...(offset !== undefined ? { offset } : {}),
          ...(length !== undefined ? { length } : {}),
          position: position ?? null,
        };
      }
      const bytesRead = this.core.readSync(fd, buffer, {
        offset: opts.offset ?? 0,
        length: opts.length ?? buffer.byteLength - (opts.offset ?? 0),
        position: opts.position ?? null,
      });
      return { bytesRead, buffer };
    });
  }

  write<B extends ArrayBufferView>(
    buffer: B,
    offset?: number | null,
    length?: number | null,
    position?: number | null,
  ): Promise<FileWriteResult<B>>;
  write(
    data: string,
    position?: number | null,
    encoding?: Encoding,
  ): Promise<FileWriteResult<string>>;
  write(
    data: ArrayBufferView | string,
    a?: number | null | string,
    b?: number | null | string,
    c?: number | null,
  ): Promise<FileWriteResult<ArrayBufferView | string>> {
    return this.op('write', (fd) => ({
      bytesWritten: this.core.writeSync(fd, data, a, b, c),
      buffer: data,
    }));
  }

  readFile(options?: ReadFileOptions | Encoding | null): Promise<Uint8Array | string> {
    return this.op('read', (fd) => this.core.readFileSync(fd, options));
  }

  writeFile(data: WriteData, options?: WriteFileOptions | Encoding | null): Promise<void> {
    return this.op('write', (fd) => {
      this.core.writeFileSync(fd, data, options);
    });
  }

  appendFile(data: WriteData, options?: WriteFileOptions | Encoding | null): Promise<void> {
    return this.writeFile(data, options);
  }

  stat(options?: StatOptions): Promise<Stats | BigIntStats> {
    return this.op('fstat', (fd) => this.core.fstatSync(fd, options));
  }

  truncate(len?: number): Promise<void> {
    return this.op('ftruncate', (fd) => {
      this.core.ftruncateSync(fd, len);
    });
  }

  chmod(mode: number | string): Promise<void> {
    return this.op('fchmod', (fd) => {
      this.core.fchmodSync(fd, mode);
    });
  }

  chown(uid: number, gid: number): Promise<void> {
    return this.op('fchown', (fd) => {
      this.core.fchownSync(fd, uid, gid);
    });
  }

  utimes(atime: TimeLike, mtime: TimeLike): Promise<void> {
    return this.op('futime', (fd) => {
      this.core.futimesSync(fd, atime, mtime);
    });
  }

  close(): Promise<void> {
    return Promise.resolve().then(() => {
      if (this.#fd === -1) return;
      const fd = this.#fd;
      this.#fd = -1;
      this.core.closeSync(fd);
    });
  }

  [ASYNC_DISPOSE](): Promise<void> {
    return this.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Wrapping the sync core into callback and promise forms.

/** Node throws argument errors (TypeError/RangeError with an ERR_ code) synchronously. */
function isArgumentError(e: unknown): boolean {
  return (
    (e instanceof TypeError || e instanceof RangeError) &&
    typeof (e as { code?: unknown }).code === 'string'
  );
}

function deliver(cb: (...args: unknown[]) => void, run: () => unknown[]): void {
  let args: unknown[];
  try {
    args = [null, ...run()];
  } catch (e) {
    if (isArgumentError(e)) throw e;
    args = [e];
  }
  queueMicrotask(() => {
    cb(...args);
  });
}

/** The callback form of a sync call: the last argument is the callback. */
function callbackify(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    const cb = checkCallback(args.pop());
    deliver(cb, () => {
      const r = fn(...args);
      return r === undefined ? [] : [r];
    });
  };
}

/** The promise form of a sync call (run on a later microtask; errors reject). */
function promisify<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => Promise<R> {
  return (...args: A) => Promise.resolve().then(() => fn(...args));
}

/**
 * A `node:fs`-shaped object over a mounted tracefs: the sync, callback and promise forms of
 * stat, lstat, fstat, access, exists, readdir, opendir, readFile, writeFile, appendFile, open,
 * read, write, close, mkdir, rmdir, rm, chmod, chown, truncate, utimes, realpath, and the calls
 * tracefs refuses (unlink, rename, link, symlink: EPERM; readlink: EINVAL) with the errno Linux
 * gives. Descriptors are small integers from 3 up, private to this object. Errors are the
 * model's {@link FsError} (Node's shape: code, negative errno, syscall, path) addressed with
 * the syscall Node reports ('scandir' for readdir, 'open' for readFile, ...) and the path as
 * given; fd-based calls carry no path, as in Node.
 *
 * @example
 * ```ts
 * const fs = createFs(mount(), { root: '/sys/kernel/tracing' });
 * fs.writeFileSync('/sys/kernel/tracing/events/sched/sched_switch/enable', '1');
 * fs.readFileSync('/sys/kernel/tracing/set_event', 'utf8'); // 'sched:sched_switch\n'
 * ```
 */
export function createFs(tracefs: Tracefs, options: CreateFsOptions = {}): TracefsNodeFs {
  const core = new NodeFsCore(tracefs, options);

  const statSync = (path: unknown, o?: unknown): Stats | BigIntStats | undefined =>
    core.statLike('stat', path, o);
  const lstatSync = (path: unknown, o?: unknown): Stats | BigIntStats | undefined =>
    core.statLike('lstat', path, o);
  const readSync = (fd: unknown, b: unknown, o?: unknown, l?: unknown, p?: unknown): number =>
    core.readSync(fd, b, o, l, p);
  const writeSync = (fd: unknown, d: unknown, a?: unknown, b?: unknown, c?: unknown): number =>
    core.writeSync(fd, d, a, b, c);
  const appendFileSync = (path: unknown, data: unknown, o?: unknown): void => {
    core.writeFileSync(path, data, o, 'a');
  };
  const realpathSync = Object.assign(
    (path: unknown, o?: unknown): string => core.realpathSync(path, o),
    { native: (path: unknown, o?: unknown): string => core.realpathSync(path, o) },
  );

  const sync = {
    accessSync: (path: unknown, mode?: unknown): void => {
      core.accessSync(path, mode);
    },
    existsSync: (path: unknown): boolean => core.existsSync(path),
    statSync,
    lstatSync,
    fstatSync: (fd: unknown, o?: unknown): Stats | BigIntStats => core.fstatSync(fd, o),
    readdirSync: (path: unknown, o?: unknown): (string | Uint8Array | Dirent)[] =>
      core.readdirSync(path, o),
    opendirSync: (path: unknown, o?: unknown): Dir => core.opendirSync(path, o),
    readFileSync: (path: unknown, o?: unknown): Uint8Array | string => core.readFileSync(path, o),
    writeFileSync: (path: unknown, data: unknown, o?: unknown): void => {
      core.writeFileSync(path, data, o);
    },
    appendFileSync,
    openSync: (path: unknown, flags?: unknown, mode?: unknown): number =>
      core.openSync(path, flags, mode),
    readSync,
    writeSync,
    closeSync: (fd: unknown): void => {
      core.closeSync(fd);
    },
    ftruncateSync: (fd: unknown, len?: unknown): void => {
      core.ftruncateSync(fd, len);
    },
    truncateSync: (path: unknown, len?: unknown): void => {
      core.truncateSync(path, len);
    },
    mkdirSync: (path: unknown, o?: unknown): string | undefined => core.mkdirSync(path, o),
    rmdirSync: (path: unknown, o?: unknown): void => {
      core.rmdirSync(path, o);
    },
    rmSync: (path: unknown, o?: unknown): void => {
      core.rmSync(path, o);
    },
    chmodSync: (path: unknown, mode: unknown): void => {
      core.chmodSync(path, mode);
    },
    fchmodSync: (fd: unknown, mode: unknown): void => {
      core.fchmodSync(fd, mode);
    },
    chownSync: (path: unknown, uid: unknown, gid: unknown): void => {
      core.chownSync(path, uid, gid);
    },
    lchownSync: (path: unknown, uid: unknown, gid: unknown): void => {
      core.chownSync(path, uid, gid, 'lchown');
    },
    fchownSync: (fd: unknown, uid: unknown, gid: unknown): void => {
      core.fchownSync(fd, uid, gid);
    },
    unlinkSync: (path: unknown): void => {
      core.unlinkSync(path);
    },
    renameSync: (a: unknown, b: unknown): void => {
      core.renameSync(a, b);
    },
    linkSync: (a: unknown, b: unknown): void => {
      core.linkSync(a, b);
    },
    symlinkSync: (t: unknown, p: unknown, type?: unknown): void => {
      core.symlinkSync(t, p, type);
    },
    readlinkSync: (path: unknown, o?: unknown): string => core.readlinkSync(path, o),
    realpathSync,
    utimesSync: (path: unknown, a: unknown, m: unknown): void => {
      core.utimesSync(path, a, m);
    },
    lutimesSync: (path: unknown, a: unknown, m: unknown): void => {
      core.utimesSync(path, a, m, 'lutime');
    },
    futimesSync: (fd: unknown, a: unknown, m: unknown): void => {
      core.futimesSync(fd, a, m);
    },
  };

  const cb = (k: keyof typeof sync): ((...args: unknown[]) => void) => callbackify(sync[k]);

  const callbacks = {
    access: cb('accessSync'),
    exists: (path: unknown, done: unknown): void => {
      const f = checkCallback(done);
      const r = core.existsSync(path);
      queueMicrotask(() => {
        f(r);
      });
    },
    stat: cb('statSync'),
    lstat: cb('lstatSync'),
    fstat: cb('fstatSync'),
    readdir: cb('readdirSync'),
    opendir: cb('opendirSync'),
    readFile: cb('readFileSync'),
    writeFile: cb('writeFileSync'),
    appendFile: cb('appendFileSync'),
    open: cb('openSync'),
    read: (fd: unknown, ...args: unknown[]): void => {
      const done = checkCallback(args.pop());
      deliver(done, () => {
        let [buffer, offset, length, position] = args;
        if (buffer === undefined || (!ArrayBuffer.isView(buffer) && typeof buffer === 'object')) {
          // fs.read(fd, [options,] callback)
          const o = (buffer ?? {}) as ReadWriteOptions & { buffer?: ArrayBufferView };
          buffer = o.buffer ?? core.toBuffer(new Uint8Array(DEFAULT_READ_BUFFER));
          offset = { offset: o.offset ?? 0, length: o.length, position: o.position ?? null };
          length = undefined;
          position = undefined;
        }
        const n = readSync(fd, buffer, offset, length, position);
        return [n, buffer];
      });
    },
    write: (fd: unknown, data: unknown, ...args: unknown[]): void => {
      const done = checkCallback(args.pop());
      deliver(done, () => [writeSync(fd, data, ...args), data]);
    },
    close: (fd: unknown, done?: unknown): void => {
      const f = done === undefined ? () => undefined : checkCallback(done);
      deliver(f, () => {
        core.closeSync(fd);
        return [];
      });
    },
    ftruncate: cb('ftruncateSync'),
    truncate: cb('truncateSync'),
    mkdir: cb('mkdirSync'),
    rmdir: cb('rmdirSync'),
    rm: cb('rmSync'),
    chmod: cb('chmodSync'),
    fchmod: cb('fchmodSync'),
    chown: cb('chownSync'),
    lchown: cb('lchownSync'),
    fchown: cb('fchownSync'),
    unlink: cb('unlinkSync'),
    rename: cb('renameSync'),
    link: cb('linkSync'),
    symlink: cb('symlinkSync'),
    readlink: cb('readlinkSync'),
    realpath: Object.assign(cb('realpathSync'), {
      native: callbackify(realpathSync.native as (...args: unknown[]) => unknown),
    }),
    utimes: cb('utimesSync'),
    lutimes: cb('lutimesSync'),
    futimes: cb('futimesSync'),
  };

  /** A FileHandle argument of the promise API, or a path. */
  const handleFd = (p: unknown): unknown => (p instanceof TracefsFileHandle ? p.fd : p);

  const promises = {
    constants,
    access: promisify(sync.accessSync),
    stat: promisify(statSync),
    lstat: promisify(lstatSync),
    readdir: promisify(sync.readdirSync),
    opendir: promisify(sync.opendirSync),
    readFile: promisify((p: unknown, o?: unknown) => core.readFileSync(handleFd(p), o)),
    writeFile: promisify((p: unknown, d: unknown, o?: unknown) => {
      core.writeFileSync(handleFd(p), d, o);
    }),
    appendFile: promisify((p: unknown, d: unknown, o?: unknown) => {
      appendFileSync(handleFd(p), d, o);
    }),
    open: promisify(
      (p: unknown, flags?: unknown, mode?: unknown): FileHandle =>
        new TracefsFileHandle(core, core.openSync(p, flags, mode)),
    ),
    mkdir: promisify(sync.mkdirSync),
    rmdir: promisify(sync.rmdirSync),
    rm: promisify(sync.rmSync),
    chmod: promisify(sync.chmodSync),
    chown: promisify(sync.chownSync),
    lchown: promisify(sync.lchownSync),
    unlink: promisify(sync.unlinkSync),
    rename: promisify(sync.renameSync),
    link: promisify(sync.linkSync),
    symlink: promisify(sync.symlinkSync),
    readlink: promisify(sync.readlinkSync),
    realpath: promisify(realpathSync),
    truncate: promisify(sync.truncateSync),
    utimes: promisify(sync.utimesSync),
    lutimes: promisify(sync.lutimesSync),
  };

  const fs = {
    constants,
    Stats,
    BigIntStats,
    Dirent,
    Dir,
    tracefs,
    openFds: (): number[] => [...core.fds.keys()].sort((a, b) => a - b),
    ...sync,
    ...callbacks,
    promises,
  };
  return fs as unknown as TracefsNodeFs;
}
