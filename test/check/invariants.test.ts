/**
 * Each invariant of src/check fires on the state it describes (made by hand here), and stays
 * quiet on a healthy mount.
 */
import { describe, expect, it } from 'vitest';
import { TracefsMount } from '../../src/facade';
import { SIM_CATALOG } from '../../src/sim/machine';
import { getTracefs } from '../../src/tracefs/inode';
import { Task } from '../../src/vfs/sched';

function fresh(): TracefsMount {
  const fs = new TracefsMount({ catalog: SIM_CATALOG });
  fs.stat('events/sched/sched_switch/enable');
  return fs;
}

function kinds(fs: TracefsMount): string[] {
  return fs.checkInvariants().map((v) => `${v.kind}: ${v.message}`);
}

describe('checkInvariants', () => {
  it('is empty on a healthy mount, warm or cold', () => {
    const fs = fresh();
    expect(fs.checkInvariants()).toEqual([]);
    fs.shrink();
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('reports a negative dentry that hides a name eventfs would find', () => {
    const fs = fresh();
    const events = fs.tracefs.sb.dcache.peek(fs.root, 'events')!;
    const d = fs.tracefs.sb.dcache.alloc(events, 'irq');
    fs.tracefs.sb.dcache.add(d, null);
    expect(kinds(fs).join('\n')).toMatch(
      /invariant: negative dentry 'events\/irq' hides directory 'irq'/,
    );
  });

  it('reports an eventfs_inode whose kref does not match the references to it', () => {
    const fs = fresh();
    const ei = [...fs.eventfs.live].find((e) => e.name === 'sched_switch')!;
    ei.kref = ei.kref + 1;
    expect(kinds(fs).join('\n')).toMatch(
      /refcount: eventfs_inode 'sched_switch' has kref \d+, expected \d+/,
    );
  });

  it('reports a dentry whose count is below the references its children and pin hold', () => {
    const fs = fresh();
    const events = fs.tracefs.sb.dcache.peek(fs.root, 'events')!;
    events.count = 0;
    expect(kinds(fs).join('\n')).toMatch(/refcount: dentry 'events' has d_count 0/);
  });

  it('reports a lock still held when nothing runs', () => {
    const fs = fresh();
    fs.eventfs.mutex.owner = new Task(7, 'cpu7');
    expect(kinds(fs)).toContain('deadlock: eventfs_mutex still held by cpu7');
  });

  it('reports a hashed eventfs directory whose ti->private was never set', () => {
    const fs = fresh();
    const sched = fs.tracefs.sb.dcache.peek(
      fs.tracefs.sb.dcache.peek(fs.root, 'events')!,
      'sched',
    )!;
    getTracefs(sched.inode!).scrub();
    expect(kinds(fs).join('\n')).toMatch(
      /exposes an eventfs directory inode whose ti->private was never set/,
    );
  });

  it('reports a live dentry pointing at freed memory', () => {
    const fs = fresh();
    const events = fs.tracefs.sb.dcache.peek(fs.root, 'events')!;
    const sched = fs.tracefs.sb.dcache.peek(events, 'sched')!;
    sched.inode!.poison('test');
    expect(kinds(fs).join('\n')).toMatch(
      /use-after-free: dentry 'sched' points at an evicted inode/,
    );
  });
});
