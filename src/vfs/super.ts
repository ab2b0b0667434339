/**
 * struct super_block, reduced to what a pseudo filesystem needs: its dentry cache, its inode
 * table, the default dentry operations (s_d_op), the root, and the filesystem's private info.
 */
import { Dcache } from './dcache';
import type { Dentry } from './dentry';
import { InodeTable, type Inode, type InodeAllocator } from './inode';
import type { DentryOperations } from './types';
import { FaultInjector } from './faults';

export class SuperBlock<I extends Inode = Inode> {
  readonly dcache: Dcache;
  readonly inodes: InodeTable<I>;
  /** s_root: pinned for the life of the mount. */
  root!: Dentry;
  /** Allocation failures to inject (none unless a test sets a policy). */
  readonly faults = new FaultInjector();

  constructor(
    allocator: InodeAllocator<I>,
    /** s_d_op: every dentry of this superblock gets these. */
    readonly dentryOps: DentryOperations | null,
  ) {
    this.inodes = new InodeTable(allocator);
    this.dcache = new Dcache(this);
  }

  /** new_inode(). */
  newInode(): I {
    return this.inodes.newInode(this);
  }
}
