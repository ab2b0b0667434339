/**
 * tracefs's own files and directories (fs/tracefs/inode.c, fs/libfs.c): created eagerly by the
 * tracing code with a dentry that stays pinned until removal, looked up with simple_lookup(),
 * listed by dcache_readdir(), owned by the mount root or the instance they belong to
 * (set_tracefs_inode_owner), and removed with simple_recursive_removal().
 */
import type { Dentry } from '../vfs/dentry';
import { fsErr } from '../vfs/errors';
import type { Inode } from '../vfs/inode';
import { genericPermission } from '../vfs/permission';
import { isOops, step, withCleanup, type KOp } from '../vfs/sched';
import { simpleSetattr } from '../vfs/syscalls';
import {
  isDirMode,
  S_IFDIR,
  S_IFMT,
  S_IFREG,
  type Ctx,
  type DirContext,
  type FileOperations,
  type IAttr,
  type InodeOperations,
} from '../vfs/types';
import { NAME_MAX, byteLength } from '../vfs/path';
import {
  getTracefs,
  TRACEFS_GID_PERM_SET,
  TRACEFS_INSTANCE_INODE,
  TRACEFS_UID_PERM_SET,
  type TracefsInode,
} from './inode';

/**
 * simple_lookup(): everything that exists is already in the dcache, so a miss is a negative
 * dentry. tracefs has s_d_op, so the negative stays cached.
 */
// eslint-disable-next-line require-yield
function* simpleLookup(_ctx: Ctx, _dir: Inode, dentry: Dentry): KOp<Dentry | null> {
  if (byteLength(dentry.name) > NAME_MAX) throw fsErr('ENAMETOOLONG');
  dentry.sb.dcache.add(dentry, null);
  return null;
}

/** dcache_readdir(): '.', '..', then the positive hashed children, newest first (hlist_add_head). */
// eslint-disable-next-line require-yield
function* dcacheReaddir(_ctx: Ctx, file: { dentry: Dentry }, dctx: DirContext): KOp<void> {
  const d = file.dentry;
  if (!emitDots(d, dctx)) return;
  const children = [...d.subdirs].filter((c) => c.hashed && c.inode !== null).reverse();
  for (let i = dctx.pos - 2; i < children.length; i++) {
    const c = children[i]!;
    const inode = c.inode!;
    if (!dctx.emit(c.name, inode.ino, isDirMode(inode.mode) ? 'dir' : 'file')) return;
    dctx.pos++;
  }
}

/** dir_emit_dots(). */
export function emitDots(d: Dentry, dctx: DirContext): boolean {
  if (dctx.pos === 0) {
    if (!dctx.emit('.', d.inode!.ino, 'dir')) return false;
    dctx.pos = 1;
  }
  if (dctx.pos === 1) {
    if (!dctx.emit('..', d.parent.inode!.ino, 'dir')) return false;
    dctx.pos = 2;
  }
  return true;
}

/** simple_dir_inode_operations (the root directory). */
export const simpleDirInodeOps: InodeOperations = Object.freeze({ lookup: simpleLookup });
/** simple_dir_operations. */
export const dcacheReaddirOps: FileOperations = Object.freeze({ iterate: dcacheReaddir });

/**
 * set_tracefs_inode_owner(): unless chown-ed, a tracefs inode takes its owner from the inode
 * it hangs off (the mount root, or an instance), and that one from the root unless chown-ed.
 */
function setTracefsInodeOwner(inode: Inode): void {
  const ti = getTracefs(inode);
  let rootInode = ti.tiPrivate as TracefsInode;
  let uid = rootInode.uid;
  let gid = rootInode.gid;
  const sbRoot = inode.sb.root.inode as TracefsInode;
  if (rootInode !== sbRoot) {
    const rti = rootInode;
    rootInode = sbRoot;
    if ((rti.flags & TRACEFS_UID_PERM_SET) === 0) uid = rootInode.uid;
    if ((rti.flags & TRACEFS_GID_PERM_SET) === 0) gid = rootInode.gid;
  }
  if ((ti.flags & TRACEFS_UID_PERM_SET) === 0) inode.uid = uid;
  if ((ti.flags & TRACEFS_GID_PERM_SET) === 0) inode.gid = gid;
}

// eslint-disable-next-line require-yield
function* tracefsPermission(ctx: Ctx, inode: Inode, mask: number): KOp<void> {
  setTracefsInodeOwner(inode);
  genericPermission(ctx.cred, inode, mask);
}

// eslint-disable-next-line require-yield
function* tracefsGetattr(_ctx: Ctx, _d: Dentry, inode: Inode): KOp<void> {
  setTracefsInodeOwner(inode);
}

