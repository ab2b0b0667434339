/**
 * How eventfs managed dentry and eventfs_inode lifetimes before the thread's patch 0005
 * (v6.7, commit 852e46e239 and Linus's RFC patches 1-4): the eventfs_inode keeps back-pointers
 * to its dentries (ei->dentry, ei->d_children[]) holding no reference, d_iput clears them
 * (eventfs_set_ei_status_free), and removal "unhooks" those dentries with extra references,
 * unhashes them with simple_recursive_removal() and frees the eventfs_inode after an SRCU grace
 * period (free_rcu_ei, eventfs_workfn).
 */
import { getTracefs, TRACEFS_EVENT_INODE, type TracefsInode } from '../../tracefs/inode';
import type { Dentry } from '../../vfs/dentry';
import type { Inode } from '../../vfs/inode';
import { step, type KOp } from '../../vfs/sched';
import type { Ctx, DentryOperations } from '../../vfs/types';
import { EventfsInode, type EventfsEntry } from '../eventfs-inode';
import { EventfsFixed } from '../fixed';

function fsdataEi(d: Dentry): EventfsInode | null {
  const v = d.fsdata;
  return v instanceof EventfsInode ? v : null;
}

/** The shared pre-0005 machinery; the variants differ in their lookup. */
export abstract class EventfsOldLifetimes extends EventfsFixed {
  /** SRCU readers of eventfs_srcu (852e46e239's lookup holds one). */
  protected srcuReaders = 0;

  override get refcounted(): boolean {
    return false;
  }

  /** tracefs_dentry_operations: only .d_iput = tracefs_dentry_iput. No d_revalidate. */
  protected override dentryOperations(): DentryOperations {
    return { iput: (ctx, d, inode) => this.tracefsDentryIput(ctx, d, inode) };
  }

  /** dentry->d_fsdata = ei: no reference taken. */
  protected override setFsdata(dentry: Dentry, ei: EventfsInode): void {
    dentry.fsdata = ei;
  }

  /** ei->d_children[idx] = dentry ("Remove me" in patch 0004). */
  protected override rememberFileDentry(ei: EventfsInode, idx: number, dentry: Dentry): void {
    ei.old.dChildren[idx] = dentry;
  }

  /** ei->dentry = dentry ("Remove me!" in patch 0004). */
  protected override rememberDirDentry(ei: EventfsInode, dentry: Dentry): void {
    ei.old.dentry = dentry;
  }

  /** tracefs_dentry_iput(): eventfs inodes first clear the back-pointer, then iput(). */
  *tracefsDentryIput(ctx: Ctx, dentry: Dentry, inode: Inode): KOp<void> {
    const ti = getTracefs(inode);
    if ((ti.flags & TRACEFS_EVENT_INODE) !== 0) yield* this.eventfsSetEiStatusFree(ctx, dentry);
    this.tracefs.sb.inodes.iput(ti, 'tracefs_dentry_iput');
  }

  /**
   * eventfs_set_ei_status_free(): forget the dying dentry. A removed directory's ei is freed
   * here, when its dentry goes.
   */
  *eventfsSetEiStatusFree(ctx: Ctx, dentry: Dentry): KOp<void> {
    yield* this.mutex.lock(ctx.task, 'eventfs_set_ei_status_free');
    try {
      const ei = fsdataEi(dentry);
      if (ei === null) return;
      if (ei.old.dentry !== dentry) {
        // This could belong to one of the files of the ei.
        const i = ei.old.dChildren.indexOf(dentry);
        if (i < 0) return; // WARN_ON_ONCE(i == ei->nr_entries)
        ei.old.dChildren[i] = null;
      } else if (ei.isFreed) {
        this.freeEi(ei, 'eventfs_set_ei_status_free');
      } else {
        ei.old.dentry = null;
      }
      dentry.fsdata = null;
    } finally {
      this.mutex.unlock(ctx.task, 'eventfs_set_ei_status_free');
    }
  }

  /** free_ei(): kfree the name, d_children, entry_attrs and the ei itself. */
  protected freeEi(ei: EventfsInode, site: string): void {
    ei.poison(site);
    this.live.delete(ei);
  }

  /** eventfs_create_events_dir() of that time also set ei->dentry. */
  override *createEventsDir(
    ctx: Ctx,
    name: string,
    parent: Dentry,
    entries: readonly EventfsEntry[],
    data: unknown,
  ): KOp<EventfsInode> {
    const ei = yield* super.createEventsDir(ctx, name, parent, entries, data);
    ei.old.dentry = ei.eventsDir;
    const d = ei.eventsDir!;
    // That code did not count the d_fsdata reference.
    ei.kref = 1;
    d.fsdata = ei;
    return ei;
  }

