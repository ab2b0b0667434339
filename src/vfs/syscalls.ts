/**
 * The system calls the facade offers, as generic VFS operations over any superblock: stat,
 * open/read/write/close, getdents, mkdir/rmdir, chmod/chown (fs/stat.c, fs/open.c,
 * fs/read_write.c, fs/readdir.c, fs/namei.c, fs/attr.c). Each is a generator so the simulator
 * can interleave it; errors leave as FsError with the syscall and path filled in.
 */
import type { Dentry } from './dentry';
import { fsErr, FsError } from './errors';
import { File, type OpenFlags } from './file';
import type { Inode } from './inode';
import { lookupComponent, pathLookup, pathParent, walkComponents } from './namei';
import { parsePath } from './path';
import { checkChmod, checkChown, chmodMode, chownKillsSetid, inodePermission } from './permission';
import { isOops, nothing, step, thenUnlock, withCleanup, type KOp } from './sched';
import {
  isDirMode,
  MAY_EXEC,
  MAY_READ,
  MAY_WRITE,
  S_IALLUGO,
  S_IFMT,
  S_IFREG,
  type Ctx,
  type DirEntry,
  type IAttr,
  type Stat,
} from './types';

/** A stat(2) snapshot (generic_fillattr()). */
export class StatResult implements Stat {
  constructor(
    readonly ino: number,
    readonly mode: number,
    readonly uid: number,
    readonly gid: number,
    readonly nlink: number,
    readonly size: number,
  ) {}
  isDirectory(): boolean {
    return isDirMode(this.mode);
  }
  isFile(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }
}

/** Run `body`, re-addressing any FsError to `syscall` and `path`. */
function* withContext<R>(syscall: string, path: string | undefined, body: KOp<R>): KOp<R> {
  try {
    return yield* body;
  } catch (e) {
    if (e instanceof FsError) throw e.withContext(syscall, path);
    throw e;
  }
}

function pathArg(path: unknown): string | undefined {
  return typeof path === 'string' ? path : undefined;
}

/** vfs_getattr() on a referenced dentry. */
export function* getattr(ctx: Ctx, d: Dentry): KOp<StatResult> {
  const inode = d.inode!;
  yield step('vfs_getattr', `getattr('${d.name}')`);
  const ga = inode.iop.getattr;
  if (ga !== undefined) yield* ga(ctx, d, inode);
  return new StatResult(inode.ino, inode.mode, inode.uid, inode.gid, inode.nlink, inode.size);
}

/**
 * stat(2). The hottest call of all: written out (walk, getattr, dput, error context) instead of
 * composed from the helpers the other calls use, to spare four generator objects per call.
 */
export function* sysStat(ctx: Ctx, root: Dentry, path: unknown): KOp<StatResult> {
  try {
    const { components, trailingSlash } = parsePath(path);
    const dcache = root.sb.dcache;
    const d = yield* walkComponents(ctx, dcache.dget(root), components);
    let st: StatResult;
    try {
      // A trailing slash demands a directory (LOOKUP_DIRECTORY).
      if (trailingSlash && !isDirMode(d.inode!.mode)) throw fsErr('ENOTDIR');
      st = yield* getattr(ctx, d);
    } catch (e) {
      if (!isOops(e)) yield* dcache.dput(ctx, d);
      throw e;
    }
    if (!dcache.dputFast(d)) yield* dcache.dput(ctx, d);
    return st;
  } catch (e) {
    if (e instanceof FsError) throw e.withContext('stat', pathArg(path));
    throw e;
  }
}

/** open(2): path walk, may_open() permission, then the file's ->open. */
export function* sysOpen(ctx: Ctx, root: Dentry, path: unknown, flags: OpenFlags): KOp<File> {
  return yield* withContext('open', pathArg(path), openInner(ctx, root, path, flags));
}

