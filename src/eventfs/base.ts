/**
 * What every modelled eventfs implementation shares: the per-mount eventfs_mutex, the set of
 * live eventfs_inodes, kref get/put with release, saved-attribute bookkeeping, and the contract
 * the tracing layer (the producer side) uses: eventfs_create_events_dir, eventfs_create_dir,
 * eventfs_remove_dir, eventfs_remove_events_dir.
 */
import type { TracefsHooks, TracefsSuper } from '../tracefs/super';
import type { Dentry } from '../vfs/dentry';
import { violation } from '../vfs/errors';
import { Mutex, type KOp } from '../vfs/sched';
import type { Ctx, IAttr } from '../vfs/types';
import {
  EVENTFS_MODE_MASK,
  EVENTFS_SAVE_GID,
  EVENTFS_SAVE_MODE,
  EVENTFS_SAVE_UID,
  EventfsInode,
  type EventfsAttr,
  type EventfsEntry,
} from './eventfs-inode';

/** The producer API of eventfs (include/linux/tracefs.h). */
export interface EventfsProducer {
  /** eventfs_create_events_dir(): the pinned top `events` directory under a tracefs dentry. */
  createEventsDir(
    ctx: Ctx,
    name: string,
    parent: Dentry,
    entries: readonly EventfsEntry[],
    data: unknown,
  ): KOp<EventfsInode>;
  /** eventfs_create_dir(): metadata only; dentries appear on lookup. null if the parent is gone. */
  createDir(
    ctx: Ctx,
    name: string,
    parent: EventfsInode,
    entries: readonly EventfsEntry[],
    data: unknown,
  ): KOp<EventfsInode | null>;
  /** eventfs_remove_dir(). */
  removeDir(ctx: Ctx, ei: EventfsInode): KOp<void>;
  /** eventfs_remove_events_dir(). */
  removeEventsDir(ctx: Ctx, ei: EventfsInode): KOp<void>;
}

/** One modelled eventfs implementation bound to one mount. */
export abstract class EventfsBase implements EventfsProducer {
  /** eventfs_mutex (a static in the kernel; one per mount here, so mounts never interfere). */
  readonly mutex = new Mutex('eventfs_mutex');
  /** Every eventfs_inode allocated and not yet freed. */
  readonly live = new Set<EventfsInode>();
  #tracefs: TracefsSuper | null = null;

  /** The tracefs hooks this implementation installs (dentry ops, inode allocation policy). */
  abstract readonly hooks: TracefsHooks;

  /**
   * Whether this code counts dentry references in ei->kref (the thread's patch 0005 on). The
   * invariant checker only holds kref-based code to the kref invariant.
   */
  get refcounted(): boolean {
    return true;
  }

  /** Bind to the superblock once it exists. */
  attach(tracefs: TracefsSuper): void {
    this.#tracefs = tracefs;
  }

  get tracefs(): TracefsSuper {
    if (this.#tracefs === null) throw new Error('eventfs is not attached to a tracefs mount');
    return this.#tracefs;
  }

  /** alloc_ei() / alloc_root_ei(): kzalloc + kref_init. */
  protected allocEi(
    name: string,
    entries: readonly EventfsEntry[],
    data: unknown,
    isEvents: boolean,
  ): EventfsInode {
    this.tracefs.sb.faults.check('eventfs_inode');
    const ei = new EventfsInode(name, entries, data, isEvents);
    this.live.add(ei);
    return ei;
  }

  /** get_ei(): kref_get. A reference on a freed ei is a use-after-free caught by the poison. */
  getEi(ei: EventfsInode | null): EventfsInode | null {
    if (ei === null) return null;
    const k = ei.kref;
    if (k <= 0)
      violation(
        'refcount',
        'kref_get',
        `refcount_t: addition on 0; use-after-free of ${ei.describe()}`,
      );
    ei.kref = k + 1;
    return ei;
  }

  /** put_ei(): kref_put, and release_ei() on the last reference. */
  putEi(ei: EventfsInode | null, site: string): void {
    if (ei === null) return;
    const k = ei.kref;
    if (k <= 0)
      violation('refcount', site, `refcount_t: underflow; use-after-free of ${ei.describe()}`);
    ei.kref = k - 1;
    if (k === 1) this.releaseEi(ei, site);
  }

  /** release_ei(): entry release callbacks, then free (after RCU in the kernel). */
  protected releaseEi(ei: EventfsInode, site: string): void {
    for (const entry of ei.entries) entry.release?.(entry.name, ei.data);
    ei.poison(site);
    this.live.delete(ei);
  }

  abstract createEventsDir(
    ctx: Ctx,
    name: string,
    parent: Dentry,
    entries: readonly EventfsEntry[],
    data: unknown,
  ): KOp<EventfsInode>;
  abstract createDir(
    ctx: Ctx,
    name: string,
    parent: EventfsInode,
    entries: readonly EventfsEntry[],
    data: unknown,
  ): KOp<EventfsInode | null>;
  abstract removeDir(ctx: Ctx, ei: EventfsInode): KOp<void>;
  abstract removeEventsDir(ctx: Ctx, ei: EventfsInode): KOp<void>;
}

/** update_attr(): remember what chmod/chown set, so a re-created inode gets it back. */
export function updateAttr(attr: EventfsAttr, iattr: IAttr): void {
  if (iattr.mode !== undefined) {
    attr.mode =
      (attr.mode & ~EVENTFS_MODE_MASK) | (iattr.mode & EVENTFS_MODE_MASK) | EVENTFS_SAVE_MODE;
  }
  if (iattr.uid !== undefined && iattr.uid !== -1) {
    attr.mode |= EVENTFS_SAVE_UID;
    attr.uid = iattr.uid;
  }
  if (iattr.gid !== undefined && iattr.gid !== -1) {
    attr.mode |= EVENTFS_SAVE_GID;
    attr.gid = iattr.gid;
  }
}

/** eventfs_remount(): a remount with uid=/gid= forgets what chown saved. */
export function eventfsRemount(
  ei: EventfsInode | null,
  updateUid: boolean,
  updateGid: boolean,
): void {
  if (ei === null || !(ei instanceof EventfsInode)) return;
  if (updateUid) ei.attr.mode &= ~EVENTFS_SAVE_UID;
  if (updateGid) ei.attr.mode &= ~EVENTFS_SAVE_GID;
  for (const a of ei.entryAttrs ?? []) {
    if (updateUid) a.mode &= ~EVENTFS_SAVE_UID;
    if (updateGid) a.mode &= ~EVENTFS_SAVE_GID;
  }
}
