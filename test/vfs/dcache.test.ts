import { describe, expect, it } from 'vitest';
import type { Dentry } from '../../src/vfs/dentry';
import { lookupComponent } from '../../src/vfs/namei';
import { runSync, Task, type KOp, type Yield } from '../../src/vfs/sched';
import { sysOpen, sysClose, sysStat } from '../../src/vfs/syscalls';
import { parseFlags } from '../../src/vfs/file';
import { ROOT_CRED, type Ctx, type DentryOperations } from '../../src/vfs/types';
import type { Inode } from '../../src/vfs/inode';
import { ToyFs, violationOf } from './toyfs';

const R = parseFlags('r')!;

function tree(): ToyFs {
  return new ToyFs({ a: { b: { c: 'ccc', d: 'ddd' }, e: 'eee' }, f: 'fff' });
}

/** Walk a path and keep the final dentry referenced. */
function grab(fs: ToyFs, path: string): Dentry {
  let d = fs.dcache.dget(fs.root);
  for (const name of path.split('/')) {
    const next = runSync(lookupComponent(fs.ctx, d, name));
    runSync(fs.dcache.dput(fs.ctx, d));
    d = next;
  }
  return d;
}

function stat(fs: ToyFs, path: string): void {
  runSync(sysStat(fs.ctx, fs.root, path));
}

function nextPoint<R>(op: KOp<R>): Yield {
  const r = op.next();
  if (r.done === true) throw new Error('operation finished instead of yielding');
  return r.value;
}

function isReady(y: Yield): boolean {
  if (y.kind !== 'block') throw new Error(`expected a block point, got ${y.kind} ${y.what}`);
  return y.ready();
}

function otherCtx(): Ctx {
  return { task: new Task(2, 'other'), cred: ROOT_CRED };
}

describe('Dentry basics', () => {
  it('the root is its own parent, positive, hashed and pinned', () => {
    const fs = tree();
    const r = fs.root;
    expect(r.isRoot).toBe(true);
    expect(r.parent).toBe(r);
    expect(r.hashed).toBe(true);
    expect(r.isNegative).toBe(false);
    expect(r.dU).toBe('alias');
    expect(r.count).toBe(1);
    expect(r.path()).toBe('');
    expect(fs.dcache.live.has(r)).toBe(true);
  });

  it('path() and describe() name a dentry from the root', () => {
    const fs = tree();
    const c = grab(fs, 'a/b/c');
    expect(c.path()).toBe('a/b/c');
    expect(c.describe()).toBe("dentry 'c'");
    expect(c.isRoot).toBe(false);
    expect(c.parent.name).toBe('b');
  });
});

describe('Dcache.alloc (d_alloc)', () => {
  it('returns an unhashed negative dentry holding a reference on its parent', () => {
    const fs = tree();
    const { dcache, root } = fs;
    const d = dcache.alloc(root, 'x');
    expect(root.count).toBe(2);
    expect(d.count).toBe(1);
    expect(d.parent).toBe(root);
    expect(d.name).toBe('x');
    expect(d.hashed).toBe(false);
    expect(d.dU).toBe('free');
    expect(d.inode).toBeNull();
    expect(d.isNegative).toBe(true);
    expect(root.subdirs.has(d)).toBe(true);
    expect(dcache.live.has(d)).toBe(true);
    expect(dcache.lookup(root, 'x')).toBeNull();
    // Dropping the only reference kills it (unhashed) and gives the parent's back.
    runSync(dcache.dput(fs.ctx, d));
    expect(d.isPoisoned).toBe(true);
    expect(root.count).toBe(1);
    expect(root.subdirs.has(d)).toBe(false);
    expect(dcache.live.has(d)).toBe(false);
  });

  it('gets the superblock default dentry operations', () => {
    const ops: DentryOperations = {};
    const fs = new ToyFs({}, { dentryOps: ops });
    expect(fs.dcache.alloc(fs.root, 'x').op).toBe(ops);
    expect(fs.root.op).toBe(ops);
  });

  it('gives each dentry a new serial', () => {
    const fs = tree();
    const a = fs.dcache.alloc(fs.root, 'x');
    const b = fs.dcache.alloc(fs.root, 'y');
    expect(b.serial).toBeGreaterThan(a.serial);
  });
});

