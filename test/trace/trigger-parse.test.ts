import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FilterFieldSpec } from '../../src/trace/filter-parse';
import type { ParseErrno } from '../../src/trace/kprobe-parse';
import {
  formatTrigger,
  formatTriggerFile,
  parseTriggerLine,
  sameTriggerSlot,
  TRIGGER_FILE_HEADER,
  triggerType,
  type TriggerCommand,
  type TriggerParseOptions,
} from '../../src/trace/trigger-parse';

/** events/sched/sched_process_fork/format */
const fork: FilterFieldSpec[] = [
  { name: 'parent_comm', type: 'char[16]' },
  { name: 'parent_pid', type: 'pid_t' },
  { name: 'child_comm', type: 'char[16]' },
  { name: 'child_pid', type: 'pid_t' },
];

function parse(line: string, options?: TriggerParseOptions): TriggerCommand {
  const r = parseTriggerLine(line, options);
  if (!r.ok) throw new Error(`${line}: ${r.code} ${r.reason}`);
  return r.value;
}

function errno(line: string, options?: TriggerParseOptions): ParseErrno | 'ok' {
  const r = parseTriggerLine(line, options);
  return r.ok ? 'ok' : r.code;
}

function shown(line: string, options?: TriggerParseOptions): string {
  return formatTrigger(parse(line, options));
}

describe('trigger file: what it shows', () => {
  it('prints the available triggers when there are none (trigger_show)', () => {
    expect(TRIGGER_FILE_HEADER).toBe(
      '# Available triggers:\n# traceon traceoff snapshot stacktrace enable_event disable_event enable_hist disable_hist hist\n',
    );
    expect(formatTriggerFile([])).toBe(TRIGGER_FILE_HEADER);
  });

  it('prints one line per trigger (event_trigger_print)', () => {
    expect(shown('traceoff')).toBe('traceoff:unlimited');
    expect(shown('traceon:5')).toBe('traceon:count=5');
    expect(shown('snapshot:1')).toBe('snapshot:count=1');
    expect(shown('stacktrace if child_pid > 1', { fields: fork })).toBe(
      'stacktrace:unlimited if child_pid > 1',
    );
    expect(formatTriggerFile([parse('traceon:5'), parse('stacktrace')])).toBe(
      'traceon:count=5\nstacktrace:unlimited\n',
    );
  });

  it('prints enable/disable triggers with their target (event_enable_trigger_print)', () => {
    expect(shown('enable_event:sched:sched_switch')).toBe(
      'enable_event:sched:sched_switch:unlimited',
    );
    expect(shown('disable_event:sched:sched_switch:2')).toBe(
      'disable_event:sched:sched_switch:count=2',
    );
    expect(shown('enable_hist:sched:sched_switch:3 if parent_pid == 1', { fields: fork })).toBe(
      'enable_hist:sched:sched_switch:count=3 if parent_pid == 1',
    );
  });

  it('prints the count as a signed long: ULONG_MAX is "unlimited"', () => {
    expect(shown('traceon:18446744073709551615')).toBe('traceon:unlimited');
    expect(shown('traceon:9223372036854775808')).toBe('traceon:count=-9223372036854775808');
    expect(shown('traceon:0')).toBe('traceon:count=0');
  });

  it('keeps the filter text after "if " verbatim, inner blanks included', () => {
    expect(shown('  traceon:3   if  parent_pid > 0  \n', { fields: fork })).toBe(
      'traceon:count=3 if  parent_pid > 0',
    );
  });
});

