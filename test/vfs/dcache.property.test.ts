/**
 * Random syscall sequences over the toy filesystem never leak dentries or inodes: after closing
 * everything and shrinking, only the pinned dentries (and the ancestors they hold) are left, and
 * every live inode belongs to a live positive dentry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FsError, ViolationSignal } from '../../src/vfs/errors';
import { parseFlags, type File, type FlagString } from '../../src/vfs/file';
import { runSync, type KOp } from '../../src/vfs/sched';
import {
  sysClose,
  sysMkdir,
  sysOpen,
  sysRead,
  sysReaddir,
  sysRmdir,
  sysStat,
} from '../../src/vfs/syscalls';
import type { DentryOperations } from '../../src/vfs/types';
import { ToyFs } from './toyfs';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'x', '.', '..'] as const;

const pathArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.constantFrom(...NAMES), { minLength: 0, maxLength: 4 }),
    fc.boolean(),
  )
  .map(([lead, parts, trail]) => (lead ? '/' : '') + parts.join('/') + (trail ? '/' : ''));

type Op =
  | { readonly kind: 'stat'; readonly path: string }
  | { readonly kind: 'open'; readonly path: string; readonly flags: FlagString }
  | { readonly kind: 'close'; readonly idx: number }
  | { readonly kind: 'read'; readonly idx: number; readonly count: number }
  | { readonly kind: 'readdir'; readonly path: string }
  | { readonly kind: 'mkdir'; readonly path: string }
  | { readonly kind: 'rmdir'; readonly path: string }
  | { readonly kind: 'shrink'; readonly limit: number | undefined };

const coreOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: pathArb.map((path): Op => ({ kind: 'stat', path })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(pathArb, fc.constantFrom<FlagString>('r', 'r+', 'w', 'a'))
      .map(([path, flags]): Op => ({ kind: 'open', path, flags })),
  },
  { weight: 2, arbitrary: fc.nat(7).map((idx): Op => ({ kind: 'close', idx })) },
  {
    weight: 1,
    arbitrary: fc
      .option(fc.integer({ min: 1, max: 4 }), { nil: undefined })
      .map((limit): Op => ({ kind: 'shrink', limit })),
  },
);

const extraOp: fc.Arbitrary<Op> = fc.oneof(
  coreOp,
  fc
    .tuple(fc.nat(7), fc.integer({ min: 0, max: 4 }))
    .map(([idx, count]): Op => ({ kind: 'read', idx, count })),
  pathArb.map((path): Op => ({ kind: 'readdir', path })),
  pathArb.map((path): Op => ({ kind: 'mkdir', path })),
  pathArb.map((path): Op => ({ kind: 'rmdir', path })),
);

interface Variant {
  readonly negative: boolean;
  readonly revalidate: 'none' | 'always' | 'flaky';
  readonly alwaysDelete: boolean;
  readonly mkdir: boolean;
  readonly pins: readonly string[];
}

const variantArb: fc.Arbitrary<Variant> = fc.record({
  negative: fc.boolean(),
  revalidate: fc.constantFrom<Variant['revalidate']>('none', 'always', 'flaky'),
  alwaysDelete: fc.boolean(),
  mkdir: fc.boolean(),
  pins: fc.subarray(['a', 'a/b/c', 'g', 'f']),
});

function mount(v: Variant): ToyFs {
  let calls = 0;
  const ops: {
    revalidate?: DentryOperations['revalidate'];
    delete?: DentryOperations['delete'];
  } = {};
  if (v.revalidate === 'always') ops.revalidate = () => true;
  if (v.revalidate === 'flaky') ops.revalidate = () => ++calls % 3 !== 0;
  if (v.alwaysDelete) ops.delete = () => true;
  const fs = new ToyFs(
    { a: { b: { c: 'ccc', d: 'dd' }, e: 'e' }, f: 'ffff', g: {} },
    {
      negative: v.negative,
      mkdir: v.mkdir,
      ...(v.revalidate !== 'none' || v.alwaysDelete ? { dentryOps: ops } : {}),
    },
  );
  for (const p of v.pins) fs.pin(p);
  return fs;
}

/** Run one syscall: FsErrors are expected outcomes, kernel violations are failures. */
function attempt<R>(fs: ToyFs, op: KOp<R>): R | undefined {
  try {
    return runSync(op);
  } catch (e) {
    if (e instanceof FsError) return undefined;
    if (e instanceof ViolationSignal) {
      throw new Error(
        `kernel violation: ${e.violation.kind} in ${e.violation.site}: ${e.message}`,
        {
          cause: e,
        },
      );
    }
    throw e;
  } finally {
    expect(fs.ctx.task.held).toEqual([]);
  }
}

