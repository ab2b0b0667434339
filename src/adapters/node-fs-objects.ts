/**
 * The objects `node:fs` hands out, defined without Node: `Stats` and `BigIntStats` snapshots,
 * `Dirent` and `Dir`.
 *
 * @module
 */
import { constants, nodeError, checkCallback } from './node-fs-support';

const { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK } = constants;

/** What a stat snapshot is built from (the model's Stat). */
export interface StatSource {
  readonly ino: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
  readonly size: number;
}

/** Fields every stat snapshot shares, whatever its number type. */
interface StatsMethods {
  isFile(): boolean;
  isDirectory(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}

/** generic_fillattr()'s blksize: 1 << i_blkbits, PAGE_SIZE for tracefs. */
export const TRACEFS_BLKSIZE = 4096;

/**
 * A `fs.Stats` snapshot of a tracefs inode, as `stat(2)` fills it (generic_fillattr()):
 * `blocks` is 0 (tracefs files own no pages), `rdev` 0, `blksize` 4096. tracefs keeps no
 * timestamps in the model, so all four times are the adapter's fixed `timeMs` (default: the
 * epoch). `isSymbolicLink()` is always false: tracefs has no symlinks.
 */
export class Stats implements StatsMethods {
  readonly dev: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly blksize: number;
  readonly ino: number;
  readonly size: number;
  readonly blocks: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly birthtimeMs: number;
  readonly atime: Date;
  readonly mtime: Date;
  readonly ctime: Date;
  readonly birthtime: Date;

  constructor(s: StatSource, dev: number, timeMs: number) {
    this.dev = dev;
    this.mode = s.mode;
    this.nlink = s.nlink;
    this.uid = s.uid;
    this.gid = s.gid;
    this.rdev = 0;
    this.blksize = TRACEFS_BLKSIZE;
    this.ino = s.ino;
    this.size = s.size;
    this.blocks = 0;
    this.atimeMs = timeMs;
    this.mtimeMs = timeMs;
    this.ctimeMs = timeMs;
    this.birthtimeMs = timeMs;
    this.atime = new Date(timeMs);
    this.mtime = new Date(timeMs);
    this.ctime = new Date(timeMs);
    this.birthtime = new Date(timeMs);
  }

  isFile(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }
  isDirectory(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }
  isBlockDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFBLK;
  }
  isCharacterDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFCHR;
  }
  isSymbolicLink(): boolean {
    return (this.mode & S_IFMT) === S_IFLNK;
  }
  isFIFO(): boolean {
    return (this.mode & S_IFMT) === S_IFIFO;
  }
  isSocket(): boolean {
    return (this.mode & S_IFMT) === S_IFSOCK;
  }
}

/** `fs.BigIntStats`: {@link Stats} with bigint fields and nanosecond times (`{ bigint: true }`). */
export class BigIntStats implements StatsMethods {
  readonly dev: bigint;
  readonly mode: bigint;
  readonly nlink: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly rdev: bigint;
  readonly blksize: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly blocks: bigint;
  readonly atimeMs: bigint;
  readonly mtimeMs: bigint;
  readonly ctimeMs: bigint;
  readonly birthtimeMs: bigint;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly birthtimeNs: bigint;
  readonly atime: Date;
  readonly mtime: Date;
  readonly ctime: Date;
  readonly birthtime: Date;

  constructor(s: StatSource, dev: number, timeMs: number) {
    const ms = BigInt(Math.floor(timeMs));
    const ns = ms * 1_000_000n;
    this.dev = BigInt(dev);
    this.mode = BigInt(s.mode);
    this.nlink = BigInt(s.nlink);
    this.uid = BigInt(s.uid);
    this.gid = BigInt(s.gid);
    this.rdev = 0n;
    this.blksize = BigInt(TRACEFS_BLKSIZE);
    this.ino = BigInt(s.ino);
    this.size = BigInt(s.size);
    this.blocks = 0n;
    this.atimeMs = ms;
    this.mtimeMs = ms;
    this.ctimeMs = ms;
    this.birthtimeMs = ms;
    this.atimeNs = ns;
    this.mtimeNs = ns;
    this.ctimeNs = ns;
    this.birthtimeNs = ns;
    this.atime = new Date(timeMs);
    this.mtime = new Date(timeMs);
    this.ctime = new Date(timeMs);
    this.birthtime = new Date(timeMs);
  }

  private get type(): number {
    return Number(this.mode) & S_IFMT;
  }
  isFile(): boolean {
    return this.type === S_IFREG;
  }
  isDirectory(): boolean {
    return this.type === S_IFDIR;
  }
  isBlockDevice(): boolean {
    return this.type === S_IFBLK;
  }
  isCharacterDevice(): boolean {
    return this.type === S_IFCHR;
  }
  isSymbolicLink(): boolean {
    return this.type === S_IFLNK;
  }
  isFIFO(): boolean {
    return this.type === S_IFIFO;
  }
  isSocket(): boolean {
    return this.type === S_IFSOCK;
  }
}

