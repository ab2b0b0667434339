/**
 * struct eventfs_inode (fs/tracefs/internal.h): the metadata eventfs keeps instead of
 * dentries and inodes: name, children, the entries (files) with their callbacks, saved
 * attributes that survive dentry eviction, the directory's stable inode number, `is_freed`,
 * and (from the thread's fix on) a kref counting the dentries that point at it.
 */
import type { Dentry } from '../vfs/dentry';
import type { Inode } from '../vfs/inode';
import { Poisonable } from '../vfs/poison';
import type { FileOperations } from '../vfs/types';

/** Upper bits of eventfs_attr.mode say which parts the user set (chmod/chown). */
export const EVENTFS_SAVE_MODE = 1 << 16;
export const EVENTFS_SAVE_UID = 1 << 17;
export const EVENTFS_SAVE_GID = 1 << 18;
export const EVENTFS_MODE_MASK = EVENTFS_SAVE_MODE - 1;

/** Every eventfs file reports this inode number (EVENTFS_FILE_INODE_INO). */
export const EVENTFS_FILE_INODE_INO = 0x12c4e37;

/** struct eventfs_attr: saved mode/ownership plus the EVENTFS_SAVE_* flags. */
export interface EventfsAttr {
  mode: number;
  uid: number;
  gid: number;
}

/** What an entry's callback says about its file: shown with this mode, data and fops. */
export interface EventfsFileSpec {
  readonly mode: number;
  /** i_private for the file's open(); defaults to the directory's data. */
  readonly data?: unknown;
  readonly fops: FileOperations;
}

/**
 * struct eventfs_entry: a file name and the callback eventfs asks, at lookup and readdir
 * time, whether (and how) the file exists. null hides it (the kernel's callback <= 0).
 */
export interface EventfsEntry {
  readonly name: string;
  readonly callback: (name: string, data: unknown) => EventfsFileSpec | null;
  /** Called when the eventfs_inode is finally released (entry->release). */
  readonly release?: (name: string, data: unknown) => void;
}

/** Fields only some of the modelled implementations have. */
export interface HistoricalFields {
  /** 852e46e239: ei->dentry, a back-pointer holding no reference. */
  dentry: Dentry | null;
  /** 852e46e239: ei->d_children[], back-pointers to the files' dentries, no references. */
  dChildren: (Dentry | null)[];
}

/** The children list of an ei that has none (most: every event directory). */
const NO_CHILDREN: EventfsInode[] = [];

export class EventfsInode extends Poisonable {
  #isFreed = false;
  #kref = 1;
  #children: EventfsInode[] = NO_CHILDREN;
  #parent: EventfsInode | null = null;
  #old: HistoricalFields | null = null;
  #attr: EventfsAttr | null = null;
  #entryAttrs: EventfsAttr[] | null = null;
  #ino = 0;
  /** eventfs_root_inode: the pinned `events` dentry. */
  eventsDir: Dentry | null = null;
  /** eventfs_root_inode: the inode whose ownership `events` follows. */
  parentInode: Inode | null = null;

  constructor(
    readonly name: string,
    readonly entries: readonly EventfsEntry[],
    readonly data: unknown,
    readonly isEvents: boolean,
  ) {
    super();
  }

  /** Back-pointers of the historical code (made on first use: the fixed code has none). */
  get old(): HistoricalFields {
    this.#old ??= { dentry: null, dChildren: this.entries.map(() => null) };
    return this.#old;
  }

  /** list_add_tail(&ei->list, &parent->children). */
  linkTo(parent: EventfsInode): void {
    if (parent.#children === NO_CHILDREN) parent.#children = [];
    parent.#children.push(this);
    this.#parent = parent;
  }

  /** list_del(&ei->list). */
  unlink(): void {
    const p = this.#parent;
    if (p === null) return;
    const i = p.#children.indexOf(this);
    if (i >= 0) p.#children.splice(i, 1);
    this.#parent = null;
  }

  /** Whether the ei is on its parent's list (list_empty(&ei->list) is false). */
  get linked(): boolean {
    return this.#parent !== null;
  }

  describe(): string {
    return `eventfs_inode '${this.name}'`;
  }

  /** ei->is_freed: removed from eventfs (set under eventfs_mutex). */
  get isFreed(): boolean {
    this.check('is_freed');
    return this.#isFreed;
  }
  set isFreed(v: boolean) {
    this.check('is_freed');
    this.#isFreed = v;
  }

  /** ei->kref.refcount. */
  get kref(): number {
    this.check('kref');
    return this.#kref;
  }
  set kref(v: number) {
    this.check('kref');
    this.#kref = v;
  }

  /** ei->children. */
  get children(): readonly EventfsInode[] {
    this.check('children');
    return this.#children;
  }

  /** ei->attr. */
  get attr(): EventfsAttr {
    this.check('attr');
    // kzalloc'ed with the ei; made on first use here, since most eis are never looked at.
    this.#attr ??= { mode: 0, uid: 0, gid: 0 };
    return this.#attr;
  }

  /** ei->entry_attrs, allocated on the first chmod/chown of a file. */
  get entryAttrs(): EventfsAttr[] | null {
    this.check('entry_attrs');
    return this.#entryAttrs;
  }
  set entryAttrs(v: EventfsAttr[] | null) {
    this.check('entry_attrs');
    this.#entryAttrs = v;
  }

  /** ei->ino: the directory's inode number, assigned on first use. */
  get ino(): number {
    this.check('ino');
    return this.#ino;
  }
  set ino(v: number) {
    this.check('ino');
    this.#ino = v;
  }
}
