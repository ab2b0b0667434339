/**
 * eventfs as fixed at the end of the thread (fs/tracefs/event_inode.c, v6.8/v6.9): lookup runs
 * entirely under eventfs_mutex and builds the inode completely before d_add(); nothing found
 * caches nothing; every dentry pointing at an eventfs_inode holds a kref on it, put by
 * d_release; d_revalidate refuses dentries whose eventfs_inode was removed; readdir creates no
 * dentries; ownership of `events` follows the mount.
 */
import { emitDots, endCreating, failedCreating, startCreating } from '../tracefs/files';
import { getTracefs, TRACEFS_EVENT_INODE, type TracefsInode } from '../tracefs/inode';
import type { TracefsHooks } from '../tracefs/super';
import type { TracefsAllocPolicy } from '../tracefs/inode';
import type { Dentry } from '../vfs/dentry';
import { fsErr } from '../vfs/errors';
import type { Inode } from '../vfs/inode';
import { genericPermission } from '../vfs/permission';
import { isOops, step, type KOp } from '../vfs/sched';
import { simpleSetattr } from '../vfs/syscalls';
import {
  isDirMode,
  S_IFDIR,
  S_IFMT,
  S_IFREG,
  type Ctx,
  type DentryOperations,
  type DirContext,
  type FileOperations,
  type IAttr,
  type InodeOperations,
} from '../vfs/types';
import type { File } from '../vfs/file';
import { EventfsBase, eventfsRemount, updateAttr } from './base';
import {
  EVENTFS_FILE_INODE_INO,
  EVENTFS_MODE_MASK,
  EVENTFS_SAVE_GID,
  EVENTFS_SAVE_MODE,
  EVENTFS_SAVE_UID,
  EventfsInode,
  type EventfsAttr,
  type EventfsEntry,
  type EventfsFileSpec,
} from './eventfs-inode';

/** Directories: S_IFDIR | S_IRWXU | S_IRUGO | S_IXUGO. */
export const EVENTFS_DIR_MODE = S_IFDIR | 0o755;

function fsdataEi(d: Dentry): EventfsInode | null {
  const v = d.fsdata;
  return v instanceof EventfsInode ? v : null;
}

export class EventfsFixed extends EventfsBase {
  readonly hooks: TracefsHooks;
  protected readonly dirIops: InodeOperations;
  protected readonly fileIops: InodeOperations;
  protected readonly dirFops: FileOperations;

  constructor() {
    super();
    this.hooks = {
      dentryOps: this.dentryOperations(),
      allocPolicy: this.allocPolicy(),
      remount: (ti, u, g) => {
        eventfsRemount(ti.tiPrivate as EventfsInode | null, u, g);
      },
    };
    this.dirIops = {
      lookup: (ctx, dir, dentry) => this.eventfsRootLookup(ctx, dir, dentry),
      setattr: (ctx, d, attr) => this.eventfsSetAttr(ctx, d, attr),
      getattr: (ctx, d, inode) => this.eventfsGetAttr(ctx, d, inode),
      permission: (ctx, inode, mask) => this.eventfsPermission(ctx, inode, mask),
    };
    this.fileIops = { setattr: (ctx, d, attr) => this.eventfsSetAttr(ctx, d, attr) };
    this.dirFops = { iterate: (ctx, file, dctx) => this.eventfsIterate(ctx, file, dctx) };
  }

  /** tracefs_dentry_operations as this code has them. */
  protected dentryOperations(): DentryOperations {
    return {
      revalidate: (d) => this.tracefsDRevalidate(d),
      release: (ctx, d) => this.eventfsDRelease(ctx, d),
    };
  }

  /** What tracefs_alloc_inode() leaves in ti->flags and ti->private. */
  protected allocPolicy(): TracefsAllocPolicy {
    return 'zeroed';
  }

  /** tracefs_d_revalidate(): lockless; a removed ei makes the dentry stale. */
  tracefsDRevalidate(d: Dentry): boolean {
    const ei = fsdataEi(d);
    return !(ei !== null && ei.isFreed);
  }

