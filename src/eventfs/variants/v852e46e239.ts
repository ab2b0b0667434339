/**
 * eventfs at commit 852e46e239 ("eventfs: Do not create dentries nor inodes in iterate_shared",
 * v6.7-rc), the code the kernel test robot's oops was reported against. Its lookup:
 *
 * - calls simple_lookup() first, which d_add()s a *negative* dentry other lookups can see;
 * - drops eventfs_mutex around create_dir()/create_file(), which d_instantiate() the inode
 *   before ti->private (set later by eventfs_post_create_dir()) and d_fsdata are filled in;
 * - reuses dentries through ei->dentry / ei->d_children[], pointers that hold no reference.
 *
 * tracefs_alloc_inode() of that time set ti->flags = 0 and left ti->private as the slab had it.
 */
import type { TracefsAllocPolicy } from '../../tracefs/inode';
import { getTracefs, TRACEFS_EVENT_INODE } from '../../tracefs/inode';
import type { Dentry } from '../../vfs/dentry';
import type { Inode } from '../../vfs/inode';
import { deref } from '../../vfs/oops';
import { step, type KOp } from '../../vfs/sched';
import { S_IFMT, S_IFREG, type Ctx } from '../../vfs/types';
import { EVENTFS_FILE_INODE_INO, EventfsInode, type EventfsFileSpec } from '../eventfs-inode';
import { EVENTFS_DIR_MODE } from '../fixed';
import { EventfsOldLifetimes } from './old-lifetimes';

function fsdataEi(d: Dentry): EventfsInode | null {
  const v = d.fsdata;
  return v instanceof EventfsInode ? v : null;
}

export class Eventfs852e46e239 extends EventfsOldLifetimes {
  /** tracefs_alloc_inode(): `ti->flags = 0;` and nothing for ti->private. */
  protected override allocPolicy(): TracefsAllocPolicy {
    return 'flags-only';
  }

  /** Files: only ti->flags |= TRACEFS_EVENT_INODE; ti->private keeps whatever it held. */
  protected override initFileInode(): void {
    // Nothing: that is the point.
  }

  /**
   * eventfs_find_events() of v6.7: takes eventfs_mutex itself (its callers have dropped it)
   * and walks up through ei->dentry back-pointers.
   */
  protected override *eventfsFindEvents(ctx: Ctx, dentry: Dentry): KOp<EventfsInode | null> {
    yield* this.mutex.lock(ctx.task, 'eventfs_find_events');
    let ei: EventfsInode | null;
    try {
      let d = dentry;
      for (;;) {
        // The parent always has an ei, except for events itself.
        ei = deref(fsdataEi(d.parent), 'dentry->d_parent->d_fsdata');
        if (ei.isFreed) {
          ei = null;
          break;
        }
        if (ei.isEvents) break;
        d = deref(ei.old.dentry, 'ei->dentry');
      }
    } finally {
      this.mutex.unlock(ctx.task, 'eventfs_find_events');
    }
    if (ei !== null) this.updateEventsAttr(ei);
    return ei;
  }

  /** simple_lookup(): d_add(dentry, NULL): visible to every other lookup from now on. */
  private simpleLookup(dentry: Dentry): void {
    if (!dentry.hashed) this.tracefs.sb.dcache.add(dentry, null);
  }

  /** create_dir(): the inode is published by d_instantiate() before ti->private is set. */
  private *createDir852(ctx: Ctx, ei: EventfsInode, parent: Dentry): KOp<Dentry | null> {
    const dentry = yield* this.startCreatingCtx(ctx, ei.name, parent);
    if (dentry === null) return null;
    const inode = yield* this.getInode(ei.name);
    yield* this.updateInodeAttr(ctx, dentry, inode, ei.attr, EVENTFS_DIR_MODE);
    inode.iop = this.dirIops;
    inode.fop = this.dirFops;
    inode.ino = this.eventfsDirIno(ei);
    inode.flags |= TRACEFS_EVENT_INODE;
    inode.nlink++;
    this.tracefs.sb.dcache.instantiate(dentry, inode);
    yield step('d_instantiate', `publish dir '${ei.name}' (ti->private not set yet)`);
    deref(dentry.parent.inode, 'parent inode').nlink++;
    return dentry;
  }

