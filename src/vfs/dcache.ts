/**
 * The dentry cache of one superblock (fs/dcache.c): allocation, the (parent, name) hash,
 * d_alloc_parallel's in-lookup hash, d_add vs d_instantiate, dget/dput with the LRU of unused
 * dentries, d_invalidate, and the shrinker. Killing a dentry is split into the steps
 * __dentry_kill() takes (unhash, d_iput, d_release, free) so other CPUs can run between them.
 */
import { violation } from './errors';
import { Dentry } from './dentry';
import type { Inode } from './inode';
import { step, type KOp } from './sched';
import type { SuperBlock } from './super';
import type { Ctx } from './types';

export class Dcache {
  /** Every dentry not yet freed. */
  readonly live = new Set<Dentry>();
  /** Unused, hashed dentries kept for reuse, oldest first. */
  readonly lru = new Set<Dentry>();
  /** d_alloc_parallel's in-lookup hash: (parent, name) -> dentry under ->lookup. */
  private readonly inLookup = new Map<Dentry, Map<string, Dentry>>();
  /** Dentries that __dentry_kill() has started on (lockref marked dead). */
  readonly dying = new Set<Dentry>();
  /** Hash chains: (parent, name) -> hashed child. */
  private readonly hash = new Map<Dentry, Map<string, Dentry>>();
  #serial = 0;

  constructor(private readonly sb: SuperBlock) {}