describe('Dcache.add (d_add)', () => {
  it('attaches the inode, ends the in-lookup state and hashes', () => {
    const fs = tree();
    const { dcache, root, ctx } = fs;
    const { dentry: d, fresh } = runSync(dcache.allocParallel(ctx, root, 'x'));
    expect(fresh).toBe(true);
    expect(d.dU).toBe('in-lookup');
    const inode = fs.makeInode(fs.at('f'));
    dcache.add(d, inode);
    expect(d.dU).toBe('alias');
    expect(d.hashed).toBe(true);
    expect(d.inode).toBe(inode);
    expect(dcache.peek(root, 'x')).toBe(d);
    expect([...dcache.hashedChildren(root)]).toEqual([d]);
    // No longer in-lookup: a parallel lookup finds it hashed, with a new reference.
    const again = runSync(dcache.allocParallel(ctx, root, 'x'));
    expect(again).toEqual({ dentry: d, fresh: false });
    expect(d.count).toBe(2);
    const hit = dcache.lookup(root, 'x');
    expect(hit).toBe(d);
    expect(d.count).toBe(3);
  });

  it('with a null inode hashes a negative dentry', () => {
    const fs = tree();
    const { dcache, root, ctx } = fs;
    const { dentry: d } = runSync(dcache.allocParallel(ctx, root, 'nope'));
    dcache.add(d, null);
    expect(d.hashed).toBe(true);
    expect(d.dU).toBe('free');
    expect(d.inode).toBeNull();
    expect(dcache.lookup(root, 'nope')).toBe(d);
  });

  it('reports hashing an already hashed dentry as a bug', () => {
    const fs = tree();
    const d = fs.dcache.alloc(fs.root, 'x');
    fs.dcache.add(d, null);
    const v = violationOf(() => {
      fs.dcache.add(d, null);
    });
    expect(v.kind).toBe('bug');
    expect(v.site).toBe('d_add');
    expect(v.message).toContain('already hashed');
  });

  it('reports two hashed dentries for one name as a bug', () => {
    const fs = tree();
    const d1 = fs.dcache.alloc(fs.root, 'x');
    const d2 = fs.dcache.alloc(fs.root, 'x');
    fs.dcache.add(d1, null);
    const v = violationOf(() => {
      fs.dcache.add(d2, null);
    });
    expect(v.kind).toBe('bug');
    expect(v.message).toContain("two hashed dentries for 'x'");
    expect(fs.dcache.peek(fs.root, 'x')).toBe(d1);
  });
});

describe('Dcache.instantiate (d_instantiate)', () => {
  it('turns a negative dentry positive', () => {
    const fs = tree();
    const d = fs.dcache.alloc(fs.root, 'x');
    fs.dcache.add(d, null);
    const inode = fs.makeInode(fs.at('f'));
    fs.dcache.instantiate(d, inode);
    expect(d.inode).toBe(inode);
    expect(d.dU).toBe('alias');
    expect(d.hashed).toBe(true);
  });

  it('BUG_ONs for a dentry still on the in-lookup hash', () => {
    const fs = tree();
    const { dentry: d } = runSync(fs.dcache.allocParallel(fs.ctx, fs.root, 'x'));
    const inode = fs.makeInode(fs.at('f'));
    const v = violationOf(() => {
      fs.dcache.instantiate(d, inode);
    });
    expect(v.kind).toBe('bug');
    expect(v.site).toBe('d_instantiate');
    expect(v.message).toContain('BUG_ON');
    expect(v.message).toContain('in-lookup');
    expect(d.inode).toBeNull();
  });

  it('BUG_ONs for a dentry that already has an inode', () => {
    const fs = tree();
    const d = grab(fs, 'f');
    const v = violationOf(() => {
      fs.dcache.instantiate(d, fs.makeInode(fs.at('a')));
    });
    expect(v.kind).toBe('bug');
    expect(v.message).toContain('BUG_ON');
    expect(v.message).toContain('already has an inode');
  });
});