  /** tracefs_d_release() -> eventfs_d_release(): the dentry's kref goes. */
  // eslint-disable-next-line require-yield
  *eventfsDRelease(_ctx: Ctx, d: Dentry): KOp<void> {
    const ei = fsdataEi(d);
    if (ei !== null) this.putEi(ei, 'eventfs_d_release');
  }

  /** eventfs_get_attr(). */
  // eslint-disable-next-line require-yield
  *eventfsGetAttr(_ctx: Ctx, _d: Dentry, inode: Inode): KOp<void> {
    this.setTopEventsOwnership(inode);
  }

  /** eventfs_permission(). */
  // eslint-disable-next-line require-yield
  *eventfsPermission(ctx: Ctx, inode: Inode, mask: number): KOp<void> {
    this.setTopEventsOwnership(inode);
    genericPermission(ctx.cred, inode, mask);
  }

  /** eventfs_dir_ino(): one number per directory, kept by its ei across evictions. */
  protected eventfsDirIno(ei: EventfsInode): number {
    if (ei.ino === 0) ei.ino = this.tracefs.sb.inodes.nextIno();
    return ei.ino;
  }

  /** update_events_attr(): `events` follows its parent inode unless chown-ed. */
  protected updateEventsAttr(ei: EventfsInode): void {
    const parent = ei.parentInode!;
    if ((ei.attr.mode & EVENTFS_SAVE_UID) === 0) ei.attr.uid = parent.uid;
    if ((ei.attr.mode & EVENTFS_SAVE_GID) === 0) ei.attr.gid = parent.gid;
  }

  /**
   * set_top_events_ownership(): called from ->permission and ->getattr on every eventfs
   * directory; reads ti->private without eventfs_mutex, which is only safe because lookup
   * set it before d_add() made the inode reachable.
   */
  setTopEventsOwnership(inode: Inode): void {
    const ti = getTracefs(inode);
    const ei = ti.tiPrivate as EventfsInode | null;
    if (ei === null || !ei.isEvents) return;
    this.updateEventsAttr(ei);
    if ((ei.attr.mode & EVENTFS_SAVE_UID) === 0) inode.uid = ei.attr.uid;
    if ((ei.attr.mode & EVENTFS_SAVE_GID) === 0) inode.gid = ei.attr.gid;
  }

  /** eventfs_find_events(): walk up d_parent to the `events` ei (the caller holds eventfs_mutex). */
  // eslint-disable-next-line require-yield
  protected *eventfsFindEvents(_ctx: Ctx, dentry: Dentry): KOp<EventfsInode | null> {
    let d = dentry;
    let ei: EventfsInode | null;
    do {
      d = d.parent;
      ei = fsdataEi(d);
      if (ei === null || ei.isFreed) return null;
    } while (!ei.isEvents);
    this.updateEventsAttr(ei);
    return ei;
  }

  /** update_inode_attr(): ownership from `events`, then whatever the user saved. */
  protected *updateInodeAttr(
    ctx: Ctx,
    dentry: Dentry,
    inode: Inode,
    attr: EventfsAttr | null,
    mode: number,
  ): KOp<void> {
    const eventsEi = yield* this.eventfsFindEvents(ctx, dentry);
    if (eventsEi === null) return;
    inode.mode = mode;
    inode.uid = eventsEi.attr.uid;
    inode.gid = eventsEi.attr.gid;
    if (attr === null) return;
    if ((attr.mode & EVENTFS_SAVE_MODE) !== 0)
      inode.mode = (mode & S_IFMT) | (attr.mode & EVENTFS_MODE_MASK & 0o7777);
    if ((attr.mode & EVENTFS_SAVE_UID) !== 0) inode.uid = attr.uid;
    if ((attr.mode & EVENTFS_SAVE_GID) !== 0) inode.gid = attr.gid;
  }

  /** tracefs_get_inode(). */
  protected *getInode(name: string): KOp<TracefsInode> {
    yield step('tracefs_get_inode', `new_inode for '${name}'`);
    const inode = this.tracefs.sb.newInode();
    inode.ino = this.tracefs.sb.inodes.nextIno();
    return inode;
  }

