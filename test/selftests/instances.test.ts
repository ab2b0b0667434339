/**
 * Ports of tools/testing/selftests/ftrace/test.d/instances/instance.tc and instance-event.tc.
 *
 * The scripts slam instances/ from several background shells for a second while `ls -lR` walks
 * the tree, then check that mkdir/ls/rmdir still work and leave nothing behind. Here each
 * background shell is one simulated CPU running one turn of its loop, and `explore` runs many
 * random interleavings of them on the fixed eventfs; every run must be free of violations
 * (use-after-free, refcount, deadlock, invariants at the end), and the after-slam checks of the
 * script run on the mount each interleaving left behind. The same steps also run sequentially
 * through the synchronous facade.
 */
import { describe, expect, it } from 'vitest';
import { explore, mount, replay, type Op, type Tracefs } from '../../src/index';
import { errno, isDir, ls } from './helpers';

/** instance_slam(): one turn of `mkdir x; mkdir y; mkdir z; rmdir x; rmdir y; rmdir z`. */
const slamXyz: Op[] = [
  { op: 'mkdir', path: 'instances/x' },
  { op: 'mkdir', path: 'instances/y' },
  { op: 'mkdir', path: 'instances/z' },
  { op: 'rmdir', path: 'instances/x' },
  { op: 'rmdir', path: 'instances/y' },
  { op: 'rmdir', path: 'instances/z' },
];

/** `ls -lR` from instances/: list, then stat and list what may be there. */
const lsR: Op[] = [
  { op: 'readdir', path: 'instances' },
  ...['x', 'y', 'z'].flatMap((d): Op[] => [
    { op: 'stat', path: `instances/${d}` },
    { op: 'readdir', path: `instances/${d}` },
    { op: 'readdir', path: `instances/${d}/events` },
    { op: 'stat', path: `instances/${d}/events/sched/sched_switch/enable` },
  ]),
];

/** What a slam may legitimately see: the instance exists already, is gone, or is busy. */
const SLAM_ERRNOS = new Set(['ok', 'EEXIST', 'ENOENT', 'EBUSY', 'ENODEV']);

/** Run `tasks` under random interleavings; return the mounts each run left behind. */
function slam(tasks: Op[][], seed: number, runs: number): Tracefs[] {
  const mounts: Tracefs[] = [];
  const r = explore({
    tasks,
    setup: (fs) => {
      mounts.push(fs);
    },
    strategy: { kind: 'random', seed, runs },
    invariants: 'end',
    maxFailures: 4,
  });
  expect(r.failures.map((f) => f.violation)).toEqual([]);
  expect(r.schedules).toBe(runs);
  return mounts;
}

/** The tail of both scripts: `mkdir x y z; ls x y z; rmdir x y z; [ -d $d ] && fail`. */
function afterSlam(fs: Tracefs): void {
  for (const d of ['x', 'y', 'z']) {
    // A slam turn can end with its instances still there (its rmdir lost a race).
    if (isDir(fs, `instances/${d}`)) fs.rmdir(`instances/${d}`);
  }
  for (const d of ['x', 'y', 'z']) fs.mkdir(`instances/${d}`);
  for (const d of ['x', 'y', 'z']) expect(ls(fs, `instances/${d}`)).toContain('events');
  for (const d of ['x', 'y', 'z']) fs.rmdir(`instances/${d}`);
  for (const d of ['x', 'y', 'z']) expect(isDir(fs, `instances/${d}`)).toBe(false);
  expect(ls(fs, 'instances')).toEqual([]);
  expect(fs.checkInvariants()).toEqual([]);
}

/** Nothing leaks: after a shrink the mount is back to a cold mount of the same catalog. */
function backToCold(fs: Tracefs, cold: Tracefs): void {
  fs.shrink();
  expect(fs.counters()).toEqual(cold.counters());
}

/**
 * instances/instance.tc. Left out: nothing; `sleep 1` and `kill -1` become "each background
 * shell runs one turn of its loop", and the five shells plus `ls -lR` are six CPUs.
 */
