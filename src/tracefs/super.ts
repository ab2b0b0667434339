/**
 * The tracefs superblock (fs/tracefs/inode.c): mount options uid=, gid=, mode= (default 0700),
 * remount, the root directory, and the list of live tracefs inodes that a remount with uid=/gid=
 * walks to reset saved ownership (tracefs_apply_options).
 */
import type { Dentry } from '../vfs/dentry';
import { SuperBlock } from '../vfs/super';
import { S_IALLUGO, S_IFDIR, type DentryOperations } from '../vfs/types';
import { dcacheReaddirOps, simpleDirInodeOps } from './files';
import {
  TRACEFS_EVENT_INODE,
  TRACEFS_GID_PERM_SET,
  TRACEFS_UID_PERM_SET,
  tracefsAllocator,
  type TracefsAllocPolicy,
  type TracefsInode,
} from './inode';

/** TRACEFS_DEFAULT_MODE. */
export const TRACEFS_DEFAULT_MODE = 0o700;

/** Mount options (tracefs_fs_info); absent ones keep their defaults (or, on remount, their values). */
export interface MountOptions {
  readonly uid?: number;
  readonly gid?: number;
  readonly mode?: number;
}

/** What eventfs contributes to the superblock it lives in (it is compiled into tracefs). */
export interface TracefsHooks {
  /** tracefs_dentry_operations of the eventfs code being modelled. */
  readonly dentryOps: DentryOperations;
  /** What tracefs_alloc_inode() leaves in the tracefs part of an inode. */
  readonly allocPolicy: TracefsAllocPolicy;
  /** eventfs_remount(): clear the saved ownership an eventfs inode carries. */
  readonly remount?: (ti: TracefsInode, updateUid: boolean, updateGid: boolean) => void;
}

export class TracefsSuper {
  readonly sb: SuperBlock<TracefsInode>;
  readonly root: Dentry;
  #uid = 0;
  #gid = 0;
  #mode = TRACEFS_DEFAULT_MODE;

  constructor(
    readonly hooks: TracefsHooks,
    options: MountOptions = {},
  ) {
    this.sb = new SuperBlock<TracefsInode>(tracefsAllocator(hooks.allocPolicy), hooks.dentryOps);
    // simple_fill_super(): the root inode with simple_dir_inode_operations.
    const inode = this.sb.newInode();
    inode.ino = this.sb.inodes.nextIno();
    inode.mode = S_IFDIR | 0o755;
    inode.nlink = 2;
    inode.iop = simpleDirInodeOps;
    inode.fop = dcacheReaddirOps;
    this.root = this.sb.dcache.makeRoot(inode);
    this.sb.root = this.root;
    this.apply(options, false);
  }

  /** The mount's current options. */
  get options(): Required<MountOptions> {
    return { uid: this.#uid, gid: this.#gid, mode: this.#mode };
  }

  /** The root inode. */
  get rootInode(): TracefsInode {
    return this.root.inode as TracefsInode;
  }

  /** mount -o remount,uid=...,gid=...,mode=... */
  remount(options: MountOptions): void {
    this.apply(options, true);
  }

  /**
   * tracefs_apply_options(): on remount only what was given changes; a uid=/gid= also clears
   * every inode's saved ownership so the whole tree follows the mount again.
   */
  private apply(o: MountOptions, remount: boolean): void {
    if (o.mode !== undefined) this.#mode = o.mode & S_IALLUGO;
    if (o.uid !== undefined) this.#uid = o.uid;
    if (o.gid !== undefined) this.#gid = o.gid;
    const root = this.rootInode;
    if (!remount || o.mode !== undefined) root.mode = (root.mode & ~S_IALLUGO) | this.#mode;
    if (!remount || o.uid !== undefined) root.uid = this.#uid;
    if (!remount || o.gid !== undefined) root.gid = this.#gid;
    if (!remount) return;
    const updateUid = o.uid !== undefined;
    const updateGid = o.gid !== undefined;
    if (!updateUid && !updateGid) return;
    for (const d of this.sb.dcache.live) {
      const ti = d.inode as TracefsInode | null;
      if (ti === null || d.isRoot) continue;
      if (updateUid) {
        ti.flags &= ~TRACEFS_UID_PERM_SET;
        ti.uid = this.#uid;
      }
      if (updateGid) {
        ti.flags &= ~TRACEFS_GID_PERM_SET;
        ti.gid = this.#gid;
      }
      if ((ti.flags & TRACEFS_EVENT_INODE) !== 0) this.hooks.remount?.(ti, updateUid, updateGid);
    }
  }
}