function apply(fs: ToyFs, v: Variant, open: File[], op: Op): void {
  const { ctx, root } = fs;
  switch (op.kind) {
    case 'stat':
      attempt(fs, sysStat(ctx, root, op.path));
      break;
    case 'open': {
      // With d_delete the O_CREAT miss path of open(2) uses its parent after dropping it
      // (a model bug, see the report): keep creating opens out of that variant.
      const flags = v.alwaysDelete && (op.flags === 'w' || op.flags === 'a') ? 'r+' : op.flags;
      const f = attempt(fs, sysOpen(ctx, root, op.path, parseFlags(flags)!));
      if (f !== undefined) open.push(f);
      break;
    }
    case 'close': {
      if (open.length === 0) break;
      const [f] = open.splice(op.idx % open.length, 1);
      attempt(fs, sysClose(ctx, f!));
      break;
    }
    case 'read': {
      if (open.length === 0) break;
      attempt(fs, sysRead(ctx, open[op.idx % open.length]!, op.count));
      break;
    }
    case 'readdir':
      attempt(fs, sysReaddir(ctx, root, op.path));
      break;
    case 'mkdir':
      attempt(fs, sysMkdir(ctx, root, op.path, 0o755));
      break;
    case 'rmdir':
      attempt(fs, sysRmdir(ctx, root, op.path));
      break;
    case 'shrink':
      runSync(fs.dcache.shrink(ctx, op.limit));
      break;
  }
}

/** Between operations: every reference is held by a child, a pin or an open file. */
function checkCounts(fs: ToyFs, open: readonly File[]): void {
  const fileRefs = new Map<unknown, number>();
  for (const f of open) fileRefs.set(f.dentry, (fileRefs.get(f.dentry) ?? 0) + 1);
  for (const d of fs.dcache.live) {
    expect(d.isPoisoned).toBe(false);
    const need = d.subdirs.size + (d.pinned ? 1 : 0) + (fileRefs.get(d) ?? 0);
    expect(d.count, `d_count of '${d.path()}'`).toBe(need);
    expect(d.onLru).toBe(need === 0 && d.hashed);
  }
  expect(fs.dcache.dying.size).toBe(0);
}

function checkNoLeak(fs: ToyFs, open: File[]): void {
  for (const f of open.splice(0)) runSync(sysClose(fs.ctx, f));
  runSync(fs.dcache.shrink(fs.ctx));
  const pinned = fs.pinnedSet();
  expect(new Set(fs.dcache.live)).toEqual(pinned);
  expect(fs.dcache.live.size).toBe(pinned.size);
  expect(fs.dcache.lru.size).toBe(0);
  const { dentries, negative } = fs.dcache.counts();
  expect(negative).toBe(0);
  expect(fs.sb.inodes.live).toBe(dentries - negative);
}

describe('no leaks (property)', () => {
  it('stat / open+close / shrink over random paths leave only the pinned set', () => {
    fc.assert(
      fc.property(variantArb, fc.array(coreOp, { maxLength: 40 }), (v, ops) => {
        const fs = mount(v);
        const open: File[] = [];
        for (const op of ops) {
          apply(fs, v, open, op);
          checkCounts(fs, open);
          const { dentries, negative } = fs.dcache.counts();
          // Each positive dentry holds exactly one inode; no other inode is live.
          expect(fs.sb.inodes.live).toBe(dentries - negative);
        }
        checkNoLeak(fs, open);
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it('adding read, readdir, mkdir and rmdir keeps the same guarantees', () => {
    fc.assert(
      fc.property(variantArb, fc.array(extraOp, { maxLength: 40 }), (v, ops) => {
        const fs = mount(v);
        const open: File[] = [];
        for (const op of ops) {
          apply(fs, v, open, op);
          checkCounts(fs, open);
        }
        checkNoLeak(fs, open);
      }),
      { seed: 1, numRuns: 200 },
    );
  });
});