describe('trigger commands: accepted forms', () => {
  it('trigger/trigger-traceonoff.tc: traceoff and traceon', () => {
    expect(parse('traceoff\n')).toEqual({ kind: 'traceoff', remove: false });
    expect(parse('traceon\n')).toEqual({ kind: 'traceon', remove: false });
  });

  it('trigger/trigger-eventonoff.tc: enable_event and disable_event', () => {
    expect(parse('enable_event:sched:sched_switch')).toEqual({
      kind: 'enable_event',
      remove: false,
      system: 'sched',
      event: 'sched_switch',
    });
    expect(parse('disable_event:sched:sched_switch')).toMatchObject({ kind: 'disable_event' });
    // The event lookup (find_event_file -> EINVAL) is the caller's.
    expect(parse('enable_event:nogroup:noevent')).toMatchObject({
      system: 'nogroup',
      event: 'noevent',
    });
  });

  it('trigger/trigger-filter.tc: a trigger filter on the triggering event', () => {
    const t = parse('traceoff if child_pid == 0', { fields: fork });
    expect(t).toMatchObject({ kind: 'traceoff', filter: 'child_pid == 0' });
    expect(t.filterAst).toMatchObject({ kind: 'pred', field: 'child_pid', op: '==' });
    for (const f of [
      'common_pid == 0',
      'common_pid <= 0',
      'common_pid >= 0',
      'parent_pid >= 0 && child_pid >= 0',
      'parent_pid >= 0 || child_pid >= 0',
    ]) {
      expect(errno(`traceoff if ${f}`, { fields: fork }), f).toBe('ok');
    }
  });

  it('counts: kstrtoul base 0, after ":" or a blank, ignoring anything after a second ":"', () => {
    expect(parse('traceon:0x10').count).toBe(16n);
    expect(parse('traceon:010').count).toBe(8n);
    expect(parse('traceon 5').count).toBe(5n);
    expect(parse('traceon:5:junk').count).toBe(5n);
    expect(parse('enable_event:sched:sched_switch:7:junk').count).toBe(7n);
    expect(parse('traceon:')).toEqual({ kind: 'traceon', remove: false });
  });

  it('without fields, only the "if" keyword of a filter is checked', () => {
    expect(parse('traceon if whatever')).toMatchObject({ filter: 'whatever' });
    expect(parse('traceon if whatever').filterAst).toBeUndefined();
  });

  it('removals are not checked beyond the command word (and SYSTEM:EVENT)', () => {
    expect(parse('!traceon')).toEqual({ kind: 'traceon', remove: true });
    expect(parse('!traceoff:junk if nothing')).toEqual({ kind: 'traceoff', remove: true });
    expect(parse('!enable_event:sched:sched_switch:bad')).toEqual({
      kind: 'enable_event',
      remove: true,
      system: 'sched',
      event: 'sched_switch',
    });
    expect(formatTrigger(parse('!enable_event:sched:sched_switch'))).toBe(
      '!enable_event:sched:sched_switch',
    );
  });
});

describe('trigger commands: rejected forms', () => {
  it('trigger/trigger-traceonoff.tc: traceoff:badparam and traceoff+0', () => {
    expect(errno('traceoff:badparam')).toBe('EINVAL');
    expect(errno('traceoff+0')).toBe('EINVAL');
  });

  it('trigger/trigger-eventonoff.tc: disable_event+1', () => {
    expect(errno('disable_event+1')).toBe('EINVAL');
  });

  it('trigger/trigger-filter.tc: the rejected filters', () => {
    for (const f of ['a', 'common_pid=0', 'common_pid==b', 'common_pid == child_pid']) {
      expect(errno(`traceoff if ${f}`, { fields: fork }), f).toBe('EINVAL');
    }
  });

  it('passes the filter parser errnos through (set_trigger_filter)', () => {
    expect(errno('traceoff if (child_pid == 0', { fields: fork })).toBe('ENOENT');
    expect(errno('traceoff if child_pid == 0)', { fields: fork })).toBe('EPERM');
    expect(errno('traceoff if 0', { fields: fork })).toBe('EINVAL');
  });

  it('rejects bad counts and missing SYSTEM:EVENT', () => {
    expect(errno('traceon:08')).toBe('EINVAL');
    expect(errno('traceon:5x')).toBe('EINVAL');
    expect(errno('traceon:18446744073709551616')).toBe('ERANGE');
    expect(errno('enable_event')).toBe('EINVAL');
    expect(errno('enable_event:sched')).toBe('EINVAL');
    expect(errno('!enable_event')).toBe('EINVAL');
    expect(errno('enable_event:sched:sched_switch:')).toBe('EINVAL');
  });

  it('needs "if" and a filter after it', () => {
    expect(errno('traceoff if')).toBe('EINVAL');
    expect(errno('traceoff iff x')).toBe('EINVAL');
    expect(errno('traceoff 3 when x')).toBe('EINVAL');
  });

  it('rejects unknown and unmodelled commands, empty writes and several lines', () => {
    expect(errno('hist:keys=common_pid')).toBe('EINVAL');
    expect(errno('!hist:keys=common_pid')).toBe('EINVAL');
    expect(errno('bogus')).toBe('EINVAL');
    expect(errno('')).toBe('EINVAL');
    expect(errno('\n')).toBe('EINVAL');
    expect(errno('traceon\ntraceoff')).toBe('EINVAL');
    expect(errno(`traceon if ${'x'.repeat(4096)}`)).toBe('EINVAL');
  });
});

