/**
 * The public types of the node:fs adapter: options, results, FileHandle, the promises API and the adapter object.
 */
import { type Tracefs } from '../facade';
import { type Cred } from '../vfs/types';
import { BigIntStats, Dir, Dirent, Stats } from './node-fs-objects';
import {
  type Encoding,
  type FsConstants,
  type OpenFlagsArg,
  type PathArg,
} from './node-fs-support';

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
