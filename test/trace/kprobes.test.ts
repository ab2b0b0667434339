/**
 * kprobe_events, checked against kernel/trace/trace_kprobe.c, trace_dynevent.c and
 * trace_probe.c (v6.8), and the ftrace selftests under test.d/kprobe and test.d/dynevent.
 */
import { describe, expect, it } from 'vitest';
import { FsError, mount, type Tracefs } from '../../src/index';

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
const EVENT_FILES = ['.', '..', 'enable', 'filter', 'trigger', 'format', 'id'];

describe('adding probes', () => {
  it('p:myprobe schedule creates events/kprobes/myprobe with its five files', () => {
    const fs = mount();
    expect(fs.readFile('kprobe_events')).toBe('');
    expect(errno(() => fs.stat('events/kprobes'))).toBe('ENOENT');
    fs.appendFile('kprobe_events', 'p:myprobe schedule\n');
    expect(fs.readFile('kprobe_events')).toBe('p:kprobes/myprobe schedule\n');
    expect(names(fs, 'events/kprobes')).toEqual(['.', '..', 'filter', 'enable', 'myprobe']);
    expect(names(fs, 'events/kprobes/myprobe')).toEqual(EVENT_FILES);
    expect(fs.readFile('events/kprobes/myprobe/enable')).toBe('0\n');
    expect(fs.readFile('events/kprobes/myprobe/filter')).toBe('none\n');
    expect(fs.readFile('available_events').split('\n')[0]).toBe('kprobes:myprobe');
    expect(fs.stat('kprobe_events').mode & 0o777).toBe(0o640);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('shows a kprobe format: __probe_ip, then the arguments by type', () => {
    const fs = mount();
    fs.appendFile(
      'kprobe_events',
      'p:myprobe vfs_read a=%di:u32 b=%si:s16 c=%dx s=+0(%si):string cm=$comm\n',
    );
    const id = Number(fs.readFile('events/kprobes/myprobe/id'));
    expect(fs.readFile('events/kprobes/myprobe/format')).toBe(
      `name: myprobe\nID: ${id}\nformat:\n` +
        '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n' +
        '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n' +
        '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n' +
        '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n' +
        '\n' +
        '\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n' +
        '\tfield:u32 a;\toffset:16;\tsize:4;\tsigned:0;\n' +
        '\tfield:s16 b;\toffset:20;\tsize:2;\tsigned:1;\n' +
        '\tfield:u64 c;\toffset:22;\tsize:8;\tsigned:0;\n' +
        '\tfield:__data_loc char[] s;\toffset:30;\tsize:4;\tsigned:1;\n' +
        '\tfield:__data_loc char[] cm;\toffset:34;\tsize:4;\tsigned:1;\n' +
        '\n' +
        'print fmt: "(%lx) a=%u b=%d c=0x%Lx s=\\"%s\\" cm=\\"%s\\"", REC->__probe_ip, REC->a, REC->b, REC->c, __get_str(s), __get_str(cm)\n',
    );
    fs.writeFile('events/kprobes/myprobe/filter', 'a > 3 && s ~ "ab*"');
    expect(fs.readFile('events/kprobes/myprobe/filter')).toBe('a > 3 && s ~ "ab*"\n');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('a return probe records __probe_func and __probe_ret_ip', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'r:myret vfs_read ret=$retval\n');
    const text = fs.readFile('events/kprobes/myret/format');
    expect(text).toContain(
      '\tfield:unsigned long __probe_func;\toffset:8;\tsize:8;\tsigned:0;\n' +
        '\tfield:unsigned long __probe_ret_ip;\toffset:16;\tsize:8;\tsigned:0;\n' +
        '\tfield:u64 ret;\toffset:24;\tsize:8;\tsigned:0;\n',
    );
    expect(text).toContain(
      'print fmt: "(%lx <- %lx) ret=0x%Lx", REC->__probe_func, REC->__probe_ret_ip, REC->ret\n',
    );
    expect(fs.readFile('kprobe_events')).toBe('r:kprobes/myret vfs_read ret=$retval\n');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('p:grp/ev puts the event in group grp', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:grp/ev schedule');
    expect(names(fs, 'events/grp')).toEqual(['.', '..', 'filter', 'enable', 'ev']);
    expect(fs.readFile('kprobe_events')).toBe('p:grp/ev schedule\n');
    fs.appendFile('kprobe_events', 'p:sched/myev schedule');
    expect(names(fs, 'events/sched/myev')).toEqual(EVENT_FILES);
    fs.appendFile('kprobe_events', '-:sched/myev');
    expect(fs.stat('events/sched').isDirectory()).toBe(true);
    expect(errno(() => fs.stat('events/sched/myev'))).toBe('ENOENT');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('names an unnamed probe %c_%s_%ld after type, symbol and offset', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p schedule\n');
    fs.appendFile('kprobe_events', 'p schedule+4\n');
    fs.appendFile('kprobe_events', 'r vfs_read\n');
    fs.appendFile('kprobe_events', 'p vfs_write%return\n');
    fs.appendFile('kprobe_events', 'p:grp/ do_sys_open\n');
    expect(fs.readFile('kprobe_events')).toBe(
      'p:kprobes/p_schedule_0 schedule\n' +
        'p:kprobes/p_schedule_4 schedule+4\n' +
        'r:kprobes/r_vfs_read_0 vfs_read\n' +
        'r:kprobes/r_vfs_write_0 vfs_write\n' +
        'p:grp/p_do_sys_open_0 do_sys_open\n',
    );
    expect(names(fs, 'events/kprobes').slice(4)).toEqual([
      'p_schedule_0',
      'p_schedule_4',
      'r_vfs_read_0',
      'r_vfs_write_0',
    ]);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('skips blank lines and # comments, and runs lines in order', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', '# a comment\n\np:a schedule # trailing\n  \np:b vfs_read\n');
    expect(fs.readFile('kprobe_events')).toBe('p:kprobes/a schedule\np:kprobes/b vfs_read\n');
    // A bad line fails the write; the lines before it have run (trace_parse_run_command).
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'p:c schedule\nbogus\np:d schedule\n');
      }),
    ).toBe('EINVAL');
    expect(fs.readFile('kprobe_events')).toBe(
      'p:kprobes/a schedule\np:kprobes/b vfs_read\np:kprobes/c schedule\n',
    );
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('bad syntax is EINVAL and changes nothing', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:keep schedule');
    const before = fs.readFile('kprobe_events');
    for (const bad of [
      'x:foo schedule',
      'p',
      'p:myprobe',
      'p:my-probe schedule',
      'p:/ev schedule',
      'p:myprobe schedule+x',
      'p:myprobe schedule bad=%nosuchreg',
      'p:myprobe schedule a=%di a=%si',
      'r:myprobe schedule+4',
      'p:myprobe schedule%entry',
      '!:keep',
      '-keep',
    ]) {
      expect(
        errno(() => {
          fs.appendFile('kprobe_events', bad);
        }),
        bad,
      ).toBe('EINVAL');
      expect(fs.readFile('kprobe_events')).toBe(before);
    }
    expect(names(fs, 'events/kprobes')).toEqual(['.', '..', 'filter', 'enable', 'keep']);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('an unknown symbol is ENOENT (v6.8)', () => {
    const fs = mount();
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'p:myprobe no_such_function');
      }),
    ).toBe('ENOENT');
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'p:myprobe schedule v=@no_such_var');
      }),
    ).toBe('ENOENT');
    expect(fs.readFile('kprobe_events')).toBe('');
    expect(errno(() => fs.stat('events/kprobes'))).toBe('ENOENT');
    // A MOD:SYM probe waits for its module.
    fs.appendFile('kprobe_events', 'p:modprobe nfs:nfs_lookup');
    expect(fs.readFile('kprobe_events')).toBe('p:kprobes/modprobe nfs:nfs_lookup\n');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('a name in use is EEXIST; a different probe point is appended to the event', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:myprobe schedule');
    const id = fs.readFile('events/kprobes/myprobe/id');
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'p:myprobe schedule');
      }),
    ).toBe('EEXIST'); // SAME_PROBE
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'r:myprobe schedule');
      }),
    ).toBe('EEXIST'); // DIFF_PROBE_TYPE
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'p:myprobe vfs_read a=%di');
      }),
    ).toBe('EEXIST'); // DIFF_ARG_TYPE
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'p:sched/sched_switch schedule');
      }),
    ).toBe('EEXIST');
    fs.appendFile('kprobe_events', 'p:myprobe vfs_read');
    expect(fs.readFile('kprobe_events')).toBe(
      'p:kprobes/myprobe schedule\np:kprobes/myprobe vfs_read\n',
    );
    expect(fs.readFile('events/kprobes/myprobe/id')).toBe(id);
    expect(names(fs, 'events/kprobes')).toEqual(['.', '..', 'filter', 'enable', 'myprobe']);
    // -:EVENT SYM picks one probe; the event stays with the other.
    fs.appendFile('kprobe_events', '-:myprobe vfs_read');
    expect(fs.readFile('kprobe_events')).toBe('p:kprobes/myprobe schedule\n');
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', '-:myprobe vfs_read');
      }),
    ).toBe('ENOENT');
    fs.appendFile('kprobe_events', 'p:myprobe vfs_read');
    fs.appendFile('kprobe_events', '-:myprobe');
    expect(fs.readFile('kprobe_events')).toBe('');
    expect(errno(() => fs.stat('events/kprobes'))).toBe('ENOENT');
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('removing probes', () => {
  it('-:myprobe removes it, and events/kprobes goes with its last event', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:a schedule\np:b schedule\n');
    fs.readFile('events/kprobes/a/enable');
    fs.appendFile('kprobe_events', '-:a');
    expect(errno(() => fs.stat('events/kprobes/a'))).toBe('ENOENT');
    expect(names(fs, 'events/kprobes')).toEqual(['.', '..', 'filter', 'enable', 'b']);
    fs.appendFile('kprobe_events', '-:kprobes/b');
    expect(errno(() => fs.stat('events/kprobes'))).toBe('ENOENT');
    expect(names(fs, 'events')).not.toContain('kprobes');
    expect(fs.readFile('kprobe_events')).toBe('');
    expect(fs.readFile('available_events').split('\n')[0]).toBe('nfs:nfs_set_inode_stale');
    fs.shrink();
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('removing an unknown probe is ENOENT', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:grp/ev schedule');
    for (const cmd of [
      '-:nosuch',
      '-:kprobes/ev',
      '-:grp/nosuch',
      '-:ev vfs_read',
      '-:sched/sched_switch',
    ]) {
      expect(
        errno(() => {
          fs.appendFile('kprobe_events', cmd);
        }),
        cmd,
      ).toBe('ENOENT');
    }
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', '-:');
      }),
    ).toBe('EINVAL');
    expect(fs.readFile('kprobe_events')).toBe('p:grp/ev schedule\n');
    fs.appendFile('kprobe_events', '-:ev schedule');
    expect(fs.readFile('kprobe_events')).toBe('');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('-:EVENT without a group removes that name in every group', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:g1/ev schedule\np:g2/ev vfs_read\np:g2/other vfs_read\n');
    fs.appendFile('kprobe_events', '-:ev');
    expect(fs.readFile('kprobe_events')).toBe('p:g2/other vfs_read\n');
    expect(errno(() => fs.stat('events/g1'))).toBe('ENOENT');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('is EBUSY while the event is enabled, in any instance', () => {
    const fs = mount();
    fs.mkdir('instances/foo');
    fs.appendFile('kprobe_events', 'p:myprobe schedule');
    fs.writeFile('events/kprobes/myprobe/enable', '1');
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', '-:myprobe');
      }),
    ).toBe('EBUSY');
    expect(fs.readFile('kprobe_events')).toBe('p:kprobes/myprobe schedule\n');
    fs.writeFile('events/kprobes/myprobe/enable', '0');
    fs.appendFile('instances/foo/set_event', 'kprobes:myprobe');
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', '-:myprobe');
      }),
    ).toBe('EBUSY');
    expect(
      errno(() => {
        fs.writeFile('kprobe_events', '');
      }),
    ).toBe('EBUSY');
    fs.writeFile('instances/foo/set_event', '');
    fs.appendFile('kprobe_events', '-:myprobe');
    expect(errno(() => fs.stat('instances/foo/events/kprobes'))).toBe('ENOENT');
    fs.rmdir('instances/foo');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('is EBUSY while a trigger keeps the event in soft mode or points at it', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:myprobe schedule');
    fs.appendFile('events/kprobes/myprobe/trigger', 'traceoff');
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', '-:myprobe');
      }),
    ).toBe('EBUSY');
    fs.appendFile('events/kprobes/myprobe/trigger', '!traceoff');
    fs.appendFile('events/sched/sched_switch/trigger', 'enable_event:kprobes:myprobe');
    expect(fs.readFile('events/kprobes/myprobe/enable')).toBe('0*\n');
    expect(
      errno(() => {
        fs.writeFile('kprobe_events', '');
      }),
    ).toBe('EBUSY');
    fs.appendFile('events/sched/sched_switch/trigger', '!enable_event:kprobes:myprobe');
    fs.writeFile('kprobe_events', '');
    expect(fs.readFile('kprobe_events')).toBe('');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('succeeds with one of its files open; the open file then answers ENODEV', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:myprobe schedule');
    const enable = fs.open('events/kprobes/myprobe/enable', 'r+');
    const format = fs.open('events/kprobes/myprobe/format', 'r');
    const id = fs.open('events/kprobes/myprobe/id', 'r');
    const expected = fs.readFile('events/kprobes/myprobe/id');
    // Since v6.7 (trace_event_file ref counts, EVENT_FILE_FL_FREED) this is no longer EBUSY.
    fs.writeFile('kprobe_events', '');
    expect(errno(() => fs.stat('events/kprobes/myprobe'))).toBe('ENOENT');
    expect(errno(() => enable.read())).toBe('ENODEV');
    expect(errno(() => enable.write('1'))).toBe('ENODEV');
    expect(errno(() => enable.write('7'))).toBe('EINVAL');
    expect(errno(() => format.read())).toBe('ENODEV');
    // The id was stored as the file's data.
    expect(id.read()).toBe(expected);
    enable.close();
    format.close();
    id.close();
    fs.shrink();
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('truncating kprobe_events removes every probe, or none if one is enabled', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:a schedule\np:g/b vfs_read\nr:c vfs_write\n');
    fs.appendFile('set_event', 'kprobes:c');
    expect(
      errno(() => {
        fs.writeFile('kprobe_events', 'p:d schedule');
      }),
    ).toBe('EBUSY');
    expect(fs.readFile('kprobe_events').split('\n').length - 1).toBe(3);
    fs.appendFile('set_event', '!kprobes:c');
    fs.writeFile('kprobe_events', 'p:d schedule\n');
    expect(fs.readFile('kprobe_events')).toBe('p:kprobes/d schedule\n');
    expect(names(fs, 'events')).not.toContain('g');
    fs.writeFile('kprobe_events', '');
    expect(fs.readFile('kprobe_events')).toBe('');
    fs.shrink();
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('gives a freed id to the next event (ida_alloc_range)', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:a schedule\np:b schedule\n');
    const a = Number(fs.readFile('events/kprobes/a/id'));
    const b = Number(fs.readFile('events/kprobes/b/id'));
    expect(b).toBe(a + 1);
    fs.appendFile('kprobe_events', '-:a');
    fs.appendFile('kprobe_events', 'p:c schedule');
    expect(Number(fs.readFile('events/kprobes/c/id'))).toBe(a);
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('ftrace selftests (test.d/kprobe)', () => {
  it('busy_check.tc: truncation fails while the event is enabled, then succeeds', () => {
    const fs = mount();
    fs.writeFile('kprobe_events', 'p:myevent kernel_clone\n');
    expect(fs.stat('events/kprobes/myevent').isDirectory()).toBe(true);
    fs.writeFile('events/kprobes/myevent/enable', '1\n');
    expect(
      errno(() => {
        fs.writeFile('kprobe_events', '\n');
      }),
    ).toBe('EBUSY');
    fs.writeFile('events/kprobes/myevent/enable', '0\n');
    fs.writeFile('kprobe_events', '\n');
    expect(fs.readFile('kprobe_events')).toBe('');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('kprobe_multiprobe.tc: two probes on one event, removed by name or one by one', () => {
    const fs = mount();
    const DEF1 = 'p:kprobes/testevent kernel_clone';
    const DEF2 = 'p:kprobes/testevent do_exit';
    fs.appendFile('kprobe_events', `${DEF1}\n`);
    fs.appendFile('kprobe_events', `${DEF2}\n`);
    expect(fs.readFile('kprobe_events')).toBe(`${DEF1}\n${DEF2}\n`);
    fs.appendFile('kprobe_events', '-:kprobes/testevent\n');
    expect(fs.readFile('kprobe_events')).toBe('');
    fs.appendFile('kprobe_events', `${DEF1}\n`);
    fs.appendFile('kprobe_events', `${DEF2}\n`);
    fs.appendFile('kprobe_events', '-:kprobes/testevent kernel_clone\n');
    expect(fs.readFile('kprobe_events')).toBe(`${DEF2}\n`);
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', `${DEF1} $stack\n`);
      }),
    ).toBe('EEXIST');
    fs.writeFile('kprobe_events', '');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('removing by name stops at the probe that cannot go: its siblings are gone already', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:ev kernel_clone\np:ev do_exit\n');
    fs.writeFile('events/kprobes/ev/enable', '1');
    // The first probe has a sibling and just goes; the last one takes the event and is busy.
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', '-:ev');
      }),
    ).toBe('EBUSY');
    expect(fs.readFile('kprobe_events')).toBe('p:kprobes/ev do_exit\n');
    fs.writeFile('events/kprobes/ev/enable', '0');
    fs.appendFile('kprobe_events', '-:ev');
    expect(fs.readFile('kprobe_events')).toBe('');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('appends when the argument types are the same fetch_type (a bitfield is its container)', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:bf vfs_read a=%di:b4@0/32\n');
    fs.appendFile('kprobe_events', 'p:bf vfs_write a=%si:u32\n');
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'p:bf do_exit a=%si:x32');
      }),
    ).toBe('EEXIST');
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'p:bf do_exit b=%si:u32');
      }),
    ).toBe('EEXIST');
    expect(fs.readFile('kprobe_events')).toBe(
      'p:kprobes/bf vfs_read a=%di:b4@0/32\np:kprobes/bf vfs_write a=%si:u32\n',
    );
    expect(fs.readFile('events/kprobes/bf/format')).toContain(
      '\tfield:u32 a;\toffset:16;\tsize:4;\tsigned:0;\n',
    );
    fs.writeFile('kprobe_events', '');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('kretprobe_maxactive.tc: rN keeps its maxactive', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'r100 vfs_read\n');
    expect(fs.readFile('kprobe_events')).toBe('r100:kprobes/r_vfs_read_0 vfs_read\n');
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'r4097 vfs_write');
      }),
    ).toBe('EINVAL');
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', 'p10 vfs_write');
      }),
    ).toBe('EINVAL');
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('kprobes and instances', () => {
  it('a new event appears in every instance, existing or made later', () => {
    const fs = mount();
    fs.mkdir('instances/old');
    fs.appendFile('kprobe_events', 'p:first schedule\np:second schedule\n');
    fs.mkdir('instances/new');
    for (const i of ['instances/old', 'instances/new']) {
      expect(names(fs, `${i}/events/kprobes/first`)).toEqual(EVENT_FILES);
      expect(fs.readFile(`${i}/events/kprobes/second/enable`)).toBe('0\n');
    }
    // Added after the instance: at the head of its tr->events. Present when the instance was
    // made: __trace_add_event_dirs() walked ftrace_events, so they end its list.
    expect(fs.readFile('instances/old/available_tracers')).toBe('function nop\n');
    fs.appendFile('instances/old/set_event', 'kprobes:*');
    fs.appendFile('instances/new/set_event', 'kprobes:*');
    expect(fs.readFile('instances/old/set_event')).toBe('kprobes:second\nkprobes:first\n');
    expect(fs.readFile('instances/new/set_event')).toBe('kprobes:first\nkprobes:second\n');
    expect(fs.readFile('set_event')).toBe('');
    fs.writeFile('instances/old/set_event', '');
    fs.writeFile('instances/new/set_event', '');
    fs.writeFile('kprobe_events', '');
    for (const i of ['instances/old', 'instances/new']) {
      expect(errno(() => fs.stat(`${i}/events/kprobes`))).toBe('ENOENT');
    }
    fs.rmdir('instances/old');
    fs.rmdir('instances/new');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('removing an instance drops its triggers that kept a probe busy', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:myprobe schedule');
    fs.mkdir('instances/foo');
    fs.appendFile(
      'instances/foo/events/sched/sched_switch/trigger',
      'enable_event:kprobes:myprobe',
    );
    expect(
      errno(() => {
        fs.appendFile('kprobe_events', '-:myprobe');
      }),
    ).toBe('EBUSY');
    fs.rmdir('instances/foo');
    fs.appendFile('kprobe_events', '-:myprobe');
    expect(fs.readFile('kprobe_events')).toBe('');
    fs.shrink();
    expect(fs.checkInvariants()).toEqual([]);
  });
});
