import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EVENT_BUF_SIZE,
  formatSetEventCommand,
  matchEvents,
  parseSetEventLine,
  parseSetEventWrite,
  type SetEventCommand,
} from '../../src/trace/set-event-parse';

const catalog = [
  { system: 'sched', name: 'sched_switch' },
  { system: 'sched', name: 'sched_wakeup' },
  { system: 'sched', name: 'sched_process_fork' },
  { system: 'irq', name: 'irq_handler_entry' },
  { system: 'kprobes', name: 'sched' },
  { system: 'ftrace', name: 'function', ignoreEnable: true },
  { system: 'syscalls', name: 'sys_enter_openat' },
];

function cmd(line: string): SetEventCommand {
  const r = parseSetEventLine(line);
  if (!r.ok || r.value === null) throw new Error(`no command in ${JSON.stringify(line)}`);
  return r.value;
}

function names(line: string): string[] {
  return matchEvents(cmd(line), catalog).map((e) => `${e.system}:${e.name}`);
}

describe('set_event tokens (ftrace_set_clr_event)', () => {
  it('event/event-enable.tc: SYSTEM:EVENT', () => {
    expect(cmd('sched:sched_switch')).toEqual({
      enable: true,
      system: 'sched',
      event: 'sched_switch',
    });
    expect(names('sched:sched_switch')).toEqual(['sched:sched_switch']);
  });

  it('event/subsystem-enable.tc: SYSTEM:* and SYSTEM:', () => {
    expect(cmd('sched:*')).toEqual({ enable: true, system: 'sched' });
    expect(cmd('sched:')).toEqual({ enable: true, system: 'sched' });
    expect(names('sched:*')).toEqual([
      'sched:sched_switch',
      'sched:sched_wakeup',
      'sched:sched_process_fork',
    ]);
  });

  it('event/toplevel-enable.tc: *:* (and ":" and "*:") is every enable-able event', () => {
    for (const t of ['*:*', ':', '*:', ':*']) {
      expect(cmd(t)).toEqual({ enable: true });
      expect(names(t)).toHaveLength(6);
    }
  });

  it('*:EVENT and :EVENT match that name in any system', () => {
    expect(cmd('*:sched_switch')).toEqual({ enable: true, event: 'sched_switch' });
    expect(names(':sched_wakeup')).toEqual(['sched:sched_wakeup']);
  });

  it('a bare token matches both system names and event names', () => {
    expect(cmd('sched')).toEqual({ enable: true, match: 'sched' });
    // The whole sched system, and the kprobe event that happens to be called "sched".
    expect(names('sched')).toEqual([
      'sched:sched_switch',
      'sched:sched_wakeup',
      'sched:sched_process_fork',
      'kprobes:sched',
    ]);
    expect(names('sys_enter_openat')).toEqual(['syscalls:sys_enter_openat']);
  });

  it('"!" disables', () => {
    expect(cmd('!sched:sched_switch')).toEqual({
      enable: false,
      system: 'sched',
      event: 'sched_switch',
    });
    expect(cmd('!*:*')).toEqual({ enable: false });
  });

  it('has no globbing: only a whole "*" part means "any"', () => {
    expect(names('sched:sched_*')).toEqual([]);
    expect(names('sch*:sched_switch')).toEqual([]);
    expect(names('*')).toEqual([]);
  });

  it('splits at the first colon only', () => {
    expect(cmd('sched:sched_switch:extra')).toEqual({
      enable: true,
      system: 'sched',
      event: 'sched_switch:extra',
    });
    expect(names('sched:sched_switch:extra')).toEqual([]);
  });

  it('never matches events flagged TRACE_EVENT_FL_IGNORE_ENABLE', () => {
    expect(names('ftrace:function')).toEqual([]);
    expect(names('function')).toEqual([]);
  });

  it('"!" alone matches nothing (the caller answers EINVAL)', () => {
    expect(cmd('!')).toEqual({ enable: false, match: '' });
    expect(names('!')).toEqual([]);
  });
});

describe('set_event writes (ftrace_event_write / trace_get_user)', () => {
  it('treats a blank write as a no-op (echo > set_event clears through O_TRUNC)', () => {
    expect(parseSetEventLine('\n')).toEqual({ ok: true, value: null });
    expect(parseSetEventLine('')).toEqual({ ok: true, value: null });
    expect(parseSetEventWrite(' \n\t')).toEqual([]);
  });

  it('one write(2) handles only the first token', () => {
    expect(parseSetEventLine('  sched:sched_switch irq:irq_handler_entry\n')).toEqual({
      ok: true,
      value: { enable: true, system: 'sched', event: 'sched_switch' },
    });
  });

  it('a looping writer submits every token in order', () => {
    const steps = parseSetEventWrite('sched:sched_switch\n!irq:*  syscalls:sys_enter_openat\n');
    expect(steps).toEqual([
      { ok: true, value: { enable: true, system: 'sched', event: 'sched_switch' } },
      { ok: true, value: { enable: false, system: 'irq' } },
      { ok: true, value: { enable: true, system: 'syscalls', event: 'sys_enter_openat' } },
    ]);
  });

  it(`rejects a token longer than EVENT_BUF_SIZE (${EVENT_BUF_SIZE}) with EINVAL`, () => {
    expect(parseSetEventLine('x'.repeat(EVENT_BUF_SIZE)).ok).toBe(true);
    const r = parseSetEventLine('x'.repeat(EVENT_BUF_SIZE + 1));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('EINVAL');
  });
});

describe('properties', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseSetEventLine(s);
        if (r.ok && r.value !== null) matchEvents(r.value, catalog);
        parseSetEventWrite(s);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('formatSetEventCommand round-trips through the parser', () => {
    const part = fc.stringMatching(/^[a-z_:!*]{0,12}$/);
    fc.assert(
      fc.property(part, (token) => {
        const first = parseSetEventLine(token);
        if (!first.ok || first.value === null) return;
        const again = parseSetEventLine(formatSetEventCommand(first.value));
        expect(again).toEqual(first);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('matches exactly the events the kernel loop would', () => {
    const ev = fc.record({
      system: fc.constantFrom('a', 'b', 'c'),
      name: fc.constantFrom('a', 'x', 'y'),
    });
    const token = fc.constantFrom('a', 'b', 'x', 'a:x', '*:x', 'b:*', ':', '*:*', 'c:', 'q');
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 8 }), token, (events, t) => {
        const c = cmd(t);
        const got = matchEvents(c, events);
        const want = events.filter((e) => {
          const colon = t.indexOf(':');
          if (colon === -1) return e.name === t || e.system === t;
          const sub = t.slice(0, colon);
          const name = t.slice(colon + 1);
          return (
            (sub === '' || sub === '*' || sub === e.system) &&
            (name === '' || name === '*' || name === e.name)
          );
        });
        expect(got).toEqual(want);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