describe('trigger slots (register_trigger / unregister_trigger)', () => {
  it('traceon and traceoff share ETT_TRACE_ONOFF', () => {
    expect(triggerType('traceon')).toBe('TRACE_ONOFF');
    expect(sameTriggerSlot(parse('traceon'), parse('traceoff:3'))).toBe(true);
    expect(sameTriggerSlot(parse('traceon'), parse('!traceoff'))).toBe(true);
    expect(sameTriggerSlot(parse('traceon'), parse('snapshot'))).toBe(false);
  });

  it('enable/disable triggers also compare the target event', () => {
    const en = parse('enable_event:sched:sched_switch');
    expect(sameTriggerSlot(en, parse('disable_event:sched:sched_switch'))).toBe(true);
    expect(sameTriggerSlot(en, parse('enable_event:sched:sched_wakeup'))).toBe(false);
    expect(sameTriggerSlot(en, parse('enable_hist:sched:sched_switch'))).toBe(false);
  });
});

describe('properties', () => {
  it('never throws on arbitrary text', () => {
    const triggerish = fc
      .array(
        fc.constantFrom(
          'traceon',
          'enable_event',
          '!',
          ':',
          ' ',
          'if',
          'sched',
          '5',
          'x',
          '\t',
          'child_pid',
          '==',
          '(',
          ')',
          'hist',
          '0x',
        ),
        { maxLength: 12 },
      )
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), triggerish), (s) => {
        const r = parseTriggerLine(s, { fields: fork });
        if (r.ok) formatTrigger(r.value);
        parseTriggerLine(s);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('formats what was written: NAME[:SYS:EV](:unlimited|:count=N)[ if FILTER]', () => {
    const name = fc.constantFrom(
      'traceon',
      'traceoff',
      'snapshot',
      'stacktrace',
      'enable_event',
      'disable_event',
      'enable_hist',
      'disable_hist',
    );
    const target = fc.tuple(fc.stringMatching(/^[a-z_]{1,8}$/), fc.stringMatching(/^[a-z_]{1,8}$/));
    const filter = fc.constantFrom(
      'child_pid == 1',
      'parent_pid > 2 && child_pid != 3',
      '!(child_pid & 4)',
    );
    fc.assert(
      fc.property(
        name,
        target,
        fc.option(fc.bigInt({ min: 0n, max: (1n << 63n) - 2n }), { nil: undefined }),
        fc.option(filter, { nil: undefined }),
        (n, [sys, ev], count, f) => {
          const hasTarget = n.includes('_');
          const head = hasTarget ? `${n}:${sys}:${ev}` : n;
          const withCount = count === undefined ? head : `${head}:${count}`;
          const line = f === undefined ? withCount : `${withCount} if ${f}`;
          const shownCount = count === undefined ? ':unlimited' : `:count=${count}`;
          const want = `${head}${shownCount}${f === undefined ? '' : ` if ${f}`}`;
          expect(shown(`${line}\n`, { fields: fork })).toBe(want);
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });
});