describe('Dcache.lookupDone (d_lookup_done)', () => {
  it('takes an in-lookup dentry off the in-lookup hash without hashing it', () => {
    const fs = tree();
    const { dentry: d } = runSync(fs.dcache.allocParallel(fs.ctx, fs.root, 'x'));
    fs.dcache.lookupDone(d);
    expect(d.dU).toBe('free');
    expect(d.hashed).toBe(false);
    // Nothing pending any more: a new lookup allocates afresh.
    const r = runSync(fs.dcache.allocParallel(fs.ctx, fs.root, 'x'));
    expect(r.fresh).toBe(true);
    expect(r.dentry).not.toBe(d);
  });

  it('is a no-op for a dentry that is not in-lookup', () => {
    const fs = tree();
    const d = grab(fs, 'f');
    fs.dcache.lookupDone(d);
    expect(d.dU).toBe('alias');
  });
});

describe('Dcache.dget / dput', () => {
  it('the last dput keeps a hashed dentry cached on the LRU', () => {
    const fs = tree();
    const live = fs.sb.inodes.live;
    const d = grab(fs, 'f');
    expect(d.count).toBe(1);
    expect(fs.sb.inodes.live).toBe(live + 1);
    runSync(fs.dcache.dput(fs.ctx, d));
    expect(d.isPoisoned).toBe(false);
    expect(d.count).toBe(0);
    expect(d.onLru).toBe(true);
    expect(fs.dcache.lru.has(d)).toBe(true);
    expect(fs.sb.inodes.live).toBe(live + 1);
    // dget brings it back off the LRU.
    fs.dcache.dget(d);
    expect(d.onLru).toBe(false);
    expect(fs.dcache.lru.has(d)).toBe(false);
    expect(d.count).toBe(1);
  });

  it('the last dput of an unhashed dentry kills it and evicts its inode', () => {
    const fs = tree();
    const live = fs.sb.inodes.live;
    const d = grab(fs, 'f');
    const inode = d.inode!;
    fs.dcache.drop(d);
    expect(d.hashed).toBe(false);
    expect(fs.dcache.peek(fs.root, 'f')).toBeUndefined();
    runSync(fs.dcache.dput(fs.ctx, d));
    expect(d.isPoisoned).toBe(true);
    expect(d.freedAt).toBe('dentry_free');
    expect(inode.isPoisoned).toBe(true);
    expect(inode.freedAt).toBe('dentry_unlink_inode');
    expect(fs.sb.inodes.live).toBe(live);
    expect(fs.dcache.live.has(d)).toBe(false);
    expect(fs.dcache.lru.has(d)).toBe(false);
  });

  it('reports any field access of a killed dentry as a use-after-free', () => {
    const fs = tree();
    const d = grab(fs, 'f');
    fs.dcache.drop(d);
    runSync(fs.dcache.dput(fs.ctx, d));
    const v = violationOf(() => d.inode);
    expect(v.kind).toBe('use-after-free');
    expect(v.message).toContain('d_inode');
    expect(v.message).toContain("dentry 'f'");
    expect(v.message).toContain('freed in dentry_free');
    expect(violationOf(() => d.parent).kind).toBe('use-after-free');
    expect(violationOf(() => d.count).kind).toBe('use-after-free');
    expect(violationOf(() => d.fsdata).kind).toBe('use-after-free');
    expect(violationOf(() => d.isRoot).kind).toBe('use-after-free');
    expect(violationOf(() => d.isNegative).kind).toBe('use-after-free');
    expect(violationOf(() => fs.dcache.dget(d)).kind).toBe('use-after-free');
    expect(
      violationOf(() => {
        runSync(fs.dcache.dput(fs.ctx, d));
      }).kind,
    ).toBe('use-after-free');
  });

  it('the dying parent goes to the LRU when its last child dies (hashed)', () => {
    const fs = tree();
    const c = grab(fs, 'a/b/c');
    const b = c.parent;
    const a = b.parent;
    expect([a.count, b.count, c.count]).toEqual([1, 1, 1]);
    fs.dcache.drop(c);
    runSync(fs.dcache.dput(fs.ctx, c));
    expect(c.isPoisoned).toBe(true);
    expect(b.count).toBe(0);
    expect(b.onLru).toBe(true);
    expect(a.count).toBe(1);
  });

  it('kills unhashed ancestors whose last reference was the dying child', () => {
    const fs = tree();
    const c = grab(fs, 'a/b/c');
    const b = c.parent;
    const a = b.parent;
    fs.dcache.drop(b);
    fs.dcache.drop(c);
    runSync(fs.dcache.dput(fs.ctx, c));
    expect(c.isPoisoned).toBe(true);
    expect(b.isPoisoned).toBe(true);
    expect(a.isPoisoned).toBe(false);
    expect(a.count).toBe(0);
    expect(a.onLru).toBe(true);
    expect(fs.dcache.live.size).toBe(2);
  });

  it('never kills the root', () => {
    const fs = tree();
    runSync(fs.dcache.dput(fs.ctx, fs.root));
    expect(fs.root.isPoisoned).toBe(false);
    expect(fs.root.count).toBe(0);
    expect(fs.root.onLru).toBe(false);
  });

  it('reports dput of a dentry whose count is already 0 as a refcount violation', () => {
    const fs = tree();
    const d = grab(fs, 'f');
    runSync(fs.dcache.dput(fs.ctx, d));
    expect(d.count).toBe(0);
    const v = violationOf(() => {
      runSync(fs.dcache.dput(fs.ctx, d));
    });
    expect(v.kind).toBe('refcount');
    expect(v.site).toBe('dput');
    expect(v.message).toContain('d_count 0');
  });

  it('d_delete returning true kills a hashed dentry on its last dput', () => {
    const deleted: string[] = [];
    const fs = new ToyFs(
      { f: 'x', g: 'y' },
      {
        dentryOps: {
          delete: (d) => {
            deleted.push(d.name);
            return d.name === 'f';
          },
        },
      },
    );
    const f = grab(fs, 'f');
    const g = grab(fs, 'g');
    runSync(fs.dcache.dput(fs.ctx, f));
    runSync(fs.dcache.dput(fs.ctx, g));
    expect(f.isPoisoned).toBe(true);
    expect(g.isPoisoned).toBe(false);
    expect(g.onLru).toBe(true);
    expect(deleted).toEqual(['f', 'g']);
  });

  it('calls d_iput instead of iput, then d_release, then frees', () => {
    const calls: string[] = [];
    const fs = new ToyFs(
      { f: 'x' },
      {
        dentryOps: {
          // eslint-disable-next-line require-yield
          *iput(ctx: Ctx, d: Dentry, inode: Inode): KOp<void> {
            calls.push(
              `iput ${d.name} ino=${inode.ino} d_inode=${d.inode === null ? 'null' : 'set'}`,
            );
            d.sb.inodes.iput(inode, 'toy_d_iput');
          },
          // eslint-disable-next-line require-yield
          *release(_ctx: Ctx, d: Dentry): KOp<void> {
            calls.push(`release ${d.name} poisoned=${d.isPoisoned}`);
          },
        },
      },
    );
    const f = grab(fs, 'f');
    const inode = f.inode!;
    const ino = inode.ino;
    fs.dcache.drop(f);
    const points: string[] = [];
    const op = fs.dcache.dput(fs.ctx, f);
    for (let r = op.next(); r.done !== true; r = op.next()) points.push(r.value.site);
    expect(calls).toEqual([`iput f ino=${ino} d_inode=null`, 'release f poisoned=false']);
    expect(points).toEqual(['dentry_unlink_inode', '__dentry_kill', 'dentry_free']);
    expect(inode.freedAt).toBe('toy_d_iput');
    expect(f.isPoisoned).toBe(true);
  });

  it('kill yields between unhash, d_iput and free, with the dentry marked dying', () => {
    const fs = tree();
    const f = grab(fs, 'f');
    fs.dcache.drop(f);
    const op = fs.dcache.dput(fs.ctx, f);
    const y1 = nextPoint(op);
    expect(y1.site).toBe('dentry_unlink_inode');
    expect(fs.dcache.dying.has(f)).toBe(true);
    expect(f.inode).not.toBeNull();
    const y2 = nextPoint(op);
    expect(y2.site).toBe('dentry_free');
    expect(f.inode).toBeNull();
    expect(f.isPoisoned).toBe(false);
    // A dget while dying does not save it (lockref_get ignores the dead mark).
    fs.dcache.dget(f);
    // and a dput while dying does not start a second kill.
    runSync(fs.dcache.dput(fs.ctx, f));
    expect(op.next().done).toBe(true);
    expect(f.isPoisoned).toBe(true);
    expect(fs.dcache.dying.has(f)).toBe(false);
  });
});