  /** d_make_root(). */
  makeRoot(inode: Inode): Dentry {
    const d = new Dentry('/', null, this.sb, this.sb.dentryOps, ++this.#serial);
    this.live.add(d);
    d.inode = inode;
    d.dU = 'alias';
    d.hashed = true; // IS_ROOT dentries count as hashed for lookups through them
    return d;
  }

  /** d_alloc(): a new unhashed negative dentry holding a reference on its parent. */
  alloc(parent: Dentry, name: string): Dentry {
    this.sb.faults.check('dentry');
    const d = new Dentry(name, parent, this.sb, this.sb.dentryOps, ++this.#serial);
    this.dget(parent);
    parent.subdirs.add(d);
    this.live.add(d);
    return d;
  }

  /** __d_lookup(): the hashed child of that name, with a new reference, or null. */
  lookup(parent: Dentry, name: string): Dentry | null {
    const d = this.hash.get(parent)?.get(name);
    if (d === undefined) return null;
    return this.dget(d);
  }

  /** The hashed child without taking a reference (for checks that must not perturb counts). */
  peek(parent: Dentry, name: string): Dentry | undefined {
    return this.hash.get(parent)?.get(name);
  }

  /** Hashed children of a directory dentry. */
  hashedChildren(parent: Dentry): Iterable<Dentry> {
    return this.hash.get(parent)?.values() ?? [];
  }

  /** dget(). Like lockref_get(), it does not look at whether the dentry is dying. */
  dget(d: Dentry): Dentry {
    d.count = d.count + 1;
    if (d.onLru) {
      this.lru.delete(d);
      d.onLru = false;
    }
    return d;
  }

  /**
   * d_alloc_parallel(): find the hashed dentry, or wait for a lookup of the same name already in
   * progress, or allocate a new dentry in-lookup for the caller to pass to ->lookup.
   */
  *allocParallel(ctx: Ctx, parent: Dentry, name: string): KOp<{ dentry: Dentry; fresh: boolean }> {
    for (;;) {
      const hit = this.lookup(parent, name);
      if (hit !== null) return { dentry: hit, fresh: false };
      const pending = this.inLookup.get(parent)?.get(name);
      if (pending !== undefined) {
        this.dget(pending);
        // d_wait_lookup(): sleep until the other lookup calls d_lookup_done()/d_add().
        yield {
          kind: 'block',
          site: 'd_alloc_parallel',
          what: `d_wait_lookup('${name}')`,
          on: null,
          ready: () => pending.dU !== 'in-lookup',
        };
        if (pending.hashed) return { dentry: pending, fresh: false };
        // The other lookup failed and left it unhashed: retry from the start.
        yield* this.dput(ctx, pending);
        continue;
      }
      const d = this.alloc(parent, name);
      d.dU = 'in-lookup';
      let chain = this.inLookup.get(parent);
      if (chain === undefined) this.inLookup.set(parent, (chain = new Map<string, Dentry>()));
      chain.set(name, d);
      return { dentry: d, fresh: true };
    }
  }

  /** d_lookup_done(): take a dentry off the in-lookup hash, waking waiters. */
  lookupDone(d: Dentry): void {
    if (d.dU !== 'in-lookup') return;
    this.endInLookup(d);
    d.dU = 'free';
  }

  private endInLookup(d: Dentry): void {
    const chain = this.inLookup.get(d.parent);
    if (chain?.get(d.name) === d) {
      chain.delete(d.name);
      if (chain.size === 0) this.inLookup.delete(d.parent);
    }
  }

  /** __d_rehash(). */
  private rehash(d: Dentry, site: string): void {
    if (d.hashed) violation('bug', site, `${site}: ${d.describe()} is already hashed`);
    const parent = d.parent;
    let chain = this.hash.get(parent);
    if (chain === undefined) this.hash.set(parent, (chain = new Map<string, Dentry>()));
    const other = chain.get(d.name);
    if (other !== undefined) {
      violation('bug', site, `${site}: two hashed dentries for '${d.path()}'`);
    }
    chain.set(d.name, d);
    d.hashed = true;
  }

  /** __d_drop(): unhash; the dentry stays alive for those holding references. */
  drop(d: Dentry): void {
    if (!d.hashed || d.isRoot) return;
    const chain = this.hash.get(d.parent);
    if (chain?.get(d.name) === d) {
      chain.delete(d.name);
      if (chain.size === 0) this.hash.delete(d.parent);
    }
    d.hashed = false;
  }

  /**
   * d_add(): what ->lookup does with the dentry it was given: attach the inode (or NULL for a
   * negative entry), end the in-lookup state and hash it: from here on every lookup sees it.
   */
  add(d: Dentry, inode: Inode | null): void {
    if (d.dU === 'in-lookup') {
      this.endInLookup(d);
      d.dU = 'free';
    }
    if (inode !== null) {
      d.inode = inode;
      d.dU = 'alias';
    }
    this.rehash(d, 'd_add');
  }

  /**
   * d_instantiate(): turn an existing negative dentry positive. The d_u union must be free:
   * `BUG_ON(!hlist_unhashed(&entry->d_u.d_alias))` fires for a dentry that already has an
   * inode *or is still on the in-lookup hash* (the union's other member).
   */
  instantiate(d: Dentry, inode: Inode): void {
    if (d.dU !== 'free') {
      violation(
        'bug',
        'd_instantiate',
        `kernel BUG at fs/dcache.c: d_instantiate: BUG_ON(!hlist_unhashed(&entry->d_u.d_alias)) for ${d.describe()} (${d.dU === 'in-lookup' ? 'still on the in-lookup hash' : 'already has an inode'})`,
      );
    }
    d.inode = inode;
    d.dU = 'alias';
  }

  /**
   * dput(): drop a reference. The last one either keeps the dentry on the LRU (hashed and the
   * filesystem does not object through d_delete) or kills it now.
   */
  *dput(ctx: Ctx, d: Dentry): KOp<void> {
    if (this.dputFast(d)) return;
    const c = d.count;
    if (c <= 0 && !this.dying.has(d)) {
      violation('refcount', 'dput', `dput of ${d.describe()} with d_count ${c}`);
    }
    d.count = c - 1;
    if (c > 1 || this.dying.has(d) || d.isRoot) return;
    if (this.retain(d)) return;
    let victim: Dentry | null = d;
    while (victim !== null) victim = yield* this.kill(ctx, victim);
  }

  /**
   * fast_dput(): drop a reference that is not the last one, or the last one of a dentry that
   * stays cached, without starting the kill path. Returns false when dput() must do the rest
   * (nothing has changed then). Hot paths call it before paying for dput()'s generator.
   */
  dputFast(d: Dentry): boolean {
    const c = d.count;
    if (c > 1) {
      d.count = c - 1;
      return true;
    }
    return false;
  }

  /** retain_dentry(): an unused hashed dentry stays cached unless d_delete says otherwise. */
  private retain(d: Dentry): boolean {
    if (!d.hashed || (d.op?.delete?.(d) ?? false)) return false;
    this.lru.add(d);
    d.onLru = true;
    return true;
  }

  /**
   * __dentry_kill(): unhash, drop the inode (d_iput), d_release, free; then the reference it held
   * on its parent. Returns the parent when that was its last reference and it should die too
   * (the caller decides: dput keeps hashed parents on the LRU, the shrinker kills them).
   */
  *kill(ctx: Ctx, d: Dentry): KOp<Dentry | null> {
    this.dying.add(d);
    this.drop(d);
    if (d.onLru) {
      this.lru.delete(d);
      d.onLru = false;
    }
    const inode = d.inode;
    if (inode !== null) {
      yield step('dentry_unlink_inode', `d_iput('${d.name}')`);
      d.inode = null;
      d.dU = 'free';
      if (d.op?.iput !== undefined) yield* d.op.iput(ctx, d, inode);
      else this.sb.inodes.iput(inode, 'dentry_unlink_inode');
    }
    if (d.op?.release !== undefined) {
      yield step('__dentry_kill', `d_release('${d.name}')`);
      yield* d.op.release(ctx, d);
    }
    d.released = true;
    yield step('dentry_free', `free dentry '${d.name}'`);
    const parent = d.parent;
    parent.subdirs.delete(d);
    this.dying.delete(d);
    this.live.delete(d);
    d.poison('dentry_free');
    // The reference d held on its parent.
    const pc = parent.count;
    if (pc <= 0)
      violation('refcount', '__dentry_kill', `parent ${parent.describe()} has d_count ${pc}`);
    parent.count = pc - 1;
    if (pc > 1 || parent.isRoot || this.dying.has(parent)) return null;
    return this.retain(parent) ? null : parent;
  }

  /**
   * d_invalidate(): unhash a dentry so no new lookup finds it, and prune its unused
   * descendants (shrink_dcache_parent). Holders of references keep their (now stale) dentry.
   */
  *invalidate(ctx: Ctx, d: Dentry): KOp<void> {
    if (!d.hashed) return;
    this.drop(d);
    yield* this.shrinkParent(ctx, d);
  }

  /** shrink_dcache_parent(): kill every unused dentry below `d`, deepest first. */
  *shrinkParent(ctx: Ctx, d: Dentry): KOp<number> {
    let n = 0;
    for (const child of [...d.subdirs]) {
      if (child.isPoisoned || this.dying.has(child)) continue;
      n += yield* this.shrinkParent(ctx, child);
      if (!child.isPoisoned && child.count === 0 && !this.dying.has(child)) {
        yield* this.kill(ctx, child);
        n++;
      }
    }
    return n;
  }

  /**
   * The shrinker under memory pressure (prune_dcache_sb + shrink_dentry_list): kill every
   * unused dentry on the LRU, and parents whose last user that was. Returns how many died.
   */
  *shrink(ctx: Ctx, limit = Infinity): KOp<number> {
    let n = 0;
    // Parents whose last child died land on the LRU behind us: go round until nothing is left.
    for (let progress = true; progress && n < limit;) {
      progress = false;
      for (const d of [...this.lru]) {
        if (n >= limit) break;
        // Another CPU may have grabbed it since (lock_for_kill() re-checks the count).
        if (!d.onLru || d.isPoisoned || d.count !== 0) continue;
        let victim: Dentry | null = d;
        while (victim !== null) {
          victim = yield* this.kill(ctx, victim);
          n++;
        }
        progress = true;
      }
    }
    return n;
  }

  /** Live dentries, and how many of them are negative. */
  counts(): { dentries: number; negative: number } {
    let negative = 0;
    for (const d of this.live) if (d.inode === null) negative++;
    return { dentries: this.live.size, negative };
  }
}
