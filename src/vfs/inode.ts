/**
 * struct inode and the inode table of one superblock: allocation from a slab that recycles
 * memory without zeroing it (the filesystem's own fields stay garbage until written), inode
 * numbers from get_next_ino(), iget/iput and eviction (fs/inode.c).
 */
import { violation } from './errors';
import { Poisonable, UNINIT } from './poison';
import { RwSem } from './sched';
import type { FileOperations, InodeOperations } from './types';
import type { SuperBlock } from './super';

const NO_IOPS: InodeOperations = Object.freeze({});
const NO_FOPS: FileOperations = Object.freeze({});

/** struct inode. Subclassed by filesystems that embed it (tracefs_inode). */
export class Inode extends Poisonable {
  #ino = 0;
  #mode = 0;
  #uid = 0;
  #gid = 0;
  #nlink = 1;
  #size = 0;
  #count = 1;
  #iop: InodeOperations = NO_IOPS;
  #fop: FileOperations = NO_FOPS;
  #private: unknown = null;
  /** i_rwsem: taken shared around ->lookup, exclusive around mkdir/rmdir. */
  readonly lock: RwSem;
  /** Per-superblock serial, for reports. */
  serial = 0;
  /** S_DEAD: the directory was removed; lookups in it fail (IS_DEADDIR). */
  dead = false;

  constructor(readonly sb: SuperBlock) {
    super();
    this.lock = new RwSem('i_rwsem');
  }

  describe(): string {
    return `inode #${this.#ino}`;
  }

  /**
   * Drop what a freed inode still points at, so freed memory keeps nothing alive in the host
   * (an access after the free is caught by the poison before any of this is read).
   */
  forgetReferences(): void {
    this.#iop = NO_IOPS;
    this.#fop = NO_FOPS;
    this.#private = null;
  }

  /** inode_init_always(): everything the VFS owns is reset on every allocation. */
  initAlways(): void {
    this.unpoison();
    this.#ino = 0;
    this.#mode = 0;
    this.#uid = 0;
    this.#gid = 0;
    this.#nlink = 1;
    this.#size = 0;
    this.#count = 1;
    this.#iop = NO_IOPS;
    this.#fop = NO_FOPS;
    this.#private = null;
    this.dead = false;
  }

  get ino(): number {
    this.check('i_ino');
    return this.#ino;
  }
  set ino(v: number) {
    this.check('i_ino');
    this.#ino = v;
  }
  get mode(): number {
    this.check('i_mode');
    return this.#mode;
  }
  set mode(v: number) {
    this.check('i_mode');
    this.#mode = v;
  }
  get uid(): number {
    this.check('i_uid');
    return this.#uid;
  }
  set uid(v: number) {
    this.check('i_uid');
    this.#uid = v;
  }
  get gid(): number {
    this.check('i_gid');
    return this.#gid;
  }
  set gid(v: number) {
    this.check('i_gid');
    this.#gid = v;
  }
  get nlink(): number {
    this.check('i_nlink');
    return this.#nlink;
  }
  set nlink(v: number) {
    this.check('i_nlink');
    this.#nlink = v;
  }
  get size(): number {
    this.check('i_size');
    return this.#size;
  }
  set size(v: number) {
    this.check('i_size');
    this.#size = v;
  }
  get iop(): InodeOperations {
    this.check('i_op');
    return this.#iop;
  }
  set iop(v: InodeOperations) {
    this.check('i_op');
    this.#iop = v;
  }
  get fop(): FileOperations {
    this.check('i_fop');
    return this.#fop;
  }
  set fop(v: FileOperations) {
    this.check('i_fop');
    this.#fop = v;
  }
  /** i_private: the data a file's fops get at open(). */
  get private(): unknown {
    this.check('i_private');
    return this.#private;
  }
  set private(v: unknown) {
    this.check('i_private');
    this.#private = v;
  }
  /** i_count. */
  get count(): number {
    this.check('i_count');
    return this.#count;
  }
  set count(v: number) {
    this.check('i_count');
    this.#count = v;
  }
}

/** How a filesystem allocates its inodes (super_operations.alloc_inode/free_inode). */
export interface InodeAllocator<I extends Inode> {
  /** A brand-new object; its filesystem-private fields must start as UNINIT. */
  create(sb: SuperBlock): I;
  /**
   * The filesystem's own alloc_inode() work on a fresh or recycled object: what it does not set
   * keeps the slab's garbage.
   */
  init?(inode: I): void;
  /** Recycled memory: the filesystem-private fields go back to UNINIT (KMSAN's view of reuse). */
  scrub?(inode: I): void;
}

/** Objects freed lately are held back from reuse so stale pointers still hit the poison. */
const QUARANTINE = 64;

/**
 * The inodes of one superblock: a slab with a free list and a KASAN-style quarantine, and
 * get_next_ino().
 */
export class InodeTable<I extends Inode = Inode> {
  #live = 0;
  #nextIno: number;
  #serial = 0;
  readonly #free: I[] = [];
  readonly #quarantine: I[] = [];

  constructor(
    private readonly allocator: InodeAllocator<I>,
    firstIno = 1,
  ) {
    this.#nextIno = firstIno;
  }

  /** Live inodes. */
  get live(): number {
    return this.#live;
  }

  /** get_next_ino(): a fresh number for an inode that has no on-disk identity. */
  nextIno(): number {
    return this.#nextIno++;
  }

  /** new_inode(): allocate and init the VFS part; the rest is up to the filesystem. */
  newInode(sb: SuperBlock): I {
    sb.faults.check('inode');
    let inode = this.#free.pop();
    if (inode === undefined) inode = this.allocator.create(sb);
    else this.allocator.scrub?.(inode);
    inode.initAlways();
    inode.serial = ++this.#serial;
    this.allocator.init?.(inode);
    this.#live++;
    return inode;
  }

  /** ihold()/igrab(). */
  iget(inode: I): I {
    if (inode.count <= 0)
      violation('refcount', 'ihold', `ihold on ${inode.describe()} with i_count ${inode.count}`);
    inode.count++;
    return inode;
  }

  /**
   * iput(): the last reference evicts. These inodes are never in the inode hash, so
   * generic_drop_inode() always says drop: no unused-inode cache to model.
   */
  iput(inode: I, site: string): void {
    const c = inode.count;
    if (c <= 0) violation('refcount', site, `iput on ${inode.describe()} with i_count ${c}`);
    inode.count = c - 1;
    if (c === 1) this.evict(inode, site);
  }

  private evict(inode: I, site: string): void {
    inode.forgetReferences();
    inode.poison(site);
    this.#live--;
    this.#quarantine.push(inode);
    if (this.#quarantine.length > QUARANTINE) this.#free.push(this.#quarantine.shift()!);
  }
}

export { UNINIT };