  /** eventfs_start_creating(): lookup_one_len() finds the negative simple_lookup() hashed. */
  private *startCreatingCtx(ctx: Ctx, name: string, parent: Dentry): KOp<Dentry | null> {
    yield step('eventfs_start_creating', `lookup_one_len('${name}')`);
    const pinode = deref(parent.inode, 'parent->d_inode');
    if (pinode.dead) return null;
    const dcache = this.tracefs.sb.dcache;
    const d = dcache.lookup(parent, name);
    if (d === null) return null;
    if (d.inode !== null) {
      yield* dcache.dput(ctx, d);
      return null;
    }
    return d;
  }

  /** create_dir_dentry(): reuse ei->dentry if there is one, else create with the mutex dropped. */
  private *createDirDentry(
    ctx: Ctx,
    pei: EventfsInode,
    ei: EventfsInode,
    parent: Dentry,
  ): KOp<Dentry | null> {
    const dcache = this.tracefs.sb.dcache;
    yield* this.mutex.lock(ctx.task, 'create_dir_dentry');
    try {
      if (pei.isFreed || ei.isFreed) return null;
      const old = ei.old.dentry;
      if (old !== null) {
        // If the eventfs_inode already has a dentry, use it.
        return dcache.dget(old);
      }
    } finally {
      this.mutex.unlock(ctx.task, 'create_dir_dentry');
    }
    let dentry = yield* this.createDir852(ctx, ei, parent);
    yield* this.mutex.lock(ctx.task, 'create_dir_dentry');
    try {
      if (dentry === null) {
        if (ei.isFreed) return null;
        // Something else may have created it while the mutex was dropped.
        const other = ei.old.dentry;
        return other === null ? null : dcache.dget(other);
      }
      if (ei.old.dentry === null && !ei.isFreed) {
        ei.old.dentry = dentry;
        this.eventfsPostCreateDir(ei);
        dentry.fsdata = ei;
      } else {
        // WARN_ON_ONCE(!ei->is_freed): two dentries exist with the same name.
        dentry = null;
      }
      return dentry;
    } finally {
      this.mutex.unlock(ctx.task, 'create_dir_dentry');
    }
  }

  /** eventfs_post_create_dir(): ti->private = ei, only now. */
  private eventfsPostCreateDir(ei: EventfsInode): void {
    const d = deref(ei.old.dentry, 'ei->dentry');
    const ti = getTracefs(deref(d.inode, 'ei->dentry->d_inode'));
    ti.tiPrivate = ei;
  }

  /** create_file(): same story for a file. */
  private *createFile852(
    ctx: Ctx,
    name: string,
    spec: EventfsFileSpec,
    attrIdx: number,
    ei: EventfsInode,
    parent: Dentry,
    data: unknown,
  ): KOp<Dentry | null> {
    let mode = spec.mode;
    if ((mode & S_IFMT) === 0) mode |= S_IFREG;
    const dentry = yield* this.startCreatingCtx(ctx, name, parent);
    if (dentry === null) return null;
    const inode = yield* this.getInode(name);
    yield* this.updateInodeAttr(ctx, dentry, inode, ei.entryAttrs?.[attrIdx] ?? null, mode);
    inode.iop = this.fileIops;
    inode.fop = spec.fops;
    inode.private = data;
    inode.ino = EVENTFS_FILE_INODE_INO;
    inode.flags |= TRACEFS_EVENT_INODE;
    this.tracefs.sb.dcache.instantiate(dentry, inode);
    yield step('d_instantiate', `publish file '${name}'`);
    return dentry;
  }

