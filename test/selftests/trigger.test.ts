/**
 * Ports of tools/testing/selftests/ftrace/test.d/trigger/trigger-{traceonoff,filter,eventonoff,
 * stacktrace,snapshot}.tc: the trigger file's syntax and semantic checks.
 *
 * Nothing fires here (no event is ever recorded), so every `( echo "forked")` and what the
 * scripts check after it (tracing_on flipped by traceoff/traceon, the event enabled by
 * enable_event, "<stack trace>" in `trace`, the event in `snapshot`) is left out. What a trigger
 * does before it fires is checked instead where it shows: the `*` of soft mode in the target's
 * `enable`. Scripts flagged `# flags: instance` run at the top and again in an instance, as
 * ftracetest does.
 */
import { expect, it } from 'vitest';
import { echo, fails, grepLines, resetTrigger, scriptInInstances } from './helpers';

const FORK_TRIGGER = 'events/sched/sched_process_fork/trigger';

/** Run a script at the top level, and again inside an instance when it has `flags: instance`. */
/**
 * trigger/trigger-traceonoff.tc. Left out: both `( echo "forked")` with the `cat tracing_on`
 * checks after them.
 */
scriptInInstances(
  'trigger/trigger-traceonoff.tc: event trigger - test traceon/off trigger',
  false,
  (fs, d) => {
    const T = d(FORK_TRIGGER);
    it('the trigger file exists (else exit_unsupported)', () => {
      expect(fs().stat(T).isFile()).toBe(true);
    });
    it("Test traceoff trigger: echo 1 > tracing_on; echo 'traceoff' > trigger", () => {
      echo(fs(), '1', d('tracing_on'));
      echo(fs(), 'traceoff', T);
      expect(fs().readFile(T)).toBe('traceoff:unlimited\n');
    });
    it('reset_trigger', () => {
      resetTrigger(fs(), [T]);
      expect(grepLines(fs().readFile(T), /^[^#]/)).toEqual([]);
    });
    it("Test traceon trigger: echo 0 > tracing_on; echo 'traceon' > trigger", () => {
      echo(fs(), '0', d('tracing_on'));
      echo(fs(), 'traceon', T);
      expect(fs().readFile(T)).toBe('traceon:unlimited\n');
    });
    it('reset_trigger', () => {
      resetTrigger(fs(), [T]);
    });
    it('Test semantic error for traceoff/on trigger', () => {
      fails(() => {
        echo(fs(), 'traceoff:badparam', T);
      });
      fails(() => {
        echo(fs(), 'traceoff+0', T);
      });
      echo(fs(), 'traceon', T);
      fails(() => {
        echo(fs(), 'traceon', T);
      });
      // traceon and traceoff share one trigger type (ETT_TRACE_ONOFF): EEXIST as well.
      fails(() => {
        echo(fs(), 'traceoff', T);
      });
      expect(fs().readFile(T)).toBe('traceon:unlimited\n');
    });
  },
);

/**
 * trigger/trigger-filter.tc (flags: instance). Left out: `( echo "forked")` and the
 * `cat tracing_on` check after it.
 */
scriptInInstances(
  'trigger/trigger-filter.tc: event trigger - test trigger filter',
  true,
  (fs, d) => {
    const T = d(FORK_TRIGGER);
    it("Test trigger filter: echo 1 > tracing_on; echo 'traceoff if child_pid == 0' > trigger", () => {
      echo(fs(), '1', d('tracing_on'));
      echo(fs(), 'traceoff if child_pid == 0', T);
      expect(fs().readFile(T)).toBe('traceoff:unlimited if child_pid == 0\n');
    });
    it('reset_trigger', () => {
      resetTrigger(fs(), [T]);
      expect(grepLines(fs().readFile(T), /^[^#]/)).toEqual([]);
    });
    it('Test semantic error for trigger filter', () => {
      fails(() => {
        echo(fs(), 'traceoff if a', T);
      });
      fails(() => {
        echo(fs(), 'traceoff if common_pid=0', T);
      });
      fails(() => {
        echo(fs(), 'traceoff if common_pid==b', T);
      });
      echo(fs(), 'traceoff if common_pid == 0', T);
      echo(fs(), '!traceoff', T);
      fails(() => {
        echo(fs(), 'traceoff if common_pid == child_pid', T);
      });
      echo(fs(), 'traceoff if common_pid <= 0', T);
      echo(fs(), '!traceoff', T);
      echo(fs(), 'traceoff if common_pid >= 0', T);
      echo(fs(), '!traceoff', T);
      echo(fs(), 'traceoff if parent_pid >= 0 && child_pid >= 0', T);
      echo(fs(), '!traceoff', T);
      echo(fs(), 'traceoff if parent_pid >= 0 || child_pid >= 0', T);
      echo(fs(), '!traceoff', T);
      expect(grepLines(fs().readFile(T), /^[^#]/)).toEqual([]);
    });
  },
);

/**
 * trigger/trigger-eventonoff.tc (flags: instance). Left out: both `( echo "forked")` and the
 * `cat events/sched/sched_switch/enable` checks after them ('1*' once enable_event fired, '0*'
 * once disable_event fired). Before anything fires the triggers only put sched_switch in soft
 * mode, which shows as '0*' and '1*'; that is checked instead.
 */
scriptInInstances(
  'trigger/trigger-eventonoff.tc: event trigger - test event enable/disable trigger',
  true,
  (fs, d) => {
    const T = d(FORK_TRIGGER);
    const SW = d('events/sched/sched_switch/enable');
    it('FEATURE=`grep enable_event trigger` is not empty', () => {
      expect(grepLines(fs().readFile(T), 'enable_event')).not.toEqual([]);
    });
    it("Test enable_event trigger: echo 0 > sched_switch/enable; 'enable_event:sched:sched_switch'", () => {
      echo(fs(), '0', SW);
      echo(fs(), 'enable_event:sched:sched_switch', T);
      expect(fs().readFile(SW)).toBe('0*\n');
    });
    it('reset_trigger', () => {
      resetTrigger(fs(), [T]);
      expect(fs().readFile(SW)).toBe('0\n');
    });
    it("Test disable_event trigger: echo 1 > sched_switch/enable; 'disable_event:sched:sched_switch'", () => {
      echo(fs(), '1', SW);
      echo(fs(), 'disable_event:sched:sched_switch', T);
      expect(fs().readFile(SW)).toBe('1*\n');
    });
    it('reset_trigger', () => {
      resetTrigger(fs(), [T]);
      expect(fs().readFile(SW)).toBe('1\n');
      echo(fs(), '0', SW);
    });
    it('Test semantic error for event enable/disable trigger', () => {
      fails(() => {
        echo(fs(), 'enable_event:nogroup:noevent', T);
      });
      fails(() => {
        echo(fs(), 'disable_event+1', T);
      });
      echo(fs(), 'enable_event:sched:sched_switch', T);
      fails(() => {
        echo(fs(), 'enable_event:sched:sched_switch', T);
      });
      fails(() => {
        echo(fs(), 'disable_event:sched:sched_switch', T);
      });
    });
    it('(cleanup) reset_trigger', () => {
      resetTrigger(fs(), [T]);
      expect(fs().readFile(SW)).toBe('0\n');
    });
  },
);

/**
 * trigger/trigger-stacktrace.tc. Left out: `echo 0 > trace`, `echo 0 > options/stacktrace`
 * (neither file is modelled), `( echo "forked")` and the grep of `trace` for "<stack trace>".
 */
scriptInInstances(
  'trigger/trigger-stacktrace.tc: event trigger - test stacktrace-trigger',
  false,
  (fs, d) => {
    const T = d(FORK_TRIGGER);
    it('FEATURE=`grep stacktrace trigger` is not empty', () => {
      expect(grepLines(fs().readFile(T), 'stacktrace')).not.toEqual([]);
    });
    it("Test stacktrace tigger: echo 'stacktrace' > trigger", () => {
      echo(fs(), 'stacktrace', T);
      expect(fs().readFile(T)).toBe('stacktrace:unlimited\n');
    });
    it('reset_trigger', () => {
      resetTrigger(fs(), [T]);
    });
    it('Test stacktrace semantic errors', () => {
      fails(() => {
        echo(fs(), 'stacktrace:foo', T);
      });
      echo(fs(), 'stacktrace', T);
      fails(() => {
        echo(fs(), 'stacktrace', T);
      });
    });
  },
);

/**
 * trigger/trigger-snapshot.tc. The model has no `snapshot` file, so on it the script would stop
 * at `[ ! -f snapshot ] && exit_unsupported`; its trigger syntax checks are ported anyway, since
 * the model offers the snapshot trigger command. Left out: `echo 0 > snapshot`,
 * `( echo "forked")` and the grep of `snapshot`.
 */
scriptInInstances(
  'trigger/trigger-snapshot.tc: event trigger - test snapshot-trigger',
  false,
  (fs, d) => {
    const T = d(FORK_TRIGGER);
    it('FEATURE=`grep snapshot trigger` is not empty', () => {
      expect(grepLines(fs().readFile(T), 'snapshot')).not.toEqual([]);
    });
    it("Test snapshot trigger: echo 1 > enable; echo 'snapshot:1' > trigger", () => {
      echo(fs(), '1', d('events/sched/sched_process_fork/enable'));
      echo(fs(), 'snapshot:1', T);
      expect(fs().readFile(T)).toBe('snapshot:count=1\n');
    });
    it('reset_trigger; echo 0 > events/sched/sched_process_fork/enable', () => {
      resetTrigger(fs(), [T]);
      echo(fs(), '0', d('events/sched/sched_process_fork/enable'));
    });
    it('Test snapshot semantic errors', () => {
      fails(() => {
        echo(fs(), 'snapshot+1', T);
      });
      echo(fs(), 'snapshot', T);
      fails(() => {
        echo(fs(), 'snapshot', T);
      });
    });
  },
);
