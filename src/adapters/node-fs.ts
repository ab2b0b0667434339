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
import { DEFAULT_READ_BUFFER, NodeFsCore } from './node-fs-core';
import type { CreateFsOptions, FileHandle, ReadWriteOptions, TracefsNodeFs } from './node-fs-types';
import { TracefsFileHandle } from './node-fs-handle';
import { type Tracefs } from '../facade';
import { BigIntStats, Dir, Dirent, Stats } from './node-fs-objects';
import { checkCallback, constants } from './node-fs-support';

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

export type * from './node-fs-types';

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
