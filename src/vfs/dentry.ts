/**
 * struct dentry: a cached (parent, name) -> inode binding, or -> nothing (a negative dentry).
 * Each dentry holds a reference on its parent. `dU` models the d_u union: a dentry under
 * lookup is on the in-lookup hash, a positive one is on its inode's alias list, and
 * d_instantiate() insists the union is free (fs/dcache.c).
 */
import { Poisonable } from './poison';
import type { Inode } from './inode';
import type { SuperBlock } from './super';
import type { DentryOperations } from './types';

/** Which member of the d_u union is in use. */
export type DentryUnion = 'free' | 'alias' | 'in-lookup';

export class Dentry extends Poisonable {
  #inode: Inode | null = null;
  #count = 1;
  #fsdata: unknown = null;
  #parent: Dentry;
  /** On its parent's hash chain: d_lookup() finds it. */
  hashed = false;
  /** d_u: alias list membership vs in-lookup hash. */
  dU: DentryUnion = 'free';
  /** On the superblock's LRU of unused dentries. */
  onLru = false;
  /** __dentry_kill() has called ->d_release: what d_fsdata held is no longer referenced. */
  released = false;
  /** Its creator keeps a reference until it removes it (tracefs/debugfs style files). */
  pinned = false;
  /** Children, hashed or not (d_children/d_subdirs). */
  readonly subdirs = new Set<Dentry>();
  /** Creation serial, for reports and stable ordering. */
  readonly serial: number;

  constructor(
    readonly name: string,
    parent: Dentry | null,
    readonly sb: SuperBlock,
    readonly op: DentryOperations | null,
    serial: number,
  ) {
    super();
    this.#parent = parent ?? this;
    this.serial = serial;
  }

  describe(): string {
    return `dentry '${this.name}'`;
  }

  /** True for the root of its superblock (IS_ROOT). */
  get isRoot(): boolean {
    this.check('d_parent');
    return this.#parent === this;
  }

  get parent(): Dentry {
    this.check('d_parent');
    return this.#parent;
  }

  /** d_inode: null for a negative dentry. */
  get inode(): Inode | null {
    this.check('d_inode');
    return this.#inode;
  }
  set inode(v: Inode | null) {
    this.check('d_inode');
    this.#inode = v;
  }

  /** d_fsdata: the filesystem's pointer (eventfs: an eventfs_inode). */
  get fsdata(): unknown {
    this.check('d_fsdata');
    return this.#fsdata;
  }
  set fsdata(v: unknown) {
    this.check('d_fsdata');
    this.#fsdata = v;
  }

  /** d_lockref.count. */
  get count(): number {
    this.check('d_lockref.count');
    return this.#count;
  }
  set count(v: number) {
    this.check('d_lockref.count');
    this.#count = v;
  }

  /** A negative dentry: a cached "no such name". */
  get isNegative(): boolean {
    return this.inode === null;
  }

  /** The path from the root, for reports. */
  path(): string {
    const parts: string[] = [];
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walking up from here
    let d: Dentry = this;
    // A freed ancestor would be a model bug, not a kernel one: read raw names only.
    while (!d.isRoot) {
      parts.push(d.name);
      d = d.parent;
    }
    return parts.reverse().join('/');
  }
}