describe('Dcache.shrink (the shrinker)', () => {
  it('kills unused dentries and cascades to parents, back to the pinned set', () => {
    const fs = tree();
    stat(fs, 'a/b/c');
    stat(fs, 'a/b/d');
    stat(fs, 'a/e');
    stat(fs, 'f');
    expect(fs.dcache.live.size).toBe(7);
    expect(fs.sb.inodes.live).toBe(7);
    const n = runSync(fs.dcache.shrink(fs.ctx));
    expect(n).toBe(6);
    expect([...fs.dcache.live]).toEqual([fs.root]);
    expect(fs.dcache.lru.size).toBe(0);
    expect(fs.sb.inodes.live).toBe(1);
    expect(fs.root.count).toBe(1);
    expect(fs.root.subdirs.size).toBe(0);
  });

  it('never touches referenced dentries nor the ancestors they hold', () => {
    const fs = tree();
    const file = runSync(sysOpen(fs.ctx, fs.root, 'a/b/c', R));
    stat(fs, 'a/b/d');
    stat(fs, 'a/e');
    stat(fs, 'f');
    const n = runSync(fs.dcache.shrink(fs.ctx));
    expect(n).toBe(3);
    const c = file.dentry;
    expect(c.isPoisoned).toBe(false);
    expect(c.count).toBe(1);
    expect(fs.dcache.live.size).toBe(4);
    expect(c.parent.count).toBe(1);
    expect(c.parent.parent.count).toBe(1);
    runSync(sysClose(fs.ctx, file));
    expect(c.onLru).toBe(true);
    expect(runSync(fs.dcache.shrink(fs.ctx))).toBe(3);
    expect(fs.dcache.live.size).toBe(1);
  });

  it('keeps pinned dentries and their ancestors', () => {
    const fs = tree();
    const pinned = fs.pin('a/b/c');
    stat(fs, 'a/b/d');
    stat(fs, 'f');
    runSync(fs.dcache.shrink(fs.ctx));
    expect(new Set(fs.dcache.live)).toEqual(fs.pinnedSet());
    expect(fs.pinnedSet().size).toBe(4);
    expect(pinned.isPoisoned).toBe(false);
  });

  it('respects a limit', () => {
    const fs = tree();
    stat(fs, 'f');
    stat(fs, 'a/e');
    expect(runSync(fs.dcache.shrink(fs.ctx, 1))).toBe(1);
    expect(fs.dcache.live.size).toBe(3);
    expect(runSync(fs.dcache.shrink(fs.ctx))).toBe(2);
    expect(fs.dcache.live.size).toBe(1);
  });

  it('skips LRU entries another CPU grabbed since', () => {
    const fs = tree();
    stat(fs, 'f');
    const f = fs.dcache.peek(fs.root, 'f')!;
    expect(f.onLru).toBe(true);
    // Simulate a racing dget that did not take it off the LRU yet.
    f.count = 1;
    expect(runSync(fs.dcache.shrink(fs.ctx))).toBe(0);
    expect(f.isPoisoned).toBe(false);
  });

  it('reclaims negative dentries too', () => {
    const fs = new ToyFs({ a: {} }, { negative: true });
    for (const p of ['x', 'y', 'a/z'])
      expect(() => {
        stat(fs, p);
      }).toThrow();
    expect(fs.dcache.counts()).toEqual({ dentries: 5, negative: 3 });
    expect(runSync(fs.dcache.shrink(fs.ctx))).toBe(4);
    expect(fs.dcache.counts()).toEqual({ dentries: 1, negative: 0 });
  });
});

