/**
 * struct tracefs_inode (fs/tracefs/internal.h): the VFS inode with tracefs's `flags` and
 * `private` in front of it. `private` is the instance/root inode for plain tracefs inodes and
 * the eventfs_inode for eventfs directories. Whether those two fields are initialised when an
 * inode comes out of the slab depends on the code being modelled: that is the robot's oops.
 */
import { Inode, type InodeAllocator } from '../vfs/inode';
import { readInit, UNINIT, type MaybeUninit } from '../vfs/poison';

export const TRACEFS_EVENT_INODE = 1 << 1;
export const TRACEFS_GID_PERM_SET = 1 << 2;
export const TRACEFS_UID_PERM_SET = 1 << 3;
export const TRACEFS_INSTANCE_INODE = 1 << 4;

export class TracefsInode extends Inode {
  #flags: MaybeUninit<number> = UNINIT;
  #tiPrivate: MaybeUninit<unknown> = UNINIT;

  /** ti->flags. */
  get flags(): number {
    this.check('ti->flags');
    return readInit(this.#flags, 'ti->flags');
  }
  set flags(v: number) {
    this.check('ti->flags');
    this.#flags = v;
  }

  /** ti->private: an eventfs_inode (eventfs directories) or the owning instance's inode. */
  get tiPrivate(): unknown {
    this.check('ti->private');
    return readInit(this.#tiPrivate, 'ti->private');
  }
  set tiPrivate(v: unknown) {
    this.check('ti->private');
    this.#tiPrivate = v;
  }

  /** For checkers: are both tracefs fields initialised? (reads no poison) */
  get tracefsPartInitialised(): boolean {
    return this.#flags !== UNINIT && this.#tiPrivate !== UNINIT;
  }

  /** For checkers: ti->flags without the uninitialised-read report (undefined if UNINIT). */
  peekFlags(): number | undefined {
    return this.#flags === UNINIT ? undefined : this.#flags;
  }

  /** For checkers: ti->private without the uninitialised-read report (undefined if UNINIT). */
  peekTiPrivate(): unknown {
    return this.#tiPrivate === UNINIT ? undefined : this.#tiPrivate;
  }

  override forgetReferences(): void {
    super.forgetReferences();
    // What the slab will hand out again is garbage anyway (scrub() on reuse).
    this.#tiPrivate = UNINIT;
  }

  /** The slab handed this memory out again: what it held is garbage now (KMSAN's view). */
  scrub(): void {
    this.#flags = UNINIT;
    this.#tiPrivate = UNINIT;
  }

  /** memset_after(ti, 0, vfs_inode). */
  zeroTracefsPart(): void {
    this.#flags = 0;
    this.#tiPrivate = null;
  }
}

/** How tracefs_alloc_inode() treats the tracefs part of a new inode. */
export type TracefsAllocPolicy =
  /** v6.8+: zeroed by the slab constructor (init_once) and by tracefs_alloc_inode. */
  | 'zeroed'
  /** v6.7 (852e46e239): `ti->flags = 0` only; `ti->private` is whatever the slab held. */
  | 'flags-only';

/** super_operations.alloc_inode for tracefs, under a given allocation policy. */
export function tracefsAllocator(policy: TracefsAllocPolicy): InodeAllocator<TracefsInode> {
  return {
    create: (sb) => new TracefsInode(sb),
    scrub: (inode) => {
      inode.scrub();
    },
    init: (inode) => {
      if (policy === 'zeroed') inode.zeroTracefsPart();
      else inode.flags = 0;
    },
  };
}

/** get_tracefs(): the container of a VFS inode of a tracefs superblock. */
export function getTracefs(inode: Inode): TracefsInode {
  if (!(inode instanceof TracefsInode)) throw new TypeError('not a tracefs inode');
  return inode;
}
