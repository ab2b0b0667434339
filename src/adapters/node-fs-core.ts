/**
 * The synchronous core of the node:fs adapter: every call as the Linux VFS answers it on tracefs.
 */
import { FacadeFile, MountFile, facadeFlag, type FdEntry, type KFile } from './node-fs-file';
import type {
  CreateFsOptions,
  MkdirOptions,
  ReadFileOptions,
  ReadWriteOptions,
  ReaddirOptions,
  RmOptions,
  StatOptions,
  WriteFileOptions,
} from './node-fs-types';
import { TracefsMount, type Tracefs } from '../facade';
import { FsError, type ErrnoCode } from '../vfs/errors';
import type { OpenFlags } from '../vfs/file';
import { parsePath } from '../vfs/path';
import { sysOpen } from '../vfs/syscalls';
import { ROOT_CRED, type Cred, type Ctx, type Stat } from '../vfs/types';
import { BigIntStats, Dir, Dirent, Stats, type DirentKind } from './node-fs-objects';
import {
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
  type OpenFlagsArg,
} from './node-fs-support';

export const C = constants;
/** Node's chunk for reading files of unknown size (kReadFileUnknownBufferLength). */
export const READ_CHUNK = 64 * 1024;
/** What `filehandle.read()` allocates without a buffer (kReadFileBufferLength is 16 KiB). */
export const DEFAULT_READ_BUFFER = 16 * 1024;

// ---------------------------------------------------------------------------------------------
// Helpers.

/** generic_permission() on a stat snapshot (what tracefs_permission() runs after the owner fix-up). */
export function permits(cred: Cred, st: Stat, mask: number): boolean {
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

export function isDirStat(st: Stat): boolean {
  return (st.mode & C.S_IFMT) === C.S_IFDIR;
}

export function isRegStat(st: Stat): boolean {
  return (st.mode & C.S_IFMT) === C.S_IFREG;
}

/** path.posix.normalize(), enough for joining readdir results. */
export function normalizeJoin(a: string, b: string): string {
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

export function canonicalOf(components: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of components) {
    if (c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out;
}

export function toTimeMs(v: unknown, name: string): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalidArgValue(name, v, 'is invalid');
    return v * 1000;
  }
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))
    return Number(v) * 1000;
  throw invalidArgType(name, 'of type number or an instance of Date', v);
}

export function checkBuffer(b: unknown): ArrayBufferView {
  if (!ArrayBuffer.isView(b)) {
    throw invalidArgType('buffer', 'an instance of Buffer, TypedArray, or DataView', b);
  }
  return b;
}

export function positionArg(p: unknown, length: number): number | null {
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

export function optionsObject<T extends object>(o: unknown, stringKey?: keyof T): Partial<T> {
  if (o === undefined || o === null) return {};
  if (typeof o === 'string' && stringKey !== undefined) return { [stringKey]: o } as Partial<T>;
  if (typeof o === 'object') return o;
  throw invalidArgType('options', 'one of type string or an instance of Object', o);
}

export const identity = (b: Uint8Array): Uint8Array => b;

export function isCode(e: unknown, ...codes: string[]): boolean {
  return e instanceof Error && codes.includes((e as Error & { code?: string }).code ?? '');
}

// ---------------------------------------------------------------------------------------------
// The adapter.

/** The synchronous core; the callback and promise forms wrap it. */
export class NodeFsCore {
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
