/**
 * instances/: mkdir and rmdir of trace instances, checked against kernel/trace/trace.c
 * (instance_mkdir, trace_array_create, instance_rmdir, __remove_instance) and
 * fs/tracefs/inode.c (tracefs_syscall_mkdir/rmdir), and the ftrace selftests under
 * test.d/instances.
 */
import { describe, expect, it } from 'vitest';
import { defaultCatalog, FsError, mount, type Tracefs } from '../../src/index';

function errno(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
  return 'ok';
}

const names = (fs: Tracefs, path: string): string[] => fs.readdir(path).map((d) => d.name);
const FOO = 'instances/foo';
const SW = 'events/sched/sched_switch';

describe('mkdir instances/NAME', () => {
  it('creates the instance files and a full events tree', () => {
    const fs = mount();
    fs.mkdir(FOO);
    expect(fs.stat(FOO).isDirectory()).toBe(true);
    expect(names(fs, 'instances')).toEqual(['.', '..', 'foo']);
    expect(new Set(names(fs, FOO))).toEqual(
      new Set([
        '.',
        '..',
        'set_event',
        'events',
        'available_tracers',
        'current_tracer',
        'tracing_on',
      ]),
    );
    const top = names(fs, 'events');
    const inst = names(fs, `${FOO}/events`);
    expect(inst.slice(0, 5)).toEqual(['.', '..', 'enable', 'header_page', 'header_event']);
    expect(new Set(inst)).toEqual(new Set(top));
    expect(inst.length).toBe(5 + defaultCatalog().systems.length);
    expect(names(fs, `${FOO}/${SW}`)).toEqual(names(fs, SW));
    expect(fs.readFile(`${FOO}/${SW}/format`)).toBe(fs.readFile(`${SW}/format`));
    expect(fs.readFile(`${FOO}/${SW}/id`)).toBe(fs.readFile(`${SW}/id`));
    expect(fs.readFile(`${FOO}/set_event`)).toBe('');
    expect(fs.readFile(`${FOO}/tracing_on`)).toBe('1\n');
    expect(fs.readFile(`${FOO}/current_tracer`)).toBe('nop\n');
    fs.rmdir(FOO);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('makes the event directories walking ftrace_events, i.e. the catalog reversed', () => {
    const fs = mount();
    fs.mkdir(FOO);
    const order = (path: string): string[] => names(fs, path).slice(5);
    const systems = defaultCatalog().systems.map((s) => s.name);
    expect(order('events')).toEqual(systems);
    expect(order(`${FOO}/events`)).toEqual([...systems].reverse());
    const sched = defaultCatalog()
      .findSystem('sched')!
      .events.map((e) => e.name);
    expect(names(fs, 'events/sched').slice(4)).toEqual(sched);
    expect(names(fs, `${FOO}/events/sched`).slice(4)).toEqual([...sched].reverse());
    // tr->events itself ends up in catalog order in both.
    fs.appendFile(`${FOO}/set_event`, 'sched:*');
    fs.appendFile('set_event', 'sched:*');
    expect(fs.readFile(`${FOO}/set_event`)).toBe(fs.readFile('set_event'));
    fs.writeFile('set_event', '');
    fs.rmdir(FOO);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('has state of its own: nothing done in it shows at the top, and the reverse', () => {
    const fs = mount();
    fs.mkdir(FOO);
    fs.writeFile(`${FOO}/${SW}/enable`, '1');
    expect(fs.readFile(`${FOO}/set_event`)).toBe('sched:sched_switch\n');
    expect(fs.readFile(`${SW}/enable`)).toBe('0\n');
    expect(fs.readFile('set_event')).toBe('');
    expect(fs.readFile('events/sched/enable')).toBe('0\n');
    expect(fs.readFile(`${FOO}/events/sched/enable`)).toBe('X\n');
    fs.appendFile('set_event', 'irq');
    expect(fs.readFile(`${FOO}/events/irq/enable`)).toBe('0\n');
    fs.writeFile(`${FOO}/${SW}/filter`, 'prev_pid == 3');
    expect(fs.readFile(`${SW}/filter`)).toBe('none\n');
    fs.appendFile(`${FOO}/${SW}/trigger`, 'traceoff');
    expect(fs.readFile(`${SW}/trigger`)).toMatch(/^# Available triggers:/);
    fs.writeFile(`${FOO}/tracing_on`, '0');
    expect(fs.readFile('tracing_on')).toBe('1\n');
    fs.writeFile(`${FOO}/current_tracer`, 'function');
    expect(fs.readFile('current_tracer')).toBe('nop\n');
    // Truncating the top set_event leaves the instance alone.
    fs.writeFile('set_event', '');
    expect(fs.readFile(`${FOO}/set_event`)).toBe('sched:sched_switch\n');
    fs.rmdir(FOO);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('offers only the tracers that allow instances', () => {
    const fs = mount();
    fs.mkdir(FOO);
    expect(fs.readFile(`${FOO}/available_tracers`)).toBe('function nop\n');
    for (const t of ['wakeup', 'wakeup_rt', 'wakeup_dl', 'function_graph', 'nosuch']) {
      expect(
        errno(() => {
          fs.writeFile(`${FOO}/current_tracer`, t);
        }),
        t,
      ).toBe('EINVAL');
    }
    fs.writeFile(`${FOO}/current_tracer`, 'function');
    expect(fs.readFile(`${FOO}/current_tracer`)).toBe('function\n');
    fs.rmdir(FOO);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('refuses an existing name (EEXIST), other places (EPERM) and long names (ENAMETOOLONG)', () => {
    const fs = mount();
    fs.mkdir(FOO);
    expect(
      errno(() => {
        fs.mkdir(FOO);
      }),
    ).toBe('EEXIST');
    expect(
      errno(() => {
        fs.mkdir('instances');
      }),
    ).toBe('EEXIST');
    expect(
      errno(() => {
        fs.mkdir(`${FOO}/bar`);
      }),
    ).toBe('EPERM');
    expect(
      errno(() => {
        fs.mkdir('bar');
      }),
    ).toBe('EPERM');
    expect(
      errno(() => {
        fs.mkdir('events/bar');
      }),
    ).toBe('EPERM');
    expect(
      errno(() => {
        fs.mkdir(`instances/${'x'.repeat(256)}`);
      }),
    ).toBe('ENAMETOOLONG');
    // 255 bytes is NAME_MAX; multi-byte characters count in bytes.
    expect(
      errno(() => {
        fs.mkdir(`instances/${'é'.repeat(128)}`);
      }),
    ).toBe('ENAMETOOLONG');
    const longest = `instances/${'x'.repeat(255)}`;
    fs.mkdir(longest);
    expect(fs.readFile(`${longest}/tracing_on`)).toBe('1\n');
    fs.rmdir(longest);
    fs.rmdir(FOO);
    expect(names(fs, 'instances')).toEqual(['.', '..']);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('can be made again after rmdir, with fresh state', () => {
    const fs = mount();
    fs.mkdir(FOO);
    fs.appendFile(`${FOO}/set_event`, 'sched');
    fs.writeFile(`${FOO}/tracing_on`, '0');
    fs.rmdir(FOO);
    fs.mkdir(FOO);
    expect(fs.readFile(`${FOO}/set_event`)).toBe('');
    expect(fs.readFile(`${FOO}/tracing_on`)).toBe('1\n');
    fs.rmdir(FOO);
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('rmdir instances/NAME', () => {
  it('removes everything: the path and all below it are ENOENT', () => {
    const fs = mount();
    fs.mkdir(FOO);
    fs.readFile(`${FOO}/${SW}/enable`);
    fs.rmdir(FOO);
    for (const p of [FOO, `${FOO}/set_event`, `${FOO}/events`, `${FOO}/${SW}/enable`]) {
      expect(
        errno(() => fs.stat(p)),
        p,
      ).toBe('ENOENT');
    }
    expect(
      errno(() => {
        fs.rmdir(FOO);
      }),
    ).toBe('ENOENT');
    expect(names(fs, 'instances')).toEqual(['.', '..']);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('is EBUSY while a file that pins the instance is open', () => {
    const fs = mount();
    fs.mkdir(FOO);
    const pinning: [string, 'r' | 'r+'][] = [
      ['set_event', 'r'],
      ['tracing_on', 'r'],
      ['current_tracer', 'r+'],
      ['available_tracers', 'r'],
      ['events/enable', 'r'],
      ['events/header_page', 'r'],
      ['events/header_event', 'r'],
      ['events/sched/enable', 'r'],
      ['events/sched/filter', 'r'],
      [`${SW}/enable`, 'r+'],
      [`${SW}/filter`, 'r'],
    ];
    for (const [file, flags] of pinning) {
      const f = fs.open(`${FOO}/${file}`, flags);
      expect(
        errno(() => {
          fs.rmdir(FOO);
        }),
        file,
      ).toBe('EBUSY');
      expect(fs.stat(`${FOO}/${file}`).isFile()).toBe(true);
      f.close();
    }
    const two = [fs.open(`${FOO}/tracing_on`), fs.open(`${FOO}/tracing_on`)];
    two[0]!.close();
    expect(
      errno(() => {
        fs.rmdir(FOO);
      }),
    ).toBe('EBUSY');
    two[1]!.close();
    fs.rmdir(FOO);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('is not stopped by format, id or trigger files, which take no reference', () => {
    const fs = mount();
    fs.mkdir(FOO);
    const format = fs.open(`${FOO}/${SW}/format`);
    const id = fs.open(`${FOO}/${SW}/id`);
    const trigger = fs.open(`${FOO}/${SW}/trigger`, 'r+');
    const expectedId = fs.readFile(`${SW}/id`);
    fs.rmdir(FOO);
    expect(errno(() => fs.stat(FOO))).toBe('ENOENT');
    expect(errno(() => format.read())).toBe('ENODEV');
    expect(errno(() => trigger.read())).toBe('ENODEV');
    expect(errno(() => trigger.write('traceoff'))).toBe('ENODEV');
    expect(id.read()).toBe(expectedId);
    format.close();
    id.close();
    trigger.close();
    fs.shrink();
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('works with events enabled and triggers set in the instance', () => {
    const fs = mount();
    fs.mkdir(FOO);
    fs.writeFile(`${FOO}/events/enable`, '1');
    fs.appendFile(`${FOO}/${SW}/trigger`, 'enable_event:sched:sched_waking');
    fs.rmdir(FOO);
    expect(fs.readFile('events/enable')).toBe('0\n');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('of something that is not an instance: EPERM, ENOTDIR or ENOENT as the VFS says', () => {
    const fs = mount();
    fs.mkdir(FOO);
    for (const p of [
      'instances',
      'events',
      'events/sched',
      SW,
      `${FOO}/events`,
      `${FOO}/events/sched`,
    ]) {
      expect(
        errno(() => {
          fs.rmdir(p);
        }),
        p,
      ).toBe('EPERM');
    }
    for (const p of ['set_event', `${FOO}/set_event`, `${SW}/enable`]) {
      expect(
        errno(() => {
          fs.rmdir(p);
        }),
        p,
      ).toBe('ENOTDIR');
    }
    expect(
      errno(() => {
        fs.rmdir('instances/nosuch');
      }),
    ).toBe('ENOENT');
    expect(
      errno(() => {
        fs.rmdir('nosuch');
      }),
    ).toBe('ENOENT');
    fs.rmdir(FOO);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('returns the counters to the cold baseline after shrink', () => {
    const cold = mount();
    cold.shrink();
    const baseline = cold.counters();
    const fs = mount();
    for (const name of ['a', 'b']) {
      fs.mkdir(`instances/${name}`);
      fs.readdir(`instances/${name}/events/sched`);
      fs.readFile(`instances/${name}/${SW}/format`);
      fs.stat(`instances/${name}/events/irq/softirq_raise/enable`);
      fs.appendFile(`instances/${name}/set_event`, 'sched');
    }
    fs.rmdir('instances/a');
    fs.rmdir('instances/b');
    fs.shrink();
    expect(fs.counters()).toEqual(baseline);
    expect(fs.checkInvariants()).toEqual([]);
    expect(cold.checkInvariants()).toEqual([]);
  });
});
