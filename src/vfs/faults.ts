/**
 * Fault injection: allocations that can fail as kmalloc()/kmem_cache_alloc() can (returning
 * NULL, which the callers turn into -ENOMEM). One injector per superblock, so mounts never
 * affect each other. The point is to check the error paths: nothing half-published, nothing
 * leaked.
 */
import { fsErr } from './errors';

/** The allocations the model can fail. */
export type AllocSite = 'dentry' | 'inode' | 'eventfs_inode';

/** Decides whether the `n`-th allocation (1-based, per site) fails. */
export type FaultPolicy = (site: AllocSite, n: number) => boolean;

export class FaultInjector {
  #policy: FaultPolicy | null = null;
  readonly #counts: Record<AllocSite, number> = { dentry: 0, inode: 0, eventfs_inode: 0 };
  /** Allocations failed so far. */
  injected = 0;

  /** Install a policy (null: allocations never fail). Counting restarts. */
  set(policy: FaultPolicy | null): void {
    this.#policy = policy;
    this.#counts.dentry = 0;
    this.#counts.inode = 0;
    this.#counts.eventfs_inode = 0;
    this.injected = 0;
  }

  /** Fail exactly the `n`-th allocation counted from now, at `site` (or at any site). */
  failNth(n: number, site?: AllocSite): void {
    let seen = 0;
    this.set((s) => (site === undefined || s === site) && ++seen === n);
  }

  /** Allocations attempted per site since the policy was set. */
  get counts(): Readonly<Record<AllocSite, number>> {
    return { ...this.#counts };
  }

  /** Called by every allocator first: throws ENOMEM when the policy says this one fails. */
  check(site: AllocSite): void {
    const n = ++this.#counts[site];
    if (this.#policy?.(site, n) === true) {
      this.injected++;
      throw fsErr('ENOMEM', `injected failure of ${site} allocation #${n}`);
    }
  }
}