describe('Dcache.invalidate (d_invalidate)', () => {
  it('unhashes the dentry and prunes its unused descendants', () => {
    const fs = tree();
    stat(fs, 'a/b/c');
    stat(fs, 'a/b/d');
    stat(fs, 'a/e');
    stat(fs, 'f');
    const a = grab(fs, 'a');
    const b = fs.dcache.peek(a, 'b')!;
    const c = fs.dcache.peek(b, 'c')!;
    const liveInodes = fs.sb.inodes.live;
    runSync(fs.dcache.invalidate(fs.ctx, a));
    expect(a.hashed).toBe(false);
    expect(a.isPoisoned).toBe(false);
    expect(fs.dcache.peek(fs.root, 'a')).toBeUndefined();
    expect(b.isPoisoned).toBe(true);
    expect(c.isPoisoned).toBe(true);
    expect(a.subdirs.size).toBe(0);
    expect(a.count).toBe(1);
    expect(fs.sb.inodes.live).toBe(liveInodes - 4);
    // Siblings outside are untouched.
    expect(fs.dcache.peek(fs.root, 'f')?.isPoisoned).toBe(false);
    // The holder's reference is the last one: the unhashed dentry dies with it.
    runSync(fs.dcache.dput(fs.ctx, a));
    expect(a.isPoisoned).toBe(true);
    expect(fs.dcache.live.size).toBe(2);
    // A new lookup finds the name again through ->lookup.
    const before = fs.lookupCount('a');
    stat(fs, 'a/b');
    expect(fs.lookupCount('a')).toBe(before + 1);
  });

  it('leaves referenced descendants (and their ancestors) alive', () => {
    const fs = tree();
    const file = runSync(sysOpen(fs.ctx, fs.root, 'a/b/c', R));
    stat(fs, 'a/b/d');
    stat(fs, 'a/e');
    const a = grab(fs, 'a');
    runSync(fs.dcache.invalidate(fs.ctx, a));
    const c = file.dentry;
    const b = c.parent;
    expect(c.isPoisoned).toBe(false);
    expect(b.isPoisoned).toBe(false);
    expect(fs.dcache.peek(b, 'd')).toBeUndefined();
    expect(a.subdirs).toEqual(new Set([b]));
    runSync(fs.dcache.dput(fs.ctx, a));
    expect(a.isPoisoned).toBe(false);
    runSync(sysClose(fs.ctx, file));
    // c and b are still hashed below the unhashed a: the shrinker takes them and then a.
    runSync(fs.dcache.shrink(fs.ctx));
    expect(a.isPoisoned).toBe(true);
    expect(fs.dcache.live.size).toBe(1);
    expect(fs.sb.inodes.live).toBe(1);
  });

  it('is a no-op on an unhashed dentry', () => {
    const fs = tree();
    const d = fs.dcache.alloc(fs.root, 'x');
    runSync(fs.dcache.invalidate(fs.ctx, d));
    expect(d.isPoisoned).toBe(false);
    expect(d.count).toBe(1);
  });

  it('shrinkParent counts what it killed', () => {
    const fs = tree();
    stat(fs, 'a/b/c');
    stat(fs, 'a/e');
    const a = grab(fs, 'a');
    expect(runSync(fs.dcache.shrinkParent(fs.ctx, a))).toBe(3);
    expect(a.hashed).toBe(true);
    runSync(fs.dcache.dput(fs.ctx, a));
  });
});