function* openInner(ctx: Ctx, root: Dentry, path: unknown, flags: OpenFlags): KOp<File> {
  let d: Dentry;
  if (flags.create) {
    const { components, trailingSlash } = parsePath(path);
    d = yield* walkComponents(ctx, root.sb.dcache.dget(root), components, true);
    if (d.inode === null) {
      const neg = d;
      yield* withCleanup(
        (function* (): KOp<void> {
          // open_last_lookups(): O_CREAT with a trailing slash is EISDIR.
          if (trailingSlash) throw fsErr('EISDIR');
          // may_o_create() (our reference on d keeps the parent alive), then no ->create in
          // this directory: the VFS answers EACCES.
          yield* inodePermission(ctx, neg.parent.inode!, MAY_WRITE | MAY_EXEC);
          throw fsErr('EACCES', 'this filesystem does not create files');
        })(),
        () => neg.sb.dcache.dput(ctx, neg),
      );
    }
    if (trailingSlash && !isDirMode(d.inode!.mode)) {
      yield* d.sb.dcache.dput(ctx, d);
      throw fsErr('EISDIR');
    }
  } else {
    d = yield* pathLookup(ctx, root, path);
  }
  try {
    const inode = d.inode!;
    if (isDirMode(inode.mode) && flags.write) throw fsErr('EISDIR');
    if (flags.directory && !isDirMode(inode.mode)) throw fsErr('ENOTDIR');
    yield step('may_open', `may_open('${d.name}')`);
    yield* inodePermission(ctx, inode, (flags.read ? MAY_READ : 0) | (flags.write ? MAY_WRITE : 0));
    const file = new File(d, inode, inode.fop, flags);
    const open = inode.fop.open;
    if (open !== undefined) yield* open(ctx, inode, file);
    return file;
  } catch (e) {
    if (!isOops(e)) yield* d.sb.dcache.dput(ctx, d);
    throw e;
  }
}

function checkOpen(file: File): void {
  if (file.released) throw fsErr('EBADF', 'file is closed');
}

/** read(2) from f_pos; `count` bytes at most. */
export function* sysRead(ctx: Ctx, file: File, count: number, path?: string): KOp<string> {
  return yield* withContext('read', path, readInner(ctx, file, count));
}

function* readInner(ctx: Ctx, file: File, count: number): KOp<string> {
  checkOpen(file);
  if (!file.flags.read) throw fsErr('EBADF', 'not open for reading');
  if (isDirMode(file.inode.mode)) throw fsErr('EISDIR');
  const read = file.fop.read;
  if (read === undefined) throw fsErr('EINVAL', 'file has no read method');
  return yield* read(ctx, file, count);
}

/** write(2) at f_pos (at the end with O_APPEND). Returns bytes written. */
export function* sysWrite(ctx: Ctx, file: File, data: string, path?: string): KOp<number> {
  return yield* withContext('write', path, writeInner(ctx, file, data));
}

function* writeInner(ctx: Ctx, file: File, data: string): KOp<number> {
  checkOpen(file);
  if (!file.flags.write) throw fsErr('EBADF', 'not open for writing');
  const write = file.fop.write;
  if (write === undefined) throw fsErr('EINVAL', 'file has no write method');
  if (file.flags.append) file.pos = file.inode.size;
  // vfs_write() calls ->write even for zero bytes (enable files answer EINVAL to that).
  return yield* write(ctx, file, data);
}

/** close(2): the last fput() calls ->release and drops the dentry. */
export function* sysClose(ctx: Ctx, file: File, path?: string): KOp<void> {
  yield* withContext('close', path, closeInner(ctx, file));
}

function* closeInner(ctx: Ctx, file: File): KOp<void> {
  checkOpen(file);
  file.released = true;
  const release = file.fop.release;
  yield* withCleanup(release !== undefined ? release(ctx, file.inode, file) : nothing(), () =>
    file.dentry.sb.dcache.dput(ctx, file.dentry),
  );
}

const DIR_FLAGS: OpenFlags = {
  read: true,
  write: false,
  append: false,
  trunc: false,
  create: false,
  directory: true,
};