describe('instances/instance.tc: creation and deletion of trace instances', () => {
  it('cd instances; mkdir x; rmdir x (instance rmdir is supported)', () => {
    const fs = mount();
    fs.mkdir('instances/x');
    fs.rmdir('instances/x');
    expect(isDir(fs, 'instances/x')).toBe(false);
  });

  it('instance_slam x5 & ls -lR: every interleaving is clean (explore, 6 CPUs)', () => {
    const tasks = [slamXyz, slamXyz, slamXyz, slamXyz, slamXyz, lsR];
    for (const fs of slam(tasks, 2024, 40)) {
      afterSlam(fs);
    }
  });

  it('PCT interleavings are clean too; a replayed run sees only EEXIST/ENOENT/EBUSY', () => {
    const mounts: Tracefs[] = [];
    const r = explore({
      tasks: [slamXyz, slamXyz, lsR],
      setup: (fs) => {
        mounts.push(fs);
      },
      strategy: { kind: 'pct', seed: 7, runs: 30, depth: 3 },
      invariants: 'end',
    });
    expect(r.failures).toEqual([]);
    for (const fs of mounts) afterSlam(fs);
    // One interleaving in detail: CPU0 and CPU1 alternate for four steps each.
    const rr = replay({ tasks: [slamXyz, slamXyz, lsR] }, '01010101');
    expect(rr.violation).toBeNull();
    const codes = rr.results.flat().map((x) => x.result);
    expect(codes.filter((c) => !SLAM_ERRNOS.has(c))).toEqual([]);
    expect(rr.results[0]!.map((x) => x.result).slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
  });

  it('the same turns run one after another on the synchronous API', () => {
    const fs = mount();
    const cold = mount();
    const seen = new Set<string>();
    for (let shell = 0; shell < 5; shell++) {
      for (const op of slamXyz) {
        const code = errno(() => {
          if (op.op === 'mkdir') fs.mkdir(op.path!);
          else fs.rmdir(op.path!);
        });
        seen.add(code);
      }
      expect(errno(() => fs.readdir('instances'))).toBe('ok');
    }
    expect([...seen].filter((c) => !SLAM_ERRNOS.has(c))).toEqual([]);
    afterSlam(fs);
    backToCold(fs, cold);
  });
});

/** instance_slam() of instance-event.tc: `mkdir foo; rmdir foo`. */
const slamFoo: Op[] = [
  { op: 'mkdir', path: 'instances/foo' },
  { op: 'rmdir', path: 'instances/foo' },
];

/**
 * instance_set(): `echo 1 > foo/events/sched/sched_switch`, literally. That path is the event's
 * directory, so the write can only fail: EISDIR while the instance exists, ENOENT otherwise (a
 * slip in the selftest, which meant `.../sched_switch/enable`; see instanceSetEnable).
 */
const instanceSet: Op[] = [
  { op: 'writeFile', path: 'instances/foo/events/sched/sched_switch', data: '1\n' },
  { op: 'writeFile', path: 'instances/foo/events/sched/sched_switch', data: '1\n' },
];

/** What instance_set() meant: enable sched_switch in the instance while it comes and goes. */
const instanceSetEnable: Op[] = [
  { op: 'writeFile', path: 'instances/foo/events/sched/sched_switch/enable', data: '1\n' },
  { op: 'writeFile', path: 'instances/foo/events/sched/enable', data: '0\n' },
];

/**
 * instance_read(): `cat foo/trace` is not modelled (no ring buffer). Stand-in: cat of
 * foo/tracing_on, whose open also takes trace_array_get() (tracing_open_generic_tr), so it
 * races instance_rmdir() the same way (EBUSY while open, ENODEV after removal).
 */
const instanceRead: Op[] = [
  { op: 'readFile', path: 'instances/foo/tracing_on' },
  { op: 'open', path: 'instances/foo/set_event' },
];

/**
 * instances/instance-event.tc. Left out: `cat foo/trace` (not modelled; stand-in above) and
 * the `echo "schedule:enable_event:sched:sched_switch" > foo/set_ftrace_filter` step with its
 * `../set_ftrace_filter` cleanup (set_ftrace_filter is not modelled).
 */
describe('instances/instance-event.tc: instances created and deleted while setting an event', () => {
  it('mkdir x; rmdir x (instance rmdir is supported)', () => {
    const fs = mount();
    fs.mkdir('instances/x');
    fs.rmdir('instances/x');
  });

  it('instance_slam & instance_set & instance_read: every interleaving is clean (3 CPUs)', () => {
    const tasks = [slamFoo, instanceSet, instanceRead];
    for (const fs of slam(tasks, 99, 50)) {
      // sleep 1; mkdir foo; ls foo; rmdir foo; [ -d foo ] && fail
      if (isDir(fs, 'instances/foo')) fs.rmdir('instances/foo');
      fs.mkdir('instances/foo');
      expect(ls(fs, 'instances/foo')).toContain('tracing_on');
      fs.rmdir('instances/foo');
      expect(isDir(fs, 'instances/foo')).toBe(false);
      expect(fs.checkInvariants()).toEqual([]);
    }
  });

  it('what instance_set meant (.../sched_switch/enable) is clean too (3 CPUs)', () => {
    for (const fs of slam([slamFoo, instanceSetEnable, instanceRead], 5, 50)) {
      if (isDir(fs, 'instances/foo')) fs.rmdir('instances/foo');
      expect(fs.checkInvariants()).toEqual([]);
    }
  });

  it('echo 1 > foo/events/sched/sched_switch: EISDIR with foo, ENOENT without', () => {
    const fs = mount();
    expect(
      errno(() => {
        fs.writeFile('instances/foo/events/sched/sched_switch', '1\n');
      }),
    ).toBe('ENOENT');
    fs.mkdir('instances/foo');
    expect(
      errno(() => {
        fs.writeFile('instances/foo/events/sched/sched_switch', '1\n');
      }),
    ).toBe('EISDIR');
    fs.rmdir('instances/foo');
  });

  it('mkdir foo; ls foo; rmdir foo; foo is gone', () => {
    const fs = mount();
    fs.mkdir('instances/foo');
    expect(ls(fs, 'instances/foo').sort()).toEqual(
      ['available_tracers', 'current_tracer', 'events', 'set_event', 'tracing_on'].sort(),
    );
    fs.rmdir('instances/foo');
    expect(isDir(fs, 'instances/foo')).toBe(false);
  });

  it('rmdir foo while instance_read holds a file open is EBUSY; the file then closes fine', () => {
    const fs = mount();
    fs.mkdir('instances/foo');
    const f = fs.open('instances/foo/tracing_on');
    expect(
      errno(() => {
        fs.rmdir('instances/foo');
      }),
    ).toBe('EBUSY');
    expect(f.read()).toBe('1\n');
    f.close();
    fs.rmdir('instances/foo');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('the second instance_slam x5 & ls -lR, then mkdir/ls/rmdir x y z', () => {
    for (const fs of slam([slamXyz, slamXyz, slamXyz, slamXyz, slamXyz, lsR], 31337, 30)) {
      afterSlam(fs);
    }
  });
});