  /** lookup_file(): a file's inode, fully built, then published. */
  protected *lookupFile(
    ctx: Ctx,
    parentEi: EventfsInode,
    idx: number,
    dentry: Dentry,
    spec: EventfsFileSpec,
    attr: EventfsAttr | null,
    data: unknown,
  ): KOp<null> {
    let mode = spec.mode;
    if ((mode & S_IFMT) === 0) mode |= S_IFREG;
    if ((mode & S_IFMT) !== S_IFREG) throw fsErr('EIO', 'eventfs entry is not a regular file');
    const inode = yield* this.getInode(dentry.name);
    yield* this.updateInodeAttr(ctx, dentry, inode, attr, mode);
    inode.iop = this.fileIops;
    inode.fop = spec.fops;
    inode.private = data;
    inode.ino = EVENTFS_FILE_INODE_INO;
    inode.flags |= TRACEFS_EVENT_INODE;
    this.initFileInode(inode);
    // Files have their parent's ei as their fsdata.
    this.setFsdata(dentry, parentEi);
    this.publish(dentry, inode);
    this.rememberFileDentry(parentEi, idx, dentry);
    yield step('d_add', `publish file '${dentry.name}'`);
    return null;
  }

  /** lookup_dir_entry(): a directory's inode, ti->private set before it is published. */
  protected *lookupDirEntry(ctx: Ctx, dentry: Dentry, ei: EventfsInode): KOp<null> {
    const inode = yield* this.getInode(dentry.name);
    yield* this.updateInodeAttr(ctx, dentry, inode, ei.attr, EVENTFS_DIR_MODE);
    inode.iop = this.dirIops;
    inode.fop = this.dirFops;
    inode.ino = this.eventfsDirIno(ei);
    inode.flags |= TRACEFS_EVENT_INODE;
    // Only directories have ti->private set to an ei, not files.
    inode.tiPrivate = ei;
    this.setFsdata(dentry, ei);
    this.rememberDirDentry(ei, dentry);
    this.publish(dentry, inode);
    yield step('d_add', `publish dir '${dentry.name}'`);
    return null;
  }

  /** v6.8: ti->private = NULL for files (directories have 'ei', files not). */
  protected initFileInode(inode: TracefsInode): void {
    inode.tiPrivate = null;
  }

  /** dentry->d_fsdata = get_ei(ei): every dentry holds a kref on the ei it points at. */
  protected setFsdata(dentry: Dentry, ei: EventfsInode): void {
    dentry.fsdata = this.getEi(ei);
  }

  /** d_add(dentry, inode): ->lookup hashes the dentry it was given. */
  protected publish(dentry: Dentry, inode: TracefsInode): void {
    this.tracefs.sb.dcache.add(dentry, inode);
  }

  /** Back-pointers from the ei to its file dentries: none in this code. */
  protected rememberFileDentry(_ei: EventfsInode, _idx: number, _dentry: Dentry): void {
    // The fixed code keeps no pointer to a dentry it holds no reference on.
  }

  /** Back-pointer from the ei to its directory dentry: none in this code. */
  protected rememberDirDentry(_ei: EventfsInode, _dentry: Dentry): void {
    // See rememberFileDentry.
  }

  /** Nothing found: return NULL without d_add(); the VFS drops the unhashed dentry. */
  // eslint-disable-next-line require-yield
  protected *lookupMiss(_dentry: Dentry): KOp<Dentry | null> {
    return null;
  }