/** open(O_DIRECTORY) + getdents64 until the end + close: the whole listing, '.' and '..' first. */
export function* sysReaddir(ctx: Ctx, root: Dentry, path: unknown): KOp<DirEntry[]> {
  return yield* withContext('scandir', pathArg(path), readdirInner(ctx, root, path));
}

function* readdirInner(ctx: Ctx, root: Dentry, path: unknown): KOp<DirEntry[]> {
  const file = yield* openInner(ctx, root, path, DIR_FLAGS);
  const body = function* (): KOp<DirEntry[]> {
    const iterate = file.fop.iterate;
    if (iterate === undefined) throw fsErr('ENOTDIR');
    const out: DirEntry[] = [];
    const dctx = {
      pos: file.pos,
      emit(name: string, ino: number, type: 'dir' | 'file'): boolean {
        out.push({ name, ino, type });
        return true;
      },
    };
    yield* iterate(ctx, file, dctx);
    file.pos = dctx.pos;
    return out;
  };
  return yield* withCleanup(body(), () => closeInner(ctx, file));
}

/** lookup_one_qstr_excl(): a lookup with the parent already locked exclusively. */
function* lookupLocked(ctx: Ctx, parent: Dentry, name: string): KOp<Dentry> {
  const dcache = parent.sb.dcache;
  const hit = dcache.lookup(parent, name);
  if (hit !== null) {
    const rv = hit.op?.revalidate;
    if (rv === undefined || rv(hit)) return hit;
    yield* dcache.invalidate(ctx, hit);
    yield* dcache.dput(ctx, hit);
  }
  const d = dcache.alloc(parent, name);
  const dir = parent.inode!;
  const lookup = dir.iop.lookup;
  if (lookup === undefined) return d;
  let old: Dentry | null;
  try {
    old = yield* lookup(ctx, dir, d);
  } catch (e) {
    // An ERR_PTR from ->lookup fails the whole call (eventfs: ENOENT even for mkdir).
    if (!isOops(e)) yield* dcache.dput(ctx, d);
    throw e;
  }
  if (old !== null) {
    yield* dcache.dput(ctx, d);
    return old;
  }
  return d;
}

/** mkdir(2). */
export function* sysMkdir(ctx: Ctx, root: Dentry, path: unknown, mode: number): KOp<void> {
  yield* withContext('mkdir', pathArg(path), mkdirInner(ctx, root, path, mode));
}

function* mkdirInner(ctx: Ctx, root: Dentry, path: unknown, mode: number): KOp<void> {
  const { parent, last } = yield* pathParent(ctx, root, path);
  const dcache = parent.sb.dcache;
  const body = function* (): KOp<void> {
    if (last === undefined || last === '.' || last === '..') throw fsErr('EEXIST');
    const dir = parent.inode!;
    yield* dir.lock.lock(ctx.task, 'filename_create');
    const locked = function* (): KOp<void> {
      // The directory may have been removed while we waited for its lock.
      if (dir.dead) throw fsErr('ENOENT');
      const d = yield* lookupLocked(ctx, parent, last);
      const create = function* (): KOp<void> {
        // may_create(), then vfs_mkdir()'s check for the method.
        if (d.inode !== null) throw fsErr('EEXIST');
        yield* inodePermission(ctx, dir, MAY_WRITE | MAY_EXEC);
        const mkdir = dir.iop.mkdir;
        if (mkdir === undefined) throw fsErr('EPERM', 'directory does not support mkdir');
        yield* mkdir(ctx, dir, d, mode & S_IALLUGO);
      };
      yield* withCleanup(create(), () => dcache.dput(ctx, d));
    };
    yield* thenUnlock(locked(), () => {
      dir.lock.unlock(ctx.task, 'filename_create');
    });
  };
  yield* withCleanup(body(), () => dcache.dput(ctx, parent));
}

/** rmdir(2). */
export function* sysRmdir(ctx: Ctx, root: Dentry, path: unknown): KOp<void> {
  yield* withContext('rmdir', pathArg(path), rmdirInner(ctx, root, path));
}

