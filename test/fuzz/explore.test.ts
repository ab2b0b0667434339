/**
 * The fuzz op sequences again, under the simulator: each sequence is dealt out to two CPUs
 * (alternately), and `explore` runs 50 random interleavings of them on the fixed eventfs, with
 * the invariants checked after every step. No interleaving may produce a violation (no
 * use-after-free, refcount error, BUG, deadlock or broken invariant), however malformed the
 * input; every run's mount, once its CPUs have exited (closing their files) and the dcache is
 * shrunk, holds exactly what a fresh mount with the same instances and kprobes holds.
 *
 * The simulator runs its ops as root and takes only JS-valid arguments (kit.ts, toSimOp), so
 * remounts, file reads/writes on open files and credentials stay with the synchronous fuzz.
 *
 * Left out (src bug, see the report): `rmdir` of an instance together with a concurrent
 * `shrink`. simple_recursive_removal() as modelled in src/tracefs/files.ts (`remove`) walks a
 * snapshot of the instance directory's children across its interleaving points without holding
 * the directory's i_rwsem or a reference on each child (the kernel's find_next_child() dget()s
 * it), so a shrink on the other CPU frees a cached negative child (left by a failed lookup such
 * as `stat instances/a/zzz`) that `remove` then reads: a false KASAN report, which the
 * `finally` blocks of rmdir then mask as "kernel BUG in do_rmdir: releases i_rwsem it does not
 * hold". Sequences with an `rmdir` therefore drop their `shrink` ops.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore, formatFailure, type Op, type Tracefs } from '../../src/index';
import { CATALOG, expectNoLeak, fuzzOp, show, toSimOp, type FuzzOp } from './kit';

/** Deal the simulator's share of `ops` to two CPUs. */
function tasksOf(ops: readonly FuzzOp[]): Op[][] {
  let sim = ops.map(toSimOp).filter((o): o is Op => o !== null);
  if (sim.some((o) => o.op === 'rmdir')) sim = sim.filter((o) => o.op !== 'shrink');
  const tasks: Op[][] = [[], []];
  sim.forEach((o, i) => tasks[i % 2]!.push(o));
  return tasks;
}

function exploreClean(tasks: Op[][], seed: number, setup?: (fs: Tracefs) => void): void {
  const mounts: Tracefs[] = [];
  const r = explore({
    tasks,
    catalog: CATALOG,
    setup: (fs) => {
      setup?.(fs);
      mounts.push(fs);
    },
    strategy: { kind: 'random', seed, runs: 50 },
    shrink: false,
  });
  const failure = r.failures[0];
  expect(
    failure === undefined ? null : formatFailure(failure, 'fixed', 'fuzz'),
    show(tasks),
  ).toBeNull();
  expect(r.schedules).toBe(50);
  for (const fs of mounts) expectNoLeak(fs);
}

describe('fuzz sequences under explore (2 CPUs, 50 random interleavings each)', () => {
  it('on a fresh mount', () => {
    fc.assert(
      fc.property(
        fc.array(fuzzOp({ wrongTypes: false }), { minLength: 4, maxLength: 16, size: 'max' }),
        fc.nat(),
        (ops, seed) => {
          exploreClean(tasksOf(ops), seed);
        },
      ),
      { seed: 0xe4b1, numRuns: 25 },
    );
  });

  it('on a mount with an instance and kprobes already there', () => {
    fc.assert(
      fc.property(
        fc.array(fuzzOp({ wrongTypes: false }), { minLength: 4, maxLength: 16, size: 'max' }),
        fc.nat(),
        (ops, seed) => {
          exploreClean(tasksOf(ops), seed, (fs) => {
            fs.mkdir('instances/a');
            fs.appendFile('kprobe_events', 'p:p1 vfs_read\np:grp/e1 schedule $stack\n');
          });
        },
      ),
      { seed: 0xe4b2, numRuns: 20 },
    );
  });

  it('kprobe garbage racing instance creation and lookups', () => {
    const mix = fc.array(
      fc.oneof(
        fc.constantFrom<Op>(
          { op: 'mkdir', path: 'instances/a' },
          { op: 'rmdir', path: 'instances/a' },
          { op: 'readdir', path: 'instances/a/events/kprobes' },
          { op: 'stat', path: 'events/kprobes/p1/enable' },
          { op: 'writeFile', path: 'events/kprobes/p1/enable', data: '1' },
          { op: 'writeFile', path: 'instances/a/events/kprobes/enable', data: '0' },
          { op: 'open', path: 'events/kprobes/p1/format' },
          { op: 'appendFile', path: 'kprobe_events', data: 'p:p1 vfs_read\n' },
          { op: 'appendFile', path: 'kprobe_events', data: '-:p1\n' },
          { op: 'writeFile', path: 'kprobe_events', data: '' },
        ),
        fuzzOp({ wrongTypes: false })
          .filter((o) => o.kind === 'writeFile' || o.kind === 'appendFile')
          .map((o) => toSimOp(o))
          .filter((o): o is Op => o !== null),
      ),
      { minLength: 4, maxLength: 14, size: 'max' },
    );
    fc.assert(
      fc.property(mix, fc.nat(), (ops, seed) => {
        const tasks: Op[][] = [[], []];
        ops.forEach((o, i) => tasks[i % 2]!.push(o));
        exploreClean(tasks, seed);
      }),
      { seed: 0xe4b3, numRuns: 20 },
    );
  });
});