  /** create_file_dentry(): reuse ei->d_children[idx] if set, else create with the mutex dropped. */
  private *createFileDentry(
    ctx: Ctx,
    ei: EventfsInode,
    idx: number,
    parent: Dentry,
    name: string,
    spec: EventfsFileSpec,
    data: unknown,
  ): KOp<Dentry | null> {
    const dcache = this.tracefs.sb.dcache;
    yield* this.mutex.lock(ctx.task, 'create_file_dentry');
    try {
      if (ei.isFreed) return null;
      const old = ei.old.dChildren[idx] ?? null;
      // If the e_dentry already has a dentry, use it.
      if (old !== null) return dcache.dget(old);
    } finally {
      this.mutex.unlock(ctx.task, 'create_file_dentry');
    }
    let dentry = yield* this.createFile852(ctx, name, spec, idx, ei, parent, data);
    yield* this.mutex.lock(ctx.task, 'create_file_dentry');
    try {
      if (dentry === null) {
        if (ei.isFreed) return null;
        const other = ei.old.dChildren[idx] ?? null;
        return other === null ? null : dcache.dget(other);
      }
      if ((ei.old.dChildren[idx] ?? null) === null && !ei.isFreed) {
        ei.old.dChildren[idx] = dentry;
        dentry.fsdata = ei;
      } else {
        dentry = null;
      }
      return dentry;
    } finally {
      this.mutex.unlock(ctx.task, 'create_file_dentry');
    }
  }

  /** eventfs_root_lookup() at 852e46e239. */
  override *eventfsRootLookup(ctx: Ctx, dir: Inode, dentry: Dentry): KOp<Dentry | null> {
    const ti = getTracefs(dir);
    if ((ti.flags & TRACEFS_EVENT_INODE) === 0) return null;
    const name = dentry.name;
    const dcache = this.tracefs.sb.dcache;
    // Grab srcu to prevent the ei from going away.
    this.srcuReaders++;
    try {
      yield* this.mutex.lock(ctx.task, 'eventfs_root_lookup');
      let ei: EventfsInode | null;
      let eiDentry: Dentry | null = null;
      try {
        ei = ti.tiPrivate as EventfsInode | null;
        if (ei !== null && !ei.isFreed) eiDentry = ei.old.dentry;
      } finally {
        this.mutex.unlock(ctx.task, 'eventfs_root_lookup');
      }
      if (ei === null || eiDentry === null) return null;
      const data = ei.data;
      for (const child of [...ei.children]) {
        if (child.name !== name) continue;
        this.simpleLookup(dentry);
        yield step('simple_lookup', `d_add('${name}', NULL)`);
        const d = yield* this.createDirDentry(ctx, ei, child, eiDentry);
        yield step('eventfs_root_lookup', `dput('${name}')`);
        if (d !== null) yield* dcache.dput(ctx, d);
        return null;
      }
      for (let i = 0; i < ei.entries.length; i++) {
        const entry = ei.entries[i]!;
        if (entry.name !== name) continue;
        yield* this.mutex.lock(ctx.task, 'eventfs_root_lookup');
        let spec: EventfsFileSpec | null;
        try {
          // If ei->is_freed, then the event itself may be too.
          spec = ei.isFreed ? null : entry.callback(name, data);
        } finally {
          this.mutex.unlock(ctx.task, 'eventfs_root_lookup');
        }
        if (spec === null) continue;
        this.simpleLookup(dentry);
        yield step('simple_lookup', `d_add('${name}', NULL)`);
        const d = yield* this.createFileDentry(ctx, ei, i, eiDentry, name, spec, spec.data ?? data);
        yield step('eventfs_root_lookup', `dput('${name}')`);
        if (d !== null) yield* dcache.dput(ctx, d);
        break;
      }
      return null;
    } finally {
      this.srcuReaders--;
    }
  }
}