function* rmdirInner(ctx: Ctx, root: Dentry, path: unknown): KOp<void> {
  const { parent, last } = yield* pathParent(ctx, root, path);
  const dcache = parent.sb.dcache;
  const body = function* (): KOp<void> {
    // do_rmdir(): LAST_ROOT -> EBUSY, LAST_DOT -> EINVAL, LAST_DOTDOT -> ENOTEMPTY.
    if (last === undefined) throw fsErr('EBUSY');
    if (last === '.') throw fsErr('EINVAL');
    if (last === '..') throw fsErr('ENOTEMPTY');
    const dir = parent.inode!;
    yield* dir.lock.lock(ctx.task, 'do_rmdir');
    const locked = function* (): KOp<void> {
      if (dir.dead) throw fsErr('ENOENT');
      const d = yield* lookupLocked(ctx, parent, last);
      const remove = function* (): KOp<void> {
        // may_delete(): existence, then permission on the directory, then the type.
        const inode = d.inode;
        if (inode === null) throw fsErr('ENOENT');
        yield* inodePermission(ctx, dir, MAY_WRITE | MAY_EXEC);
        if (!isDirMode(inode.mode)) throw fsErr('ENOTDIR');
        const rmdir = dir.iop.rmdir;
        if (rmdir === undefined) throw fsErr('EPERM', 'directory does not support rmdir');
        yield* inode.lock.lock(ctx.task, 'vfs_rmdir');
        yield* thenUnlock(rmdir(ctx, dir, d), () => {
          inode.lock.unlock(ctx.task, 'vfs_rmdir');
        });
        // d_delete(): nobody may find the removed directory any more.
        dcache.drop(d);
      };
      yield* withCleanup(remove(), () => dcache.dput(ctx, d));
    };
    yield* thenUnlock(locked(), () => {
      dir.lock.unlock(ctx.task, 'do_rmdir');
    });
  };
  yield* withCleanup(body(), () => dcache.dput(ctx, parent));
}

/** simple_setattr() for filesystems without ->setattr. */
export function simpleSetattr(inode: Inode, attr: IAttr): void {
  if (attr.mode !== undefined) inode.mode = (inode.mode & S_IFMT) | (attr.mode & S_IALLUGO);
  if (attr.uid !== undefined && attr.uid !== -1) inode.uid = attr.uid;
  if (attr.gid !== undefined && attr.gid !== -1) inode.gid = attr.gid;
}

function* setattr(ctx: Ctx, d: Dentry, attr: IAttr): KOp<void> {
  const inode = d.inode!;
  const sa = inode.iop.setattr;
  yield step('notify_change', `setattr('${d.name}')`);
  if (sa !== undefined) yield* sa(ctx, d, attr);
  else simpleSetattr(inode, attr);
}

/** chmod(2). */
export function* sysChmod(ctx: Ctx, root: Dentry, path: unknown, mode: number): KOp<void> {
  yield* withContext('chmod', pathArg(path), attrInner(ctx, root, path, { mode }));
}

/** chown(2); -1 keeps a value. */
export function* sysChown(
  ctx: Ctx,
  root: Dentry,
  path: unknown,
  uid: number,
  gid: number,
): KOp<void> {
  yield* withContext('chown', pathArg(path), attrInner(ctx, root, path, { uid, gid }));
}

function* attrInner(ctx: Ctx, root: Dentry, path: unknown, attr: IAttr): KOp<void> {
  const d = yield* pathLookup(ctx, root, path);
  const body = function* (): KOp<void> {
    const inode = d.inode!;
    let change = attr;
    if (attr.mode !== undefined) {
      checkChmod(ctx.cred, inode);
      change = { mode: chmodMode(ctx.cred, inode, attr.mode) };
    } else {
      checkChown(ctx.cred, inode, attr.uid ?? -1, attr.gid ?? -1);
      const killed = chownKillsSetid(inode);
      if (killed !== undefined) change = { ...attr, mode: killed };
    }
    yield* setattr(ctx, d, change);
  };
  yield* withCleanup(body(), () => d.sb.dcache.dput(ctx, d));
}

export { lookupComponent };