/** tracefs_setattr(): a chown pins the owner (TRACEFS_UID_PERM_SET/GID_PERM_SET). */
// eslint-disable-next-line require-yield
function* tracefsSetattr(_ctx: Ctx, d: Dentry, attr: IAttr): KOp<void> {
  const ti = getTracefs(d.inode!);
  if (attr.uid !== undefined && attr.uid !== -1) ti.flags |= TRACEFS_UID_PERM_SET;
  if (attr.gid !== undefined && attr.gid !== -1) ti.flags |= TRACEFS_GID_PERM_SET;
  simpleSetattr(ti, attr);
}

/** tracefs_file_inode_operations. */
export const tracefsFileInodeOps: InodeOperations = Object.freeze({
  permission: tracefsPermission,
  getattr: tracefsGetattr,
  setattr: tracefsSetattr,
});

/** tracefs_dir_inode_operations. */
export const tracefsDirInodeOps: InodeOperations = Object.freeze({
  lookup: simpleLookup,
  permission: tracefsPermission,
  getattr: tracefsGetattr,
  setattr: tracefsSetattr,
});

/** The callbacks behind `instances/` (tracefs_ops: mkdir/rmdir of an instance by name). */
export interface InstanceDirOps {
  readonly mkdir: (ctx: Ctx, name: string) => KOp<void>;
  readonly rmdir: (ctx: Ctx, name: string) => KOp<void>;
}

/**
 * tracefs_syscall_mkdir(): mark the directory as the instance root for ownership, then drop
 * the directory lock and let the tracing code create the instance (which takes the lock again
 * to create its files).
 */
function instanceDirInodeOps(ops: InstanceDirOps): InodeOperations {
  return Object.freeze({
    ...tracefsDirInodeOps,
    *mkdir(ctx: Ctx, dir: Inode, dentry: Dentry): KOp<void> {
      const ti = getTracefs(dir);
      ti.flags |= TRACEFS_INSTANCE_INODE;
      ti.tiPrivate = dir;
      dir.lock.unlock(ctx.task, 'tracefs_syscall_mkdir');
      yield* withCleanup(ops.mkdir(ctx, dentry.name), () =>
        dir.lock.lock(ctx.task, 'tracefs_syscall_mkdir'),
      );
    },
    *rmdir(ctx: Ctx, dir: Inode, dentry: Dentry): KOp<void> {
      const victim = dentry.inode!;
      dir.lock.unlock(ctx.task, 'tracefs_syscall_rmdir');
      victim.lock.unlock(ctx.task, 'tracefs_syscall_rmdir');
      yield* withCleanup(ops.rmdir(ctx, dentry.name), function* (): KOp<void> {
        yield* dir.lock.lock(ctx.task, 'tracefs_syscall_rmdir');
        yield* victim.lock.lock(ctx.task, 'tracefs_syscall_rmdir');
      });
    },
  });
}

/**
 * tracefs_start_creating(): lock the parent and look the name up (lookup_noperm, so a fresh
 * name becomes a hashed negative dentry via ->lookup). The dentry comes back referenced.
 */
export function* startCreating(ctx: Ctx, name: string, parent: Dentry): KOp<Dentry> {
  const dir = parent.inode!;
  yield* dir.lock.lock(ctx.task, 'tracefs_start_creating');
  try {
    if (dir.dead) throw fsErr('ENOENT');
    const dcache = parent.sb.dcache;
    let d = dcache.lookup(parent, name);
    if (d !== null && d.op?.revalidate !== undefined && !d.op.revalidate(d)) {
      yield* dcache.invalidate(ctx, d);
      yield* dcache.dput(ctx, d);
      d = null;
    }
    if (d === null) {
      d = dcache.alloc(parent, name);
      const lookup = dir.iop.lookup;
      if (lookup !== undefined) {
        const other = yield* lookup(ctx, dir, d);
        if (other !== null) {
          yield* dcache.dput(ctx, d);
          d = other;
        }
      }
      if (!d.hashed) dcache.add(d, null);
    }
    if (d.inode !== null) {
      yield* dcache.dput(ctx, d);
      throw fsErr('EEXIST');
    }
    return d;
  } catch (e) {
    dir.lock.unlock(ctx.task, 'tracefs_start_creating');
    throw e;
  }
}

/**
 * tracefs_get_inode(), or on allocation failure tracefs_failed_creating(): unlock the parent and
 * drop the dentry (it stays cached as the negative simple_lookup() made it).
 */