describe('Dcache.allocParallel (d_alloc_parallel)', () => {
  it('a second lookup of a name in-lookup blocks until d_add, then shares the dentry', () => {
    const fs = tree();
    const { dcache, root } = fs;
    const g1 = dcache.allocParallel(fs.ctx, root, 'x');
    const r1 = g1.next();
    expect(r1.done).toBe(true);
    const d1 = (r1.value as { dentry: Dentry; fresh: boolean }).dentry;
    expect(r1.value).toEqual({ dentry: d1, fresh: true });
    expect(d1.dU).toBe('in-lookup');

    const g2 = dcache.allocParallel(otherCtx(), root, 'x');
    const y = nextPoint(g2);
    expect(y.kind).toBe('block');
    expect(y.site).toBe('d_alloc_parallel');
    expect(y.what).toBe("d_wait_lookup('x')");
    expect(isReady(y)).toBe(false);
    // The waiter holds a reference on the dentry it waits for.
    expect(d1.count).toBe(2);
    expect(isReady(y)).toBe(false);
    dcache.add(d1, fs.makeInode(fs.at('f')));
    expect(isReady(y)).toBe(true);
    const r2 = g2.next();
    expect(r2.done).toBe(true);
    expect(r2.value).toEqual({ dentry: d1, fresh: false });
    expect(d1.count).toBe(2);
  });

  it('the waiter retries after the first lookup finished without hashing', () => {
    const fs = tree();
    const { dcache, root } = fs;
    const { dentry: d1 } = runSync(dcache.allocParallel(fs.ctx, root, 'x'));
    const g2 = dcache.allocParallel(otherCtx(), root, 'x');
    const y = nextPoint(g2);
    expect(isReady(y)).toBe(false);
    dcache.lookupDone(d1);
    expect(isReady(y)).toBe(true);
    const r2 = g2.next();
    expect(r2.done).toBe(true);
    const { dentry: d2, fresh } = r2.value as { dentry: Dentry; fresh: boolean };
    expect(fresh).toBe(true);
    expect(d2).not.toBe(d1);
    expect(d2.dU).toBe('in-lookup');
    // The waiter dropped the reference it took on the failed dentry.
    expect(d1.count).toBe(1);
    runSync(dcache.dput(fs.ctx, d1));
    expect(d1.isPoisoned).toBe(true);
    // A third lookup now waits on d2.
    const g3 = dcache.allocParallel(otherCtx(), root, 'x');
    const y3 = nextPoint(g3);
    expect(isReady(y3)).toBe(false);
    dcache.add(d2, null);
    expect(isReady(y3)).toBe(true);
    expect(g3.next().value).toEqual({ dentry: d2, fresh: false });
  });

  it('different names and different parents do not wait on each other', () => {
    const fs = tree();
    const a = grab(fs, 'a');
    runSync(fs.dcache.allocParallel(fs.ctx, fs.root, 'x'));
    expect(runSync(fs.dcache.allocParallel(fs.ctx, fs.root, 'y')).fresh).toBe(true);
    expect(runSync(fs.dcache.allocParallel(fs.ctx, a, 'x')).fresh).toBe(true);
  });

  it('two walks of one name call ->lookup once (lookup_slow + d_alloc_parallel)', () => {
    const fs = new ToyFs({ a: { b: 'x' } }, { lookupYields: true });
    const ctx2 = otherCtx();
    const g1 = lookupComponent(fs.ctx, fs.root, 'a');
    // Drive the first walk into ->lookup and leave it there.
    for (;;) {
      const y = nextPoint(g1);
      if (y.site === 'toy_lookup') break;
    }
    const g2 = lookupComponent(ctx2, fs.root, 'a');
    let wait: Yield;
    for (;;) {
      wait = nextPoint(g2);
      if (wait.site === 'd_alloc_parallel') break;
      expect(wait.kind === 'step' || isReady(wait)).toBe(true);
    }
    expect(isReady(wait)).toBe(false);
    const d1 = runSync(g1);
    expect(isReady(wait)).toBe(true);
    const d2 = runSync(g2);
    expect(d2).toBe(d1);
    expect(d1.count).toBe(2);
    expect(fs.lookupCount('a')).toBe(1);
    expect(fs.ctx.task.held).toEqual([]);
    expect(ctx2.task.held).toEqual([]);
  });
});

describe('Dcache.counts', () => {
  it('reports live dentries and how many are negative', () => {
    const fs = new ToyFs({ a: { b: 'x' } }, { negative: true });
    expect(fs.dcache.counts()).toEqual({ dentries: 1, negative: 0 });
    stat(fs, 'a/b');
    expect(fs.dcache.counts()).toEqual({ dentries: 3, negative: 0 });
    expect(() => {
      stat(fs, 'a/nope');
    }).toThrow();
    expect(() => {
      stat(fs, 'nope');
    }).toThrow();
    expect(fs.dcache.counts()).toEqual({ dentries: 5, negative: 2 });
    // A plain (unhashed) negative dies at once and is not counted.
    const plain = new ToyFs({ a: {} });
    expect(() => {
      stat(plain, 'a/nope');
    }).toThrow();
    expect(plain.dcache.counts()).toEqual({ dentries: 2, negative: 0 });
  });
});