  /**
   * eventfs_root_lookup(): everything under eventfs_mutex. Nothing found returns NULL without
   * d_add(): the VFS drops the unhashed negative dentry, so no negative is ever cached.
   */
  *eventfsRootLookup(ctx: Ctx, dir: Inode, dentry: Dentry): KOp<Dentry | null> {
    const ti = getTracefs(dir);
    if ((ti.flags & TRACEFS_EVENT_INODE) === 0) throw fsErr('EIO');
    const name = dentry.name;
    yield* this.mutex.lock(ctx.task, 'eventfs_root_lookup');
    try {
      const ei = ti.tiPrivate as EventfsInode | null;
      if (ei === null || ei.isFreed) return yield* this.lookupMiss(dentry);
      for (const child of ei.children) {
        if (child.name !== name) continue;
        if (child.isFreed) return yield* this.lookupMiss(dentry);
        return yield* this.lookupDirEntry(ctx, dentry, child);
      }
      for (let i = 0; i < ei.entries.length; i++) {
        const entry = ei.entries[i]!;
        if (entry.name !== name) continue;
        const spec = entry.callback(name, ei.data);
        if (spec === null) return yield* this.lookupMiss(dentry);
        const attr = ei.entryAttrs?.[i] ?? null;
        return yield* this.lookupFile(ctx, ei, i, dentry, spec, attr, spec.data ?? ei.data);
      }
      return yield* this.lookupMiss(dentry);
    } finally {
      this.mutex.unlock(ctx.task, 'eventfs_root_lookup');
    }
  }

  /**
   * eventfs_iterate(): '.', '..', the entries whose callback shows them, then the child
   * directories not freed. No dentry or inode is created.
   */
  *eventfsIterate(ctx: Ctx, file: File, dctx: DirContext): KOp<void> {
    if (!emitDots(file.dentry, dctx)) return;
    const ti = getTracefs(file.inode);
    if ((ti.flags & TRACEFS_EVENT_INODE) === 0) throw fsErr('EINVAL');
    yield* this.mutex.lock(ctx.task, 'eventfs_iterate');
    let ei = ti.tiPrivate as EventfsInode | null;
    if (ei !== null && ei.isFreed) ei = null;
    this.mutex.unlock(ctx.task, 'eventfs_iterate');
    if (ei === null) return;
    let c = dctx.pos - 2;
    for (let i = c; i < ei.entries.length; i++, dctx.pos++) {
      const entry = ei.entries[i]!;
      yield* this.mutex.lock(ctx.task, 'eventfs_iterate');
      let spec: EventfsFileSpec | null;
      try {
        if (ei.isFreed) return;
        spec = entry.callback(entry.name, ei.data);
      } finally {
        this.mutex.unlock(ctx.task, 'eventfs_iterate');
      }
      if (spec === null) continue;
      if (!dctx.emit(entry.name, EVENTFS_FILE_INODE_INO, 'file')) return;
    }
    c -= Math.min(Math.max(c, 0), ei.entries.length);
    // The children list is read under SRCU in the kernel: a snapshot of it here.
    for (const child of [...ei.children]) {
      if (c > 0) {
        c--;
        continue;
      }
      dctx.pos++;
      if (child.isFreed) continue;
      if (!dctx.emit(child.name, this.eventfsDirIno(child), 'dir')) {
        dctx.pos--;
        return;
      }
    }
  }

  /** eventfs_set_attr(): chmod/chown, remembered in the ei so it survives eviction. */
  *eventfsSetAttr(ctx: Ctx, dentry: Dentry, iattr: IAttr): KOp<void> {
    yield* this.mutex.lock(ctx.task, 'eventfs_set_attr');
    try {
      const ei = fsdataEi(dentry);
      // Do not allow changes if the event is about to be removed.
      if (ei === null || ei.isFreed) throw fsErr('ENODEV');
      const inode = dentry.inode!;
      if (!isDirMode(inode.mode) && ei.entryAttrs === null) {
        ei.entryAttrs = ei.entries.map(() => ({ mode: 0, uid: 0, gid: 0 }));
      }
      simpleSetattr(inode, iattr);
      if (isDirMode(inode.mode)) updateAttr(ei.attr, iattr);
      else {
        const idx = ei.entries.findIndex((e) => e.name === dentry.name);
        if (idx >= 0) updateAttr(ei.entryAttrs![idx]!, iattr);
      }
    } finally {
      this.mutex.unlock(ctx.task, 'eventfs_set_attr');
    }
  }

