/**
 * The top-level control files and the per-event files, checked against kernel/trace/trace.c,
 * trace_events.c, trace_events_filter.c and trace_events_trigger.c (v6.8).
 */
import { describe, expect, it } from 'vitest';
import { createCatalog, defaultCatalog, FsError, mount, type Tracefs } from '../../src/index';
import { DEFAULT_SYS_FILTER_MESSAGE } from '../../src/trace/instance';
import { TRIGGER_FILE_HEADER } from '../../src/trace/trigger-parse';

function errno(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
  return 'ok';
}

const SW = 'events/sched/sched_switch';
const AVAILABLE = defaultCatalog()
  .systems.flatMap((s) => s.events.map((e) => `${e.system}:${e.name}\n`))
  .join('');

/** A mount nobody writes to: read-only checks share it. */
const ro = mount();

describe('available_events', () => {
  it('lists system:event for all 2002 catalog events, in catalog (tr->events) order', () => {
    const text = ro.readFile('available_events');
    expect(text.split('\n').length - 1).toBe(2002);
    expect(text).toBe(AVAILABLE);
    expect(ro.stat('available_events').mode & 0o777).toBe(0o440);
    expect(ro.checkInvariants()).toEqual([]);
  });

  it('puts each new kprobe event at the head (list_add in trace_create_new_event)', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:first schedule\n');
    fs.appendFile('kprobe_events', 'p:second vfs_read\n');
    const lines = fs.readFile('available_events').split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'kprobes:second',
      'kprobes:first',
      'nfs:nfs_set_inode_stale',
    ]);
    expect(lines.length - 1).toBe(2004);
    fs.writeFile('kprobe_events', '');
    expect(fs.readFile('available_events')).toBe(AVAILABLE);
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('set_event', () => {
  it('enables system:event, reads it back, and truncation clears everything', () => {
    const fs = mount();
    expect(fs.readFile('set_event')).toBe('');
    fs.appendFile('set_event', 'sched:sched_switch\n');
    expect(fs.readFile('set_event')).toBe('sched:sched_switch\n');
    expect(fs.readFile(`${SW}/enable`)).toBe('1\n');
    fs.appendFile('set_event', 'irq:irq_handler_entry');
    // Read back in tr->events order (the catalog's), not in the order written.
    expect(fs.readFile('set_event')).toBe('irq:irq_handler_entry\nsched:sched_switch\n');
    fs.writeFile('set_event', '');
    expect(fs.readFile('set_event')).toBe('');
    expect(fs.readFile(`${SW}/enable`)).toBe('0\n');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('system:*, system: and a bare system name enable the whole system', () => {
    const fs = mount();
    const irq = defaultCatalog()
      .findSystem('irq')!
      .events.map((e) => `irq:${e.name}\n`)
      .join('');
    for (const word of ['irq:*', 'irq:', 'irq']) {
      fs.writeFile('set_event', word);
      expect(fs.readFile('set_event')).toBe(irq);
      expect(fs.readFile('events/irq/enable')).toBe('1\n');
    }
    expect(fs.checkInvariants()).toEqual([]);
  });

  it(':event and *:event match the event in every system', () => {
    const fs = mount();
    fs.appendFile('kprobe_events', 'p:mygrp/sched_switch schedule');
    fs.appendFile('set_event', ':sched_switch');
    expect(fs.readFile('set_event')).toBe('mygrp:sched_switch\nsched:sched_switch\n');
    fs.writeFile('set_event', '');
    fs.appendFile('set_event', '*:sched_switch');
    expect(fs.readFile('set_event')).toBe('mygrp:sched_switch\nsched:sched_switch\n');
    fs.writeFile('set_event', '');
    fs.writeFile('kprobe_events', '');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('a bare word matches both a system and an event of that name', () => {
    const fs = mount();
    fs.appendFile('set_event', 'thermal_power_allocator');
    const enabled = fs.readFile('set_event').split('\n').filter(Boolean);
    const sys = defaultCatalog().findSystem('thermal_power_allocator')!.events.length;
    expect(enabled).toContain('thermal_power_allocator:thermal_power_allocator');
    expect(enabled.length).toBe(sys);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('! disables; *:* and a bare * (no globbing)', () => {
    const fs = mount();
    fs.appendFile('set_event', 'sched');
    fs.appendFile('set_event', '!sched:sched_switch');
    expect(fs.readFile(`${SW}/enable`)).toBe('0\n');
    expect(fs.readFile('events/sched/enable')).toBe('X\n');
    fs.appendFile('set_event', '!sched');
    expect(fs.readFile('set_event')).toBe('');
    expect(
      errno(() => {
        fs.appendFile('set_event', '*');
      }),
    ).toBe('EINVAL');
    fs.appendFile('set_event', '*:*');
    expect(fs.readFile('set_event')).toBe(AVAILABLE);
    expect(fs.readFile('events/enable')).toBe('1\n');
    fs.appendFile('set_event', '!*:*');
    expect(fs.readFile('events/enable')).toBe('0\n');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('a word that matches nothing is EINVAL and changes nothing', () => {
    const fs = mount();
    fs.appendFile('set_event', 'sched:sched_switch');
    for (const bad of [
      'nosuch',
      'sched:nosuch',
      'nosuch:sched_switch',
      '!nosuch',
      'sched:sched_*',
    ]) {
      expect(
        errno(() => {
          fs.appendFile('set_event', bad);
        }),
      ).toBe('EINVAL');
      expect(fs.readFile('set_event')).toBe('sched:sched_switch\n');
    }
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('runs the words of one write in turn, as echo does, stopping at the first bad one', () => {
    const fs = mount();
    expect(
      errno(() => {
        fs.appendFile('set_event', 'sched:sched_switch nosuch irq:softirq_raise');
      }),
    ).toBe('EINVAL');
    expect(fs.readFile('set_event')).toBe('sched:sched_switch\n');
    fs.appendFile('set_event', '  irq:softirq_raise\n\tirq:softirq_exit \n');
    expect(fs.readFile('set_event')).toBe(
      'irq:softirq_raise\nirq:softirq_exit\nsched:sched_switch\n',
    );
    // Only blanks: nothing to do.
    fs.appendFile('set_event', ' \n');
    expect(fs.readFile('set_event').split('\n').length - 1).toBe(3);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('a word longer than EVENT_BUF_SIZE (127) is EINVAL', () => {
    const fs = mount();
    expect(
      errno(() => {
        fs.appendFile('set_event', 'x'.repeat(128));
      }),
    ).toBe('EINVAL');
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('per-event enable', () => {
  it('takes 0 or 1 (kstrtoul_from_user); anything else is EINVAL or ERANGE and changes nothing', () => {
    const fs = mount();
    fs.writeFile(`${SW}/enable`, '1\n');
    expect(fs.readFile(`${SW}/enable`)).toBe('1\n');
    expect(fs.readFile('set_event')).toBe('sched:sched_switch\n');
    for (const bad of ['2', '-1', ' 1', '1 ', 'on', '0x1', '', '1\n\n']) {
      if (bad === '') continue; // a zero-length write never reaches the file
      expect(
        errno(() => {
          fs.writeFile(`${SW}/enable`, bad);
        }),
      ).toBe('EINVAL');
      expect(fs.readFile(`${SW}/enable`)).toBe('1\n');
    }
    expect(
      errno(() => {
        fs.writeFile(`${SW}/enable`, '99999999999999999999999');
      }),
    ).toBe('ERANGE');
    fs.writeFile(`${SW}/enable`, '+0');
    expect(fs.readFile(`${SW}/enable`)).toBe('0\n');
    expect(fs.stat(`${SW}/enable`).mode & 0o777).toBe(0o640);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('system enable shows 0, 1 or X and sets every event of the system', () => {
    const fs = mount();
    expect(fs.readFile('events/sched/enable')).toBe('0\n');
    fs.writeFile(`${SW}/enable`, '1');
    expect(fs.readFile('events/sched/enable')).toBe('X\n');
    fs.writeFile('events/sched/enable', '1');
    expect(fs.readFile('events/sched/enable')).toBe('1\n');
    expect(fs.readFile('events/sched/sched_waking/enable')).toBe('1\n');
    expect(fs.readFile('events/irq/enable')).toBe('0\n');
    expect(fs.readFile('events/enable')).toBe('X\n');
    expect(
      errno(() => {
        fs.writeFile('events/sched/enable', '2');
      }),
    ).toBe('EINVAL');
    expect(fs.readFile('events/sched/enable')).toBe('1\n');
    fs.writeFile('events/sched/enable', '0');
    expect(fs.readFile('events/sched/enable')).toBe('0\n');
    expect(fs.readFile('set_event')).toBe('');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('events/enable covers every event', () => {
    const fs = mount();
    expect(fs.readFile('events/enable')).toBe('0\n');
    fs.writeFile('events/enable', '1');
    expect(fs.readFile('events/enable')).toBe('1\n');
    expect(fs.readFile('events/irq/enable')).toBe('1\n');
    expect(fs.readFile('set_event')).toBe(AVAILABLE);
    expect(
      errno(() => {
        fs.writeFile('events/enable', 'X');
      }),
    ).toBe('EINVAL');
    fs.writeFile(`${SW}/enable`, '0');
    expect(fs.readFile('events/enable')).toBe('X\n');
    fs.writeFile('events/enable', '0');
    expect(fs.readFile('events/enable')).toBe('0\n');
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('event filter', () => {
  it('defaults to "none", shows a valid filter back, "0" clears', () => {
    const fs = mount();
    expect(fs.readFile(`${SW}/filter`)).toBe('none\n');
    fs.writeFile(`${SW}/filter`, 'prev_pid == 1 && next_comm ~ "ksoft*"\n');
    expect(fs.readFile(`${SW}/filter`)).toBe('prev_pid == 1 && next_comm ~ "ksoft*"\n');
    fs.writeFile(`${SW}/filter`, ' 0 \n');
    expect(fs.readFile(`${SW}/filter`)).toBe('none\n');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('a bad filter is EINVAL; the file then shows the error report (apply_event_filter)', () => {
    const fs = mount();
    fs.writeFile(`${SW}/filter`, 'prev_pid == 1');
    expect(
      errno(() => {
        fs.writeFile(`${SW}/filter`, 'nosuch == 1');
      }),
    ).toBe('EINVAL');
    // The kernel swaps in the failed filter (disabled) and shows its parse error.
    // append_filter_err(): the caret under the error position (here after the field name).
    expect(fs.readFile(`${SW}/filter`)).toBe(
      `nosuch == 1\n${' '.repeat(7)}^\nparse_error: Field not found\n\n`,
    );
    fs.writeFile(`${SW}/filter`, '0');
    expect(fs.readFile(`${SW}/filter`)).toBe('none\n');
    // PAGE_SIZE or more: refused before parsing, nothing installed.
    fs.writeFile(`${SW}/filter`, 'prev_pid == 2');
    expect(
      errno(() => {
        fs.writeFile(`${SW}/filter`, ' '.repeat(4096));
      }),
    ).toBe('EINVAL');
    expect(fs.readFile(`${SW}/filter`)).toBe('prev_pid == 2\n');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('is read in one go: a second read(2) is at EOF (if (*ppos) return 0)', () => {
    const fs = mount();
    const f = fs.open(`${SW}/filter`, 'r');
    expect(f.read(2)).toBe('no');
    expect(f.read()).toBe('');
    f.close();
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('system filter sets every event of the system and always shows the default message', () => {
    const fs = mount();
    expect(fs.readFile('events/sched/filter')).toBe(`${DEFAULT_SYS_FILTER_MESSAGE}\n`);
    fs.writeFile('events/sched/filter', 'common_pid == 1');
    expect(fs.readFile('events/sched/filter')).toBe(`${DEFAULT_SYS_FILTER_MESSAGE}\n`);
    expect(fs.readFile(`${SW}/filter`)).toBe('common_pid == 1\n');
    expect(fs.readFile('events/sched/sched_waking/filter')).toBe('common_pid == 1\n');
    expect(fs.readFile('events/irq/irq_handler_entry/filter')).toBe('none\n');
    // A field only some events have: those without it get the subsystem error report.
    fs.writeFile('events/sched/filter', 'prev_pid == 1');
    expect(fs.readFile(`${SW}/filter`)).toBe('prev_pid == 1\n');
    expect(fs.readFile('events/sched/sched_waking/filter')).toBe(
      "prev_pid == 1\n^\nparse_error: Couldn't find or set field in one of a subsystem's events\n\n",
    );
    fs.writeFile('events/sched/filter', '0');
    expect(fs.readFile(`${SW}/filter`)).toBe('none\n');
    expect(fs.readFile('events/sched/sched_waking/filter')).toBe('none\n');
    expect(
      errno(() => {
        fs.writeFile('events/sched/filter', 'x'.repeat(4096));
      }),
    ).toBe('EINVAL');
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('event trigger', () => {
  it('shows the available commands when empty; traceoff, EEXIST, !traceoff', () => {
    const fs = mount();
    const trig = `${SW}/trigger`;
    expect(fs.readFile(trig)).toBe(TRIGGER_FILE_HEADER);
    fs.appendFile(trig, 'traceoff\n');
    expect(fs.readFile(trig)).toBe('traceoff:unlimited\n');
    expect(
      errno(() => {
        fs.appendFile(trig, 'traceoff');
      }),
    ).toBe('EEXIST');
    // traceon shares traceoff's slot (ETT_TRACE_ONOFF).
    expect(
      errno(() => {
        fs.appendFile(trig, 'traceon:5');
      }),
    ).toBe('EEXIST');
    fs.appendFile(trig, 'stacktrace:3 if prev_pid == 0');
    // Newest first (list_add_rcu).
    expect(fs.readFile(trig)).toBe('stacktrace:count=3 if prev_pid == 0\ntraceoff:unlimited\n');
    fs.appendFile(trig, '!traceoff');
    expect(fs.readFile(trig)).toBe('stacktrace:count=3 if prev_pid == 0\n');
    // Removing what is not there is quietly accepted.
    fs.appendFile(trig, '!traceoff');
    fs.appendFile(trig, '!stacktrace');
    expect(fs.readFile(trig)).toBe(TRIGGER_FILE_HEADER);
    expect(
      errno(() => {
        fs.appendFile(trig, 'bogus');
      }),
    ).toBe('EINVAL');
    expect(
      errno(() => {
        fs.appendFile(trig, 'traceoff if nosuch == 1');
      }),
    ).toBe('EINVAL');
    expect(fs.readFile(trig)).toBe(TRIGGER_FILE_HEADER);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('O_TRUNC does not remove traceon & co. (only hist has unreg_all)', () => {
    const fs = mount();
    const trig = `${SW}/trigger`;
    fs.appendFile(trig, 'traceoff');
    fs.writeFile(trig, '');
    expect(fs.readFile(trig)).toBe('traceoff:unlimited\n');
    // `echo > trigger` also writes "\n", an empty command.
    expect(
      errno(() => {
        fs.writeFile(trig, '\n');
      }),
    ).toBe('EINVAL');
    expect(fs.readFile(trig)).toBe('traceoff:unlimited\n');
    fs.appendFile(trig, '!traceoff');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('a trigger puts its event in soft mode: enable reads 0*, set_event lists it', () => {
    const fs = mount();
    fs.appendFile(`${SW}/trigger`, 'traceoff');
    expect(fs.readFile(`${SW}/enable`)).toBe('0*\n');
    expect(fs.readFile('set_event')).toBe('sched:sched_switch\n');
    fs.writeFile(`${SW}/enable`, '1');
    expect(fs.readFile(`${SW}/enable`)).toBe('1*\n');
    // Clearing set_event only soft-disables an event in soft mode.
    fs.writeFile('set_event', '');
    expect(fs.readFile(`${SW}/enable`)).toBe('0*\n');
    fs.appendFile(`${SW}/trigger`, '!traceoff');
    expect(fs.readFile(`${SW}/enable`)).toBe('0\n');
    expect(fs.readFile('set_event')).toBe('');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('enable_event needs an existing target and soft-enables it', () => {
    const fs = mount();
    const trig = `${SW}/trigger`;
    expect(
      errno(() => {
        fs.appendFile(trig, 'enable_event:sched:nosuch');
      }),
    ).toBe('EINVAL');
    expect(
      errno(() => {
        fs.appendFile(trig, '!enable_event:nosuch:x');
      }),
    ).toBe('EINVAL');
    fs.appendFile(trig, 'enable_event:sched:sched_waking:2');
    expect(fs.readFile(trig)).toBe('enable_event:sched:sched_waking:count=2\n');
    expect(fs.readFile('events/sched/sched_waking/enable')).toBe('0*\n');
    expect(
      errno(() => {
        fs.appendFile(trig, 'disable_event:sched:sched_waking');
      }),
    ).toBe('EEXIST');
    fs.appendFile(trig, 'disable_event:sched:sched_wakeup');
    expect(fs.readFile(trig)).toBe(
      'disable_event:sched:sched_wakeup:unlimited\nenable_event:sched:sched_waking:count=2\n',
    );
    fs.appendFile(trig, '!enable_event:sched:sched_waking');
    fs.appendFile(trig, '!disable_event:sched:sched_wakeup');
    expect(fs.readFile('events/sched/sched_waking/enable')).toBe('0\n');
    expect(fs.readFile(`${SW}/enable`)).toBe('0\n');
    expect(fs.readFile(trig)).toBe(TRIGGER_FILE_HEADER);
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('format and id', () => {
  it('format starts with name, ID, format and the common fields', () => {
    const text = ro.readFile(`${SW}/format`);
    const id = Number(ro.readFile(`${SW}/id`));
    expect(Number.isInteger(id) && id > 0).toBe(true);
    expect(text.startsWith(`name: sched_switch\nID: ${id}\nformat:\n`)).toBe(true);
    const lines = text.split('\n');
    expect(lines.slice(3, 8)).toEqual([
      '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
      '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
      '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
      '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
      '',
    ]);
    expect(lines[8]).toBe('\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;');
    expect(text).toMatch(/\n\nprint fmt: "prev_comm=%s .*\n$/);
    expect(ro.stat(`${SW}/format`).mode & 0o777).toBe(0o440);
    expect(ro.stat(`${SW}/id`).mode & 0o777).toBe(0o440);
    expect(ro.checkInvariants()).toEqual([]);
  });

  it('every event has its own id, the one its format shows', () => {
    const fs = ro;
    const seen = new Set<number>();
    for (const ev of [
      'sched/sched_switch',
      'sched/sched_wakeup',
      'irq/softirq_raise',
      'nfs/nfs_set_inode_stale',
    ]) {
      const id = Number(fs.readFile(`events/${ev}/id`));
      expect(fs.readFile(`events/${ev}/format`)).toContain(`\nID: ${id}\n`);
      seen.add(id);
    }
    expect(seen.size).toBe(4);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('the events directory has enable, header_page and header_event', () => {
    const names = ro.readdir('events').map((d) => d.name);
    expect(names.slice(0, 5)).toEqual(['.', '..', 'enable', 'header_page', 'header_event']);
    expect(ro.readFile('events/header_page')).toContain('\tfield: u64 timestamp;\toffset:0;');
    expect(ro.readFile('events/header_event')).toMatch(/^# compressed entry header\n/);
    expect(
      ro
        .readdir('events/sched')
        .map((d) => d.name)
        .slice(0, 4),
    ).toEqual(['.', '..', 'filter', 'enable']);
    expect(ro.readdir(SW).map((d) => d.name)).toEqual([
      '.',
      '..',
      'enable',
      'filter',
      'trigger',
      'format',
      'id',
    ]);
    expect(ro.checkInvariants()).toEqual([]);
  });
});

describe('tracing_on, current_tracer, available_tracers', () => {
  it('tracing_on takes any unsigned number; non-zero is on', () => {
    const fs = mount();
    expect(fs.readFile('tracing_on')).toBe('1\n');
    fs.writeFile('tracing_on', '0\n');
    expect(fs.readFile('tracing_on')).toBe('0\n');
    fs.writeFile('tracing_on', '42');
    expect(fs.readFile('tracing_on')).toBe('1\n');
    expect(
      errno(() => {
        fs.writeFile('tracing_on', 'off');
      }),
    ).toBe('EINVAL');
    expect(
      errno(() => {
        fs.writeFile('tracing_on', '-1');
      }),
    ).toBe('EINVAL');
    expect(
      errno(() => {
        fs.writeFile('tracing_on', '18446744073709551616');
      }),
    ).toBe('ERANGE');
    expect(fs.readFile('tracing_on')).toBe('1\n');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('current_tracer takes a known tracer (strim), unknown is EINVAL', () => {
    const fs = mount();
    expect(fs.readFile('current_tracer')).toBe('nop\n');
    fs.writeFile('current_tracer', 'function\n');
    expect(fs.readFile('current_tracer')).toBe('function\n');
    fs.writeFile('current_tracer', '  wakeup \n');
    expect(fs.readFile('current_tracer')).toBe('wakeup\n');
    for (const bad of ['nosuch', '\n', 'func', 'nop nop']) {
      expect(
        errno(() => {
          fs.writeFile('current_tracer', bad);
        }),
      ).toBe('EINVAL');
    }
    expect(fs.readFile('current_tracer')).toBe('wakeup\n');
    // Only MAX_TRACER_SIZE (100) bytes are looked at.
    fs.writeFile('current_tracer', `nop${' '.repeat(97)}garbage`);
    expect(fs.readFile('current_tracer')).toBe('nop\n');
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('available_tracers lists the tracers, space separated, newline after the last', () => {
    expect(ro.readFile('available_tracers')).toBe(
      'function_graph wakeup_dl wakeup_rt wakeup function nop\n',
    );
    for (const t of ro.readFile('available_tracers').trim().split(' ')) {
      const fs = mount({ catalog: createCatalog([]) });
      fs.writeFile('current_tracer', t);
      expect(fs.readFile('current_tracer')).toBe(`${t}\n`);
      expect(fs.checkInvariants()).toEqual([]);
    }
    expect(ro.checkInvariants()).toEqual([]);
  });
});

describe('an empty catalog', () => {
  it('has nothing to enable: events/enable reads ? and writing it is EINVAL', () => {
    const fs: Tracefs = mount({ catalog: createCatalog([]) });
    expect(fs.readFile('available_events')).toBe('');
    expect(fs.readFile('events/enable')).toBe('?\n');
    expect(
      errno(() => {
        fs.writeFile('events/enable', '1');
      }),
    ).toBe('EINVAL');
    expect(
      errno(() => {
        fs.appendFile('set_event', '*:*');
      }),
    ).toBe('EINVAL');
    expect(fs.checkInvariants()).toEqual([]);
  });
});