export function* getInodeOrFail(ctx: Ctx, d: Dentry): KOp<TracefsInode> {
  try {
    return getTracefs(d.sb.newInode());
  } catch (e) {
    if (isOops(e)) throw e;
    yield* failedCreating(ctx, d);
    throw e;
  }
}

/** tracefs_failed_creating(). */
export function* failedCreating(ctx: Ctx, d: Dentry): KOp<void> {
  d.parent.inode!.lock.unlock(ctx.task, 'tracefs_failed_creating');
  yield* d.sb.dcache.dput(ctx, d);
}

/** tracefs_end_creating(). */
export function endCreating(ctx: Ctx, d: Dentry): void {
  d.parent.inode!.lock.unlock(ctx.task, 'tracefs_end_creating');
}

/** instance_inode(): the inode ownership defaults come from (an instance, or the root). */
function instanceInode(parent: Dentry): Inode {
  let p = parent;
  while (!p.isRoot) {
    if ((getTracefs(p.inode!).flags & TRACEFS_INSTANCE_INODE) !== 0) break;
    p = p.parent;
  }
  return p.inode!;
}

/** tracefs_create_file(): a pinned file whose fops get `data` as i_private. */
export function* createFile(
  ctx: Ctx,
  name: string,
  mode: number,
  parent: Dentry,
  data: unknown,
  fops: FileOperations,
): KOp<Dentry> {
  if ((mode & S_IFMT) === 0) mode |= S_IFREG;
  const d = yield* startCreating(ctx, name, parent);
  const inode = yield* getInodeOrFail(ctx, d);
  inode.ino = parent.sb.inodes.nextIno();
  inode.tiPrivate = instanceInode(parent);
  inode.mode = mode;
  inode.iop = tracefsFileInodeOps;
  inode.fop = fops;
  inode.private = data;
  inode.uid = parent.inode!.uid;
  inode.gid = parent.inode!.gid;
  yield step('tracefs_create_file', `d_instantiate('${name}')`);
  parent.sb.dcache.instantiate(d, inode);
  d.pinned = true;
  endCreating(ctx, d);
  return d;
}

function* createDirWith(ctx: Ctx, name: string, parent: Dentry, iop: InodeOperations): KOp<Dentry> {
  const d = yield* startCreating(ctx, name, parent);
  const inode = yield* getInodeOrFail(ctx, d);
  inode.ino = parent.sb.inodes.nextIno();
  // Do not set bits for OTH.
  inode.mode = S_IFDIR | 0o750;
  inode.iop = iop;
  inode.fop = dcacheReaddirOps;
  inode.uid = parent.inode!.uid;
  inode.gid = parent.inode!.gid;
  inode.tiPrivate = instanceInode(parent);
  inode.nlink = 2;
  yield step('__create_dir', `d_instantiate('${name}')`);
  parent.sb.dcache.instantiate(d, inode);
  parent.inode!.nlink++;
  d.pinned = true;
  endCreating(ctx, d);
  return d;
}

/** tracefs_create_dir(). */
export function createDir(ctx: Ctx, name: string, parent: Dentry): KOp<Dentry> {
  return createDirWith(ctx, name, parent, tracefsDirInodeOps);
}

/** tracefs_create_instance_dir(): `instances/`, where mkdir and rmdir create trace instances. */
export function createInstanceDir(
  ctx: Ctx,
  name: string,
  parent: Dentry,
  ops: InstanceDirOps,
): KOp<Dentry> {
  return createDirWith(ctx, name, parent, instanceDirInodeOps(ops));
}

/**
 * tracefs_remove() -> simple_recursive_removal(): deepest first, unhash every positive child,
 * mark directories dead, and drop the pins. Unpinned dentries (cached lookups) just lose
 * their hash and die when their last user lets go.
 */
export function* remove(ctx: Ctx, d: Dentry): KOp<void> {
  const dcache = d.sb.dcache;
  // find_next_child() takes a reference on each child it returns: a concurrent shrink must not
  // free one between our yields.
  const children = [...dcache.hashedChildren(d)].map((c) => dcache.dget(c));
  for (const child of children) {
    if (child.inode !== null) yield* remove(ctx, child);
    else dcache.drop(child);
    yield* dcache.dput(ctx, child);
  }
  const inode = d.inode;
  if (inode !== null) {
    if (isDirMode(inode.mode)) inode.dead = true;
    inode.nlink = 0;
    if (!d.parent.isPoisoned && d.parent.inode !== null && isDirMode(inode.mode))
      d.parent.inode.nlink--;
  }
  yield step('simple_recursive_removal', `remove '${d.name}'`);
  dcache.drop(d);
  if (d.pinned) {
    d.pinned = false;
    yield* dcache.dput(ctx, d);
  }
}
