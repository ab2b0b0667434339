/**
 * Ports of tools/testing/selftests/ftrace/test.d/dynevent/{add_remove_kprobe,
 * clear_select_events,dynevent_limitations}.tc and filter/event-filter-function.tc.
 *
 * dynamic_events is not modelled. Its kprobe lines (`p:`, `r:`, `-:`) are the syntax of
 * kprobe_events, which the model has, so the dynevent scripts' kprobe steps run against
 * kprobe_events (`echo > dynamic_events` becomes `echo > kprobe_events`). Synthetic events are
 * not modelled: their steps are left out.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mount, type Tracefs } from '../../src/index';
import { echo, echoAppend, errno, fails, grepLines, grepq, isDir, script } from './helpers';

const KE = 'kprobe_events';
const FORK = 'kernel_clone';

/** PLACE=kernel_clone. Left out: clear_trace. */
script('dynevent/add_remove_kprobe.tc: Generic dynamic event - add/remove kprobe events', (fs) => {
  it('echo 0 > events/enable; echo > dynamic_events', () => {
    echo(fs(), '0', 'events/enable');
    echo(fs(), '', KE);
  });
  it('echo "p:myevent1 $PLACE" >> dynamic_events; echo "r:myevent2 $PLACE" >> dynamic_events', () => {
    echoAppend(fs(), `p:myevent1 ${FORK}`, KE);
    echoAppend(fs(), `r:myevent2 ${FORK}`, KE);
  });
  it('grep -q myevent1/myevent2; test -d events/kprobes/myevent1 and myevent2', () => {
    expect(grepq(fs(), 'myevent1', KE)).toBe(true);
    expect(grepq(fs(), 'myevent2', KE)).toBe(true);
    expect(isDir(fs(), 'events/kprobes/myevent1')).toBe(true);
    expect(isDir(fs(), 'events/kprobes/myevent2')).toBe(true);
  });
  it('echo "-:myevent2" >> dynamic_events', () => {
    echoAppend(fs(), '-:myevent2', KE);
    expect(grepq(fs(), 'myevent1', KE)).toBe(true);
    expect(grepq(fs(), 'myevent2', KE)).toBe(false);
    expect(isDir(fs(), 'events/kprobes/myevent2')).toBe(false);
  });
  it('echo > dynamic_events', () => {
    echo(fs(), '', KE);
    expect(fs().readFile(KE)).toBe('');
  });
});

/**
 * The script needs synthetic_events and the `s:` syntax of dynamic_events (README checks), so
 * on the model it would exit_unsupported. Its kprobe half is ported: `echo > kprobe_events`
 * clears the kprobes and only them. Left out: every `s:latencyN` line, `echo >
 * synthetic_events` and the latency1/latency2 greps.
 */
script(
  'dynevent/clear_select_events.tc: Generic dynamic event - selective clear (compatibility)',
  (fs) => {
    const setupEvents = (): void => {
      echoAppend(fs(), `p:myevent1 ${FORK}`, KE);
      echoAppend(fs(), `r:myevent2 ${FORK}`, KE);
      expect(grepq(fs(), 'myevent1', KE)).toBe(true);
      expect(grepq(fs(), 'myevent2', KE)).toBe(true);
    };
    it('echo 0 > events/enable; echo > dynamic_events', () => {
      echo(fs(), '0', 'events/enable');
      echo(fs(), '', KE);
    });
    it('setup_events; echo > synthetic_events (left out): the kprobes stay', () => {
      setupEvents();
      expect(grepq(fs(), 'myevent1', KE)).toBe(true);
      expect(grepq(fs(), 'myevent2', KE)).toBe(true);
    });
    it('echo > dynamic_events', () => {
      echo(fs(), '', KE);
    });
    it('setup_events; echo > kprobe_events: both kprobes go', () => {
      setupEvents();
      echo(fs(), '', KE);
      expect(grepq(fs(), 'myevent1', KE)).toBe(false);
      expect(grepq(fs(), 'myevent2', KE)).toBe(false);
      expect(isDir(fs(), 'events/kprobes')).toBe(false);
    });
  },
);

