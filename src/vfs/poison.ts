/**
 * KASAN/KMSAN stand-ins. Freed kernel objects are poisoned so that any later access through a
 * stale pointer is reported as a use-after-free at the access site; fields that an allocator
 * leaves uninitialised hold a poison value whose first use is reported as an uninitialised read
 * (kmem_cache_alloc() without __GFP_ZERO hands out whatever the slab held before).
 */
import { violation } from './errors';

/** The value of a field nobody initialised since the object came out of its slab. */
export const UNINIT: unique symbol = Symbol('uninitialised');
/** Type of a possibly uninitialised field. */
export type MaybeUninit<T> = T | typeof UNINIT;

// Frames that belong to the detection machinery or to the drivers, never the culprit.
const SKIP =
  /^(?:get |set |new )|^(?:Generator\.)?next$|^(?:callerSite|useAfterFree|uninitRead|readInit|check|checkLive|Poisonable\..*|runSync|step|drive|Object\..*|Array\..*|Map\..*)$/;

function snake(name: string): string {
  if (name.includes('_') || !/[a-z][A-Z]/.test(name)) return name;
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * The name of the model function that made the bad access, in kernel spelling
 * (`setTopEventsOwnership` -> `set_top_events_ownership`). Model functions that stand for a
 * kernel function carry its name, so the report points where the kernel's would.
 */
export function callerSite(): string {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /^\s*at (?:async )?(?:(\S+(?: \S+)?) \(|(\S+)$)/.exec(line);
    const raw = m?.[1] ?? m?.[2];
    if (raw === undefined || raw.includes('/') || raw === '<anonymous>') continue;
    let name = raw.replace(/^Generator\./, '').replace(/^Object\./, '');
    const dot = name.lastIndexOf('.');
    if (dot >= 0 && !name.startsWith('get ') && !name.startsWith('set '))
      name = name.slice(dot + 1);
    if (SKIP.test(name) || SKIP.test(raw)) continue;
    return snake(name);
  }
  return 'unknown';
}

/**
 * Base of every refcounted kernel object in the model. `check()` guards each field access:
 * touching a freed object is a use-after-free, the one thing KASAN exists to catch.
 */
export abstract class Poisonable {
  #freedAt: string | null = null;

  /** Human-readable identity for reports, e.g. `dentry 'kprobes'`. */
  abstract describe(): string;

  /** True once the object went back to its slab. */
  get isPoisoned(): boolean {
    return this.#freedAt !== null;
  }

  /** Where it was freed (for reports). */
  get freedAt(): string | null {
    return this.#freedAt;
  }

  /** kfree()/kmem_cache_free(): poison the object. */
  poison(site: string): void {
    if (this.#freedAt !== null) {
      violation('bug', site, `double free of ${this.describe()} (first freed in ${this.#freedAt})`);
    }
    this.#freedAt = site;
  }

  /** The slab hands the memory out again. */
  protected unpoison(): void {
    this.#freedAt = null;
  }

  /** Every accessor of a guarded field calls this first. */
  protected check(field: string): void {
    if (this.#freedAt !== null) useAfterFree(this, field);
  }
}

function useAfterFree(obj: Poisonable, field: string): never {
  const site = callerSite();
  violation(
    'use-after-free',
    site,
    `BUG: KASAN: slab-use-after-free in ${site}: read of ${field} of freed ${obj.describe()} (freed in ${obj.freedAt ?? '?'})`,
  );
}

/** Read a field that may hold UNINIT; using the poison is an uninitialised read. */
export function readInit<T>(value: MaybeUninit<T>, field: string): T {
  if (value === UNINIT) uninitRead(field);
  return value;
}

function uninitRead(field: string): never {
  const site = callerSite();
  violation(
    'uninitialized-read',
    site,
    `BUG: KMSAN: uninit-value in ${site}: ${field} was never initialised after allocation (garbage pointer dereferenced)`,
  );
}
