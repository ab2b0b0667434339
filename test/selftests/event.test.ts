/**
 * Ports of tools/testing/selftests/ftrace/test.d/event/{toplevel-enable,subsystem-enable,
 * event-enable}.tc and 00basic/{basic1,basic2,basic4}.tc.
 *
 * The event scripts enable events three ways (set_event, an enable file), `yield` (ping) and
 * count what `trace` recorded. There is no ring buffer, so `yield`, every count of `trace` and
 * `clear_trace` are left out; what the control files say after each step is checked instead
 * (set_event lists exactly the enabled events, and the enable files agree with it). Scripts
 * flagged `# flags: instance` run at the top and again in an instance, as ftracetest does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mount, type Tracefs } from '../../src/index';
import { echo, isDir, isFile, lineCount, scriptInInstances } from './helpers';

/** available_events lines of one system (or all). */
function events(fs: Tracefs, system?: string): string[] {
  return fs
    .readFile('available_events')
    .split('\n')
    .filter((l) => l !== '' && (system === undefined || l.startsWith(`${system}:`)));
}

/**
 * event/toplevel-enable.tc. Left out: every `yield`, the `head -n 128 trace` / `cat trace`
 * counts and clear_trace.
 */
scriptInInstances(
  'event/toplevel-enable.tc: event tracing - enable/disable with top level files',
  false,
  (fs, d) => {
    it('available_events, set_event and events/ exist (else exit_unsupported)', () => {
      expect(isFile(fs(), d('available_events'))).toBe(true);
      expect(isFile(fs(), d('set_event'))).toBe(true);
      expect(isDir(fs(), d('events'))).toBe(true);
    });
    it("echo '*:*' > set_event", () => {
      echo(fs(), '*:*', d('set_event'));
      expect(lineCount(fs(), d('set_event'))).toBe(events(fs()).length);
      expect(fs().readFile(d('events/enable'))).toBe('1\n');
    });
    it('echo 0 > tracing_on', () => {
      echo(fs(), '0', d('tracing_on'));
      expect(fs().readFile(d('tracing_on'))).toBe('0\n');
    });
    it('do_reset: echo > set_event', () => {
      echo(fs(), '', d('set_event'));
      expect(fs().readFile(d('set_event'))).toBe('');
      expect(fs().readFile(d('events/enable'))).toBe('0\n');
    });
    it('echo 1 > events/enable; echo 1 > tracing_on', () => {
      echo(fs(), '1', d('events/enable'));
      echo(fs(), '1', d('tracing_on'));
      expect(lineCount(fs(), d('set_event'))).toBe(events(fs()).length);
      expect(fs().readFile(d('events/sched/enable'))).toBe('1\n');
      expect(fs().readFile(d('events/sched/sched_switch/enable'))).toBe('1\n');
    });
    it('echo 0 > tracing_on; do_reset', () => {
      echo(fs(), '0', d('tracing_on'));
      echo(fs(), '', d('set_event'));
      expect(fs().readFile(d('events/enable'))).toBe('0\n');
    });
    it('echo 0 > events/enable', () => {
      echo(fs(), '0', d('events/enable'));
      expect(fs().readFile(d('set_event'))).toBe('');
      expect(fs().readFile(d('events/sched/sched_switch/enable'))).toBe('0\n');
    });
  },
);

/**
 * event/subsystem-enable.tc (flags: instance). Left out: every `yield`, the counts of distinct
 * events in `trace`, clear_trace.
 */
scriptInInstances(
  'event/subsystem-enable.tc: event tracing - enable/disable with subsystem level files',
  true,
  (fs, d) => {
    it('set_event and events/sched exist; reset_tracer; do_reset', () => {
      expect(isFile(fs(), d('set_event'))).toBe(true);
      expect(isDir(fs(), d('events/sched'))).toBe(true);
      echo(fs(), 'nop', d('current_tracer'));
      echo(fs(), '', d('set_event'));
    });
    it("echo 'sched:*' > set_event", () => {
      echo(fs(), 'sched:*', d('set_event'));
      expect(fs().readFile(d('set_event')).split('\n').filter(Boolean).sort()).toEqual(
        events(fs(), 'sched').sort(),
      );
      expect(fs().readFile(d('events/sched/enable'))).toBe('1\n');
      expect(fs().readFile(d('events/enable'))).toBe('X\n');
    });
    it('do_reset', () => {
      echo(fs(), '', d('set_event'));
      expect(fs().readFile(d('events/sched/enable'))).toBe('0\n');
    });
    it('echo 1 > events/sched/enable', () => {
      echo(fs(), '1', d('events/sched/enable'));
      expect(fs().readFile(d('set_event')).split('\n').filter(Boolean).sort()).toEqual(
        events(fs(), 'sched').sort(),
      );
    });
    it('do_reset', () => {
      echo(fs(), '', d('set_event'));
    });
    it('echo 0 > events/sched/enable', () => {
      echo(fs(), '0', d('events/sched/enable'));
      expect(fs().readFile(d('set_event'))).toBe('');
      expect(fs().readFile(d('events/sched/enable'))).toBe('0\n');
    });
    it('do_reset', () => {
      echo(fs(), '', d('set_event'));
    });
  },
);