  /** eventfs_create_events_dir(). */
  *createEventsDir(
    ctx: Ctx,
    name: string,
    parent: Dentry,
    entries: readonly EventfsEntry[],
    data: unknown,
  ): KOp<EventfsInode> {
    const dentry = yield* startCreating(ctx, name, parent);
    let ei: EventfsInode | null = null;
    let inode: TracefsInode;
    try {
      ei = this.allocEi(name, entries, data, true);
      inode = this.tracefs.sb.newInode();
    } catch (e) {
      // fail: cleanup_ei(ei); tracefs_failed_creating(dentry); return ERR_PTR(-ENOMEM).
      if (isOops(e)) throw e;
      if (ei !== null) this.releaseQuiet(ei);
      yield* failedCreating(ctx, dentry);
      throw e;
    }
    inode.ino = this.tracefs.sb.inodes.nextIno();
    // We have a ref to the dentry from tracefs_start_creating(): `events` stays pinned.
    ei.eventsDir = dentry;
    ei.parentInode = this.tracefs.rootInode;
    const uid = parent.inode!.uid;
    const gid = parent.inode!.gid;
    ei.attr.uid = uid;
    ei.attr.gid = gid;
    // It takes on the ownership of its parent, until a remount resets it.
    ei.attr.mode |= EVENTFS_SAVE_UID | EVENTFS_SAVE_GID;
    inode.flags |= TRACEFS_EVENT_INODE;
    inode.tiPrivate = ei;
    inode.mode = EVENTFS_DIR_MODE;
    inode.uid = uid;
    inode.gid = gid;
    inode.iop = this.dirIops;
    inode.fop = this.dirFops;
    dentry.fsdata = this.getEi(ei);
    this.tracefs.sb.dcache.instantiate(dentry, inode);
    parent.inode!.nlink++;
    dentry.pinned = true;
    endCreating(ctx, dentry);
    return ei;
  }

  /** eventfs_create_dir(): link a new ei under its parent unless the parent was removed. */
  *createDir(
    ctx: Ctx,
    name: string,
    parent: EventfsInode,
    entries: readonly EventfsEntry[],
    data: unknown,
  ): KOp<EventfsInode | null> {
    const ei = this.allocEi(name, entries, data, false);
    yield* this.mutex.lock(ctx.task, 'eventfs_create_dir');
    try {
      if (!parent.isFreed) {
        ei.linkTo(parent);
      }
    } finally {
      this.mutex.unlock(ctx.task, 'eventfs_create_dir');
    }
    if (!ei.linked) {
      // cleanup_ei(): no release callbacks for an ei that never existed.
      ei.isFreed = true;
      this.releaseQuiet(ei);
      return null;
    }
    return ei;
  }

  protected releaseQuiet(ei: EventfsInode): void {
    ei.kref = 0;
    ei.poison('cleanup_ei');
    this.live.delete(ei);
  }

  /** eventfs_remove_rec(): mark removed, unlink, drop the list's reference. */
  protected removeRec(ei: EventfsInode, level: number): void {
    if (level > 3) return;
    for (const child of [...ei.children]) this.removeRec(child, level + 1);
    ei.unlink();
    ei.isFreed = true;
    this.putEi(ei, 'eventfs_remove_rec');
  }

  /** eventfs_remove_dir(). Stale dentries are left for d_revalidate to refuse. */
  *removeDir(ctx: Ctx, ei: EventfsInode): KOp<void> {
    yield* this.mutex.lock(ctx.task, 'eventfs_remove_dir');
    try {
      this.removeRec(ei, 0);
    } finally {
      this.mutex.unlock(ctx.task, 'eventfs_remove_dir');
    }
  }

  /** eventfs_remove_events_dir(): remove, then unhash and unpin the `events` dentry. */
  *removeEventsDir(ctx: Ctx, ei: EventfsInode): KOp<void> {
    const dentry = ei.eventsDir;
    if (dentry === null) return;
    ei.eventsDir = null;
    yield* this.removeDir(ctx, ei);
    const dcache = this.tracefs.sb.dcache;
    yield* dcache.invalidate(ctx, dentry);
    const parentInode = dentry.parent.inode;
    if (parentInode !== null) parentInode.nlink--;
    dentry.pinned = false;
    yield* dcache.dput(ctx, dentry);
  }
}
