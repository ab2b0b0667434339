/**
 * The intermediate states of the thread, each a few lines away from the next:
 *
 * - `rfc-lookup`: Linus's 0004 "tracefs: dentry lookup crapectomy" as first posted: lookup holds
 *   eventfs_mutex throughout, but eventfs_find_events() still takes it again;
 * - `rfc-lookup-nolock`: that lock removed, but ->lookup still publishes with d_instantiate();
 * - `rfc-lookup-d_add`: d_add() instead; failed lookups still cache a negative dentry and the
 *   back-pointers / d_iput / SRCU lifetimes of v6.7 remain;
 * - `rfc-kref`: 0005 "eventfs: get rid of dentry pointers without refcounts" plus the
 *   ERR_PTR(-ENOENT) fix: krefs and no negative dentries, but no d_revalidate yet.
 */
import { fsErr } from '../../vfs/errors';
import type { Dentry } from '../../vfs/dentry';
import type { Inode } from '../../vfs/inode';
import { deref } from '../../vfs/oops';
import type { KOp } from '../../vfs/sched';
import type { Ctx, DentryOperations } from '../../vfs/types';
import type { TracefsInode } from '../../tracefs/inode';
import { getTracefs, TRACEFS_EVENT_INODE } from '../../tracefs/inode';
import { EventfsInode } from '../eventfs-inode';
import { EventfsFixed } from '../fixed';
import { EventfsOldLifetimes } from './old-lifetimes';

function fsdataEi(d: Dentry): EventfsInode | null {
  const v = d.fsdata;
  return v instanceof EventfsInode ? v : null;
}

/** 0004 with the d_add() fix: negative dentries for failed lookups, no d_revalidate. */
export class EventfsRfcLookupDAdd extends EventfsOldLifetimes {
  /** enoent: d_add(dentry, NULL): the failed lookup is cached as a negative dentry. */
  // eslint-disable-next-line require-yield
  protected override *lookupMiss(dentry: Dentry): KOp<Dentry | null> {
    this.tracefs.sb.dcache.add(dentry, null);
    return null;
  }

  /** Patch 3/4 set ti->private = NULL for files; keep it. */
  protected override initFileInode(inode: TracefsInode): void {
    inode.tiPrivate = null;
  }
}

/** 0004 with the eventfs_find_events() deadlock fixed, still publishing with d_instantiate(). */
export class EventfsRfcLookupNolock extends EventfsRfcLookupDAdd {
  /**
   * d_instantiate(dentry, inode): correct after simple_lookup() had d_add()-ed a negative; on
   * the dentry ->lookup is given it hits BUG_ON(!hlist_unhashed(&entry->d_u.d_alias)).
   */
  protected override publish(dentry: Dentry, inode: TracefsInode): void {
    this.tracefs.sb.dcache.instantiate(dentry, inode);
  }
}

/** 0004 as first posted: eventfs_find_events() takes the eventfs_mutex its caller holds. */
export class EventfsRfcLookup extends EventfsRfcLookupNolock {
  protected override *eventfsFindEvents(ctx: Ctx, dentry: Dentry): KOp<EventfsInode | null> {
    yield* this.mutex.lock(ctx.task, 'eventfs_find_events');
    try {
      let d = dentry;
      let ei: EventfsInode;
      do {
        // The parent is stable because we do not do renames ...
        d = d.parent;
        // ... and directories always have d_fsdata.
        ei = deref(fsdataEi(d), 'dentry->d_fsdata');
        if (ei.isFreed) return null;
      } while (!ei.isEvents);
      this.updateEventsAttr(ei);
      return ei;
    } finally {
      this.mutex.unlock(ctx.task, 'eventfs_find_events');
    }
  }
}

/** 0005 + ERR_PTR(-ENOENT): krefs, no negatives, cleanup from d_iput, no d_revalidate. */
export class EventfsRfcKref extends EventfsFixed {
  /** tracefs_dentry_operations: .d_iput only; nothing refuses a removed directory's dentry. */
  protected override dentryOperations(): DentryOperations {
    return { iput: (ctx, d, inode) => this.tracefsDentryIput(ctx, d, inode) };
  }

  /** tracefs_dentry_iput() -> eventfs_set_ei_status_free(): put the dentry's kref. */
  *tracefsDentryIput(ctx: Ctx, dentry: Dentry, inode: Inode): KOp<void> {
    const ti = getTracefs(inode);
    if ((ti.flags & TRACEFS_EVENT_INODE) !== 0) {
      yield* this.mutex.lock(ctx.task, 'eventfs_set_ei_status_free');
      try {
        const ei = fsdataEi(dentry);
        if (ei !== null) {
          dentry.fsdata = null;
          this.putEi(ei, 'eventfs_set_ei_status_free');
        }
      } finally {
        this.mutex.unlock(ctx.task, 'eventfs_set_ei_status_free');
      }
    }
    this.tracefs.sb.inodes.iput(ti, 'tracefs_dentry_iput');
  }

  /** "Don't cache negative lookups, just return an error." */
  // eslint-disable-next-line require-yield
  protected override *lookupMiss(_dentry: Dentry): KOp<Dentry | null> {
    throw fsErr('ENOENT');
  }
}