  /** unhook_dentry(): one reference for simple_recursive_removal(), one for eventfs_workfn(). */
  private unhookDentry(d: Dentry | null): void {
    if (d === null) return;
    const dcache = this.tracefs.sb.dcache;
    dcache.dget(d);
    dcache.dget(d);
  }

  /** eventfs_remove_rec(): mark freed, unhook the dentries, unlink; the free waits for SRCU. */
  private removeRecOld(ei: EventfsInode, level: number, removed: EventfsInode[]): void {
    if (level > 3) return;
    for (const child of [...ei.children]) this.removeRecOld(child, level + 1, removed);
    ei.isFreed = true;
    for (const d of ei.old.dChildren) this.unhookDentry(d);
    this.unhookDentry(ei.old.dentry);
    ei.unlink();
    removed.push(ei);
  }

  /** eventfs_remove_dir() of v6.7. */
  override *removeDir(ctx: Ctx, ei: EventfsInode): KOp<void> {
    const removed: EventfsInode[] = [];
    yield* this.mutex.lock(ctx.task, 'eventfs_remove_dir');
    let dentry: Dentry | null;
    try {
      dentry = ei.old.dentry;
      this.removeRecOld(ei, 0, removed);
    } finally {
      this.mutex.unlock(ctx.task, 'eventfs_remove_dir');
    }
    // If any of the ei children has a dentry, then the ei itself must have a dentry.
    if (dentry !== null) yield* this.simpleRecursiveRemoval(ctx, dentry);
    // call_srcu(&eventfs_srcu, &ei->rcu, free_rcu_ei): after every reader has left.
    yield {
      kind: 'block',
      site: 'call_srcu',
      what: 'eventfs_srcu grace period',
      on: null,
      ready: () => this.srcuReaders === 0,
    };
    for (const e of removed) yield* this.freeRcuEi(ctx, e);
  }

  /** free_rcu_ei() and eventfs_workfn(): drop the unhook references, or free the ei now. */
  private *freeRcuEi(ctx: Ctx, ei: EventfsInode): KOp<void> {
    const dentry = ei.old.dentry;
    if (dentry !== null) {
      yield step('eventfs_workfn', `dput dentries of '${ei.name}'`);
      const dcache = this.tracefs.sb.dcache;
      // This dput() matches the dget() from unhook_dentry().
      for (const d of ei.old.dChildren) if (d !== null) yield* dcache.dput(ctx, d);
      yield* dcache.dput(ctx, ei.old.dentry ?? dentry);
      return;
    }
    this.freeEi(ei, 'free_rcu_ei');
  }

  /**
   * simple_recursive_removal() (fs/libfs.c): for a filesystem where every positive dentry is
   * pinned, unhash each one deepest first and drop its pin.
   */
  protected *simpleRecursiveRemoval(ctx: Ctx, top: Dentry): KOp<void> {
    const dcache = this.tracefs.sb.dcache;
    const rec = function* (d: Dentry): KOp<void> {
      for (const child of [...dcache.hashedChildren(d)]) {
        if (child.inode !== null) yield* rec(child);
      }
      const inode = d.inode as TracefsInode | null;
      if (inode !== null) {
        inode.dead = (inode.mode & 0o170000) === 0o040000;
        inode.nlink = 0;
      }
      if (inode !== null && d.hashed) {
        yield step('simple_recursive_removal', `remove '${d.name}'`);
        yield* dcache.invalidate(ctx, d);
        // "unpin it"
        yield* dcache.dput(ctx, d);
      }
    };
    dcache.dget(top);
    yield* rec(top);
    yield* dcache.dput(ctx, top);
  }

  /** eventfs_remove_events_dir() of v6.7: remove, then the dput matching tracefs_start_creating(). */
  override *removeEventsDir(ctx: Ctx, ei: EventfsInode): KOp<void> {
    const dentry = ei.old.dentry;
    ei.eventsDir = null;
    yield* this.removeDir(ctx, ei);
    if (dentry !== null) {
      dentry.pinned = false;
      const parentInode = dentry.parent.inode;
      if (parentInode !== null) parentInode.nlink--;
      yield* this.tracefs.sb.dcache.dput(ctx, dentry);
    }
  }
}
