/**
 * The sequences users ran in the thread, on the fixed eventfs: each one failed on some state of
 * the code the thread walks through and must work on the code it ended with.
 */
import { describe, expect, it } from 'vitest';
import { createCatalog, FsError, mount, type Tracefs } from '../../src/index';

const small = createCatalog([
  { name: 'sched', events: [{ name: 'sched_switch' }, { name: 'sched_wakeup' }] },
  { name: 'irq', events: [{ name: 'irq_handler_entry' }] },
]);

function code(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
}

function names(fs: Tracefs, path: string): string[] {
  return fs
    .readdir(path)
    .map((e) => e.name)
    .filter((n) => n !== '.' && n !== '..')
    .sort();
}

function clean(fs: Tracefs): void {
  expect(fs.checkInvariants()).toEqual([]);
}

describe('the thread, on the fixed eventfs', () => {
  it("Steven's create, delete, recreate of a kprobe (2024-01-29 23:15)", () => {
    const fs = mount({ catalog: small });
    fs.appendFile('kprobe_events', 'p:sched schedule');
    expect(names(fs, 'events/kprobes')).toEqual(['enable', 'filter', 'sched']);
    fs.appendFile('kprobe_events', '-:sched schedule');
    expect(code(() => fs.readdir('events/kprobes/'))).toBe('ENOENT');
    fs.appendFile('kprobe_events', 'p:sched schedule');
    // On rfc-lookup-d_add this was "ls: cannot access 'events/kprobes/'" and `d?????????`.
    expect(names(fs, 'events/kprobes')).toEqual(['enable', 'filter', 'sched']);
    expect(fs.stat('events/kprobes').isDirectory()).toBe(true);
    expect(names(fs, 'events').includes('kprobes')).toBe(true);
    clean(fs);
  });

  it("Linus's lookup before create (2024-01-30 03:56)", () => {
    const fs = mount({ catalog: small });
    expect(code(() => fs.readdir('events/kprobes/'))).toBe('ENOENT');
    // No negative dentry was cached by the failed lookup.
    expect(fs.counters().negativeDentries).toBe(0);
    fs.appendFile('kprobe_events', 'p:sched schedule');
    expect(names(fs, 'events/kprobes')).toEqual(['enable', 'filter', 'sched']);
    expect(fs.readFile('events/kprobes/sched/enable')).toBe('0\n');
    clean(fs);
  });

  it('readdir and stat agree: every listed name can be stat-ed, types match', () => {
    const fs = mount({ catalog: small });
    fs.appendFile('kprobe_events', 'p:sched schedule');
    const walk = (path: string): void => {
      for (const e of fs.readdir(path)) {
        if (e.name === '.' || e.name === '..') continue;
        const p = `${path}/${e.name}`;
        const st = fs.stat(p);
        expect(st.isDirectory()).toBe(e.type === 'dir');
        expect(st.ino).toBe(e.ino);
        if (e.type === 'dir') walk(p);
      }
    };
    walk('events');
    clean(fs);
  });

  it('a removal is seen through a warm dcache (d_revalidate refuses the stale dentry)', () => {
    const fs = mount({ catalog: small });
    fs.appendFile('kprobe_events', 'p:myprobe schedule');
    // Warm the dcache: dentries for the directory and its files stay cached after use.
    expect(fs.stat('events/kprobes/myprobe/enable').isFile()).toBe(true);
    const warm = fs.counters().dentries;
    fs.appendFile('kprobe_events', '-:myprobe');
    // The cached dentries are still there...
    expect(fs.counters().dentries).toBe(warm);
    // ...but no lookup may return them.
    expect(code(() => fs.stat('events/kprobes/myprobe/enable'))).toBe('ENOENT');
    expect(code(() => fs.stat('events/kprobes/myprobe'))).toBe('ENOENT');
    expect(code(() => fs.stat('events/kprobes'))).toBe('ENOENT');
    clean(fs);
  });

  it('a recreated event directory is a fresh one, not the stale cached dentry', () => {
    const fs = mount({ catalog: small });
    fs.appendFile('kprobe_events', 'p:myprobe schedule');
    fs.writeFile('events/kprobes/myprobe/enable', '1');
    fs.writeFile('events/kprobes/myprobe/enable', '0');
    fs.appendFile('kprobe_events', '-:myprobe');
    fs.appendFile('kprobe_events', 'p:myprobe schedule');
    expect(fs.readFile('events/kprobes/myprobe/enable')).toBe('0\n');
    clean(fs);
  });

  it('churn returns every count to the baseline after shrink', () => {
    const fs = mount({ catalog: small });
    const cold = fs.counters();
    for (let i = 0; i < 20; i++) {
      fs.appendFile('kprobe_events', `p:p${i % 3} schedule`);
      fs.stat(`events/kprobes/p${i % 3}/format`);
      fs.readdir('events/kprobes');
      fs.readFile(`events/kprobes/p${i % 3}/id`);
      fs.appendFile('kprobe_events', `-:p${i % 3}`);
      expect(code(() => fs.stat(`events/kprobes/p${i % 3}`))).toBe('ENOENT');
      clean(fs);
    }
    fs.mkdir('instances/foo');
    fs.stat('instances/foo/events/sched/sched_switch/enable');
    fs.rmdir('instances/foo');
    fs.shrink();
    expect(fs.counters()).toEqual(cold);
    clean(fs);
  });

  it('ownership of events/ follows the mount root and remount; chmod survives eviction', () => {
    const fs = mount({ catalog: small, uid: 1000, gid: 1000 });
    expect(fs.stat('events').uid).toBe(1000);
    expect(fs.stat('events/sched/sched_switch/enable').gid).toBe(1000);
    fs.chmod('events/sched/sched_switch/enable', 0o600);
    fs.shrink();
    expect(fs.stat('events/sched/sched_switch/enable').mode & 0o7777).toBe(0o600);
    fs.remount({ uid: 2000 });
    fs.shrink();
    expect(fs.stat('events').uid).toBe(2000);
    expect(fs.stat('events/sched/sched_switch/enable').uid).toBe(2000);
    clean(fs);
  });

  it('directory inode numbers are stable across eviction; files share EVENTFS_FILE_INODE_INO', () => {
    const fs = mount({ catalog: small });
    const ino = fs.stat('events/sched').ino;
    fs.shrink();
    expect(fs.stat('events/sched').ino).toBe(ino);
    expect(fs.stat('events/sched/enable').ino).toBe(0x12c4e37);
    expect(fs.stat('events/irq/irq_handler_entry/id').ino).toBe(0x12c4e37);
    clean(fs);
  });
});
