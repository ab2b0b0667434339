/**
 * Path walk (fs/namei.c): component by component from the mount root, with exec permission on
 * every directory (may_lookup), '.' and '..' (never above the root), d_revalidate on every
 * cached hit (lookup_fast), and on a miss ->lookup under the parent's i_rwsem held shared with
 * concurrent lookups of one name serialised by d_alloc_parallel (lookup_slow).
 */
import type { Dentry } from './dentry';
import { fsErr, FsError } from './errors';
import { parsePath } from './path';
import { inodePermission } from './permission';
import { isOops, step, type KOp } from './sched';
import { isDirMode, MAY_EXEC, type Ctx } from './types';

/**
 * d_revalidate on a hashed dentry found by a lookup: a stale one is invalidated and dropped, and
 * null tells the caller to look the name up afresh.
 */
function* revalidate(ctx: Ctx, d: Dentry): KOp<Dentry | null> {
  const rv = d.op?.revalidate;
  if (rv === undefined) return d;
  yield step('d_revalidate', `d_revalidate('${d.name}')`);
  if (rv(d)) return d;
  yield* d.sb.dcache.invalidate(ctx, d);
  yield* d.sb.dcache.dput(ctx, d);
  return null;
}

/**
 * lookup_slow() / __lookup_slow(): take the directory's i_rwsem shared, get an in-lookup dentry
 * from d_alloc_parallel (or the result of a concurrent lookup of the same name) and call
 * ->lookup on it.
 */
function* lookupSlow(ctx: Ctx, parent: Dentry, name: string): KOp<Dentry> {
  const dir = parent.inode;
  if (dir === null) throw fsErr('ENOENT');
  const dcache = parent.sb.dcache;
  yield* dir.lock.lockShared(ctx.task, 'lookup_slow');
  try {
    // __lookup_slow(): don't go there if the directory is already dead.
    if (dir.dead) throw fsErr('ENOENT');
    for (;;) {
      const { dentry, fresh } = yield* dcache.allocParallel(ctx, parent, name);
      if (!fresh) {
        const valid = yield* revalidate(ctx, dentry);
        if (valid === null) continue;
        return valid;
      }
      const lookup = dir.iop.lookup;
      if (lookup === undefined) {
        // No ->lookup: nothing exists beyond what the dcache holds (a plain negative).
        dcache.lookupDone(dentry);
        return dentry;
      }
      let old: Dentry | null;
      try {
        old = yield* lookup(ctx, dir, dentry);
      } catch (e) {
        if (isOops(e)) throw e;
        dcache.lookupDone(dentry);
        yield* dcache.dput(ctx, dentry);
        throw e;
      }
      dcache.lookupDone(dentry);
      if (old !== null) {
        yield* dcache.dput(ctx, dentry);
        return old;
      }
      return dentry;
    }
  } finally {
    dir.lock.unlock(ctx.task, 'lookup_slow');
  }
}

/**
 * One component: lookup_fast() (a dcache hit, confirmed by d_revalidate), else lookup_slow().
 * Returns a referenced dentry, maybe negative. The hit path is written out here because every
 * component of every walk takes it.
 */
export function* lookupComponent(ctx: Ctx, parent: Dentry, name: string): KOp<Dentry> {
  yield step('walk_component', `lookup '${name}'`);
  const d = parent.sb.dcache.lookup(parent, name);
  if (d !== null) {
    const rv = d.op?.revalidate;
    if (rv === undefined) return d;
    yield step('d_revalidate', `d_revalidate('${d.name}')`);
    if (rv(d)) return d;
    yield* d.sb.dcache.invalidate(ctx, d);
    yield* d.sb.dcache.dput(ctx, d);
  }
  return yield* lookupSlow(ctx, parent, name);
}

/** What a walk should return. */
export interface WalkResult {
  /** The final dentry, referenced (positive unless `allowNegative`). */
  readonly dentry: Dentry;
}

/**
 * Walk `components` from `start` (referenced by the caller; the reference is consumed).
 * Returns the last dentry with a reference. With `allowNegative`, a negative last component is
 * returned instead of ENOENT.
 */
export function* walkComponents(
  ctx: Ctx,
  start: Dentry,
  components: readonly string[],
  allowNegative = false,
): KOp<Dentry> {
  let cur = start;
  const dcache = start.sb.dcache;
  try {
    for (let i = 0; i < components.length; i++) {
      const name = components[i]!;
      const inode = cur.inode;
      if (inode === null) throw fsErr('ENOENT');
      if (!isDirMode(inode.mode)) throw fsErr('ENOTDIR');
      // may_lookup(): search permission on every directory we pass through.
      yield* inodePermission(ctx, inode, MAY_EXEC);
      if (name === '.') continue;
      let next: Dentry;
      if (name === '..') {
        // follow_dotdot(): never above the root of the mount.
        if (cur.isRoot) continue;
        next = dcache.dget(cur.parent);
      } else {
        next = yield* lookupComponent(ctx, cur, name);
      }
      const prev = cur;
      cur = next;
      if (!dcache.dputFast(prev)) yield* dcache.dput(ctx, prev);
      if (cur.inode === null && !(allowNegative && i === components.length - 1)) {
        throw fsErr('ENOENT');
      }
    }
    return cur;
  } catch (e) {
    if (!isOops(e)) yield* dcache.dput(ctx, cur);
    throw e;
  }
}

/** The result of walking to a path's parent (filename_parentat()). */
export interface ParentWalk {
  readonly parent: Dentry;
  /** The last component; '.', '..' or undefined for the root itself. */
  readonly last: string | undefined;
  readonly trailingSlash: boolean;
}

/** Walk a path to its final dentry (filename_lookup()). Throws FsError. */
export function* pathLookup(ctx: Ctx, root: Dentry, path: unknown): KOp<Dentry> {
  const { components, trailingSlash } = parsePath(path);
  const d = yield* walkComponents(ctx, root.sb.dcache.dget(root), components);
  // A trailing slash demands a directory (LOOKUP_DIRECTORY).
  if (trailingSlash && !isDirMode(d.inode!.mode)) {
    yield* d.sb.dcache.dput(ctx, d);
    throw fsErr('ENOTDIR');
  }
  return d;
}

/** Walk to the parent of the last component (filename_parentat()). */
export function* pathParent(ctx: Ctx, root: Dentry, path: unknown): KOp<ParentWalk> {
  const { components, trailingSlash } = parsePath(path);
  const last = components.at(-1);
  const parent = yield* walkComponents(ctx, root.sb.dcache.dget(root), components.slice(0, -1));
  if (!isDirMode(parent.inode!.mode)) {
    yield* parent.sb.dcache.dput(ctx, parent);
    throw fsErr('ENOTDIR');
  }
  return { parent, last, trailingSlash };
}

export { FsError };