/**
 * The kprobe part of check_max_args, through kprobe_events. Left out: the fprobe, tprobe and
 * uprobe parts. This script is from 2025 (with 57faaa04804c); on v6.8 the 129th argument would
 * be silently ignored, not refused: the model follows mainline here on purpose
 * (docs/semantics.md, "More than 128 fetch arguments is E2BIG").
 */
script('dynevent/dynevent_limitations.tc: Checking dynamic events limitations', (fs) => {
  const header = 'p vfs_read';
  const args128 = Array.from({ length: 128 }, (_, i) => `\\${i + 1}`).join(' ');
  it('check_max_args "p vfs_read": 128 immediate arguments are acceptable', () => {
    echoAppend(fs(), `${header} ${args128}`, KE);
    expect(grepLines(fs().readFile(KE), 'arg128=\\128')).toHaveLength(1);
    echo(fs(), '', KE);
  });
  it('! echo "$TEST_STRING \\129" >> dynamic_events', () => {
    const code = fails(() => {
      echoAppend(fs(), `${header} ${args128} \\129`, KE);
    });
    expect(code).toBe('E2BIG');
    expect(fs().readFile(KE)).toBe('');
  });
});

/**
 * filter/event-filter-function.tc (flags: instance). The script finds the most frequent caller
 * of kmem_cache_free in `trace`, filters on `call_site.function == NAME` and on `== 0xADDR`,
 * and checks the trace. Left out: sample_events, every read of `trace`, the retry loops, and
 * the kallsyms lookup of the address (a fixed address stands in; the model accepts any).
 *
 * Model vs kernel: the model's catalog has no fields for kmem:kmem_cache_free (only the common
 * ones; v6.8 has call_site, ptr, name), so `call_site.function == ...` on it is EINVAL "Field
 * not found" where the kernel accepts it. The writes run on kmem:kfree, whose layout the
 * catalog has (call_site, ptr); the kmem_cache_free steps are reported, not asserted.
 */
describe.each([
  ['top level', ''],
  ['in an instance', 'instances/ftracetest/'],
])('filter/event-filter-function.tc: event filtering on functions (%s)', (_label, prefix) => {
  let fs!: Tracefs;
  const F = `${prefix}events/kmem/kfree/filter`;
  const target = 'dput';
  beforeAll(() => {
    fs = mount();
    if (prefix !== '') fs.mkdir('instances/ftracetest');
  });
  it('echo 0 > tracing_on; echo 0 > events/enable', () => {
    echo(fs, '0', `${prefix}tracing_on`);
    echo(fs, '0', `${prefix}events/enable`);
  });
  it('Test event filter function name: echo "call_site.function == $target_func" > filter', () => {
    echo(fs, `call_site.function == ${target}`, F);
    expect(fs.readFile(F)).toBe(`call_site.function == ${target}\n`);
  });
  it('Test event filter function address: echo "call_site.function == 0x$address" > filter', () => {
    echo(fs, 'call_site.function == 0xffffffff8134a1c0', F);
    expect(fs.readFile(F)).toBe('call_site.function == 0xffffffff8134a1c0\n');
  });
  it('(not in the script) an unknown function name is refused', () => {
    expect(
      errno(() => {
        echo(fs, 'call_site.function == no_such_function', F);
      }),
    ).toBe('EINVAL');
  });
  it('reset_events_filter: echo 0 > every filter that is not "none"', () => {
    const sys = `${prefix}events/kmem`;
    for (const e of fs.readdir(sys).filter((x) => x.type === 'dir' && !x.name.startsWith('.'))) {
      const f = `${sys}/${e.name}/filter`;
      if (!fs.readFile(f).startsWith('none')) echo(fs, '0', f);
    }
    expect(fs.readFile(F)).toBe('none\n');
    if (prefix !== '') fs.rmdir('instances/ftracetest');
    expect(fs.checkInvariants()).toEqual([]);
  });
});