/**
 * event/event-enable.tc (flags: instance). Left out: every `yield`, the counts of sched_switch
 * in `trace`, clear_trace.
 */
scriptInInstances(
  'event/event-enable.tc: event tracing - enable/disable with event level files',
  true,
  (fs, d) => {
    it('set_event and events/sched exist; reset_tracer; do_reset', () => {
      expect(isFile(fs(), d('set_event'))).toBe(true);
      expect(isDir(fs(), d('events/sched'))).toBe(true);
      echo(fs(), 'nop', d('current_tracer'));
      echo(fs(), '', d('set_event'));
    });
    it("echo 'sched:sched_switch' > set_event", () => {
      echo(fs(), 'sched:sched_switch', d('set_event'));
      expect(fs().readFile(d('set_event'))).toBe('sched:sched_switch\n');
      expect(fs().readFile(d('events/sched/sched_switch/enable'))).toBe('1\n');
      expect(fs().readFile(d('events/sched/enable'))).toBe('X\n');
    });
    it('do_reset', () => {
      echo(fs(), '', d('set_event'));
      expect(fs().readFile(d('events/sched/sched_switch/enable'))).toBe('0\n');
    });
    it('echo 1 > events/sched/sched_switch/enable', () => {
      echo(fs(), '1', d('events/sched/sched_switch/enable'));
      expect(fs().readFile(d('set_event'))).toBe('sched:sched_switch\n');
    });
    it('do_reset', () => {
      echo(fs(), '', d('set_event'));
    });
    it('echo 0 > events/sched/sched_switch/enable', () => {
      echo(fs(), '0', d('events/sched/sched_switch/enable'));
      expect(fs().readFile(d('set_event'))).toBe('');
    });
    it('do_reset', () => {
      echo(fs(), '', d('set_event'));
    });
  },
);

/** 00basic/basic1.tc. Left out: README, trace and trace_pipe (not modelled). */
describe('00basic/basic1.tc: Basic trace file check', () => {
  it('test -f tracing_on', () => {
    expect(isFile(mount(), 'tracing_on')).toBe(true);
  });
});

/** 00basic/basic2.tc. Left out: nothing. */
describe('00basic/basic2.tc: Basic test for tracers', () => {
  let fs!: Tracefs;
  beforeAll(() => {
    fs = mount();
  });
  it('for t in `cat available_tracers`; do echo $t > current_tracer || exit 1; done', () => {
    const tracers = fs.readFile('available_tracers').trim().split(/\s+/);
    expect(tracers).toContain('nop');
    for (const t of tracers) {
      echo(fs, t, 'current_tracer');
      expect(fs.readFile('current_tracer')).toBe(`${t}\n`);
    }
  });
  it('echo nop > current_tracer', () => {
    echo(fs, 'nop', 'current_tracer');
    expect(fs.readFile('current_tracer')).toBe('nop\n');
  });
  it('(not in the script) the same loop inside an instance, over its available_tracers', () => {
    fs.mkdir('instances/foo');
    for (const t of fs.readFile('instances/foo/available_tracers').trim().split(/\s+/)) {
      echo(fs, t, 'instances/foo/current_tracer');
    }
    echo(fs, 'nop', 'instances/foo/current_tracer');
    fs.rmdir('instances/foo');
  });
});

/** 00basic/basic4.tc. Left out: nothing. */
describe('00basic/basic4.tc: Basic event tracing check', () => {
  it('test -f available_events -a -f set_event -a -d events', () => {
    const fs = mount();
    expect(isFile(fs, 'available_events') && isFile(fs, 'set_event') && isDir(fs, 'events')).toBe(
      true,
    );
  });
  it('grep -q sched available_events', () => {
    expect(events(mount(), 'sched').length).toBeGreaterThan(0);
  });
});