/** What getdents reports for an entry: tracefs has only directories and regular files. */
export type DirentKind = 'dir' | 'file';

/**
 * A `fs.Dirent`: `name`, `parentPath` (the directory as the caller named it) and its deprecated
 * alias `path`, and the type predicates. Never '.' or '..'.
 */
export class Dirent {
  readonly #kind: DirentKind;

  constructor(
    /** The entry's name. */
    readonly name: string,
    kind: DirentKind,
    /** The directory the entry is in, as given to readdir/opendir. */
    readonly parentPath: string,
  ) {
    this.#kind = kind;
  }

  /** @deprecated Node's alias of {@link Dirent.parentPath}. */
  get path(): string {
    return this.parentPath;
  }

  isFile(): boolean {
    return this.#kind === 'file';
  }
  isDirectory(): boolean {
    return this.#kind === 'dir';
  }
  isBlockDevice(): boolean {
    return false;
  }
  isCharacterDevice(): boolean {
    return false;
  }
  isSymbolicLink(): boolean {
    return false;
  }
  isFIFO(): boolean {
    return false;
  }
  isSocket(): boolean {
    return false;
  }
}

/** Symbol.asyncDispose where the runtime has it (Node 20 does), else Node's registered one. */
export const ASYNC_DISPOSE: typeof Symbol.asyncDispose =
  ((Symbol as { asyncDispose?: symbol }).asyncDispose as typeof Symbol.asyncDispose | undefined) ??
  (Symbol.for('nodejs.asyncDispose') as typeof Symbol.asyncDispose);

/** Symbol.dispose where the runtime has it, else Node's registered one. */
export const DISPOSE: typeof Symbol.dispose =
  ((Symbol as { dispose?: symbol }).dispose as typeof Symbol.dispose | undefined) ??
  (Symbol.for('nodejs.dispose') as typeof Symbol.dispose);

function dirClosed(): Error {
  return nodeError('ERR_DIR_CLOSED', 'Directory handle was closed');
}

/**
 * A `fs.Dir` from `opendir`: `read()` / `readSync()` one entry at a time (null at the end),
 * `close()` / `closeSync()`, and `for await` (which closes it). The listing is taken when the
 * directory is opened, like one big getdents64 buffer; Node's reads entries in batches of 32.
 */
export class Dir {
  readonly #entries: readonly Dirent[];
  #next = 0;
  #closed = false;

  constructor(
    /** The directory as given to opendir. */
    readonly path: string,
    entries: readonly Dirent[],
  ) {
    this.#entries = entries;
  }

  /** The next entry, or null when all were read. */
  readSync(): Dirent | null {
    if (this.#closed) throw dirClosed();
    return this.#entries[this.#next++] ?? null;
  }

  /** The next entry, asynchronously (or through `cb(err, dirent)`). */
  read(): Promise<Dirent | null>;
  read(cb: (err: Error | null, dirent: Dirent | null) => void): void;
  read(cb?: (err: Error | null, dirent: Dirent | null) => void): Promise<Dirent | null> | void {
    if (cb === undefined) return Promise.resolve().then(() => this.readSync());
    const f = checkCallback(cb);
    let r: Dirent | null = null;
    let err: unknown = null;
    try {
      r = this.readSync();
    } catch (e) {
      err = e;
    }
    queueMicrotask(() => {
      f(err, r);
    });
  }

  /** Close; a second close (or any read after it) fails with ERR_DIR_CLOSED. */
  closeSync(): void {
    if (this.#closed) throw dirClosed();
    this.#closed = true;
  }

  /** Close, asynchronously (or through `cb(err)`). */
  close(): Promise<void>;
  close(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): Promise<void> | void {
    if (cb === undefined)
      return Promise.resolve().then(() => {
        this.closeSync();
      });
    const f = checkCallback(cb);
    let err: unknown = null;
    try {
      this.closeSync();
    } catch (e) {
      err = e;
    }
    queueMicrotask(() => {
      f(err);
    });
  }

  /** Iterate the remaining entries; the directory is closed at the end or on break. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Dirent> {
    const finish = (): void => {
      if (!this.#closed) this.closeSync();
    };
    const it: AsyncIterableIterator<Dirent> = {
      next: () =>
        Promise.resolve().then((): IteratorResult<Dirent> => {
          const d = this.readSync();
          if (d === null) {
            finish();
            return { done: true, value: undefined };
          }
          return { done: false, value: d };
        }),
      return: () =>
        Promise.resolve().then((): IteratorResult<Dirent> => {
          finish();
          return { done: true, value: undefined };
        }),
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  /** Node's alias of the async iterator. */
  entries(): AsyncIterableIterator<Dirent> {
    return this[Symbol.asyncIterator]();
  }

  /** `await using dir = ...`: close unless already closed. */
  [ASYNC_DISPOSE](): Promise<void> {
    return Promise.resolve().then(() => {
      if (!this.#closed) this.closeSync();
    });
  }

  /** `using dir = ...`: close unless already closed. */
  [DISPOSE](): void {
    if (!this.#closed) this.closeSync();
  }
}
