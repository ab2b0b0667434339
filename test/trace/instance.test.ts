/**
 * The per-instance event state of src/trace/instance.ts: __ftrace_event_enable_disable()'s
 * soft mode (triggers), the subsystem directory's lifetime, and tr->events order
 * (kernel/trace/trace_events.c, trace_events_trigger.c, v6.8).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCatalog, FsError, mount, TracefsMount, type Tracefs } from '../../src/index';

function errno(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
  return 'ok';
}

/** A small catalog: one target event and a few events whose triggers can aim at it. */
const small = createCatalog([
  { name: 'sys', events: [{ name: 'target' }, { name: 's0' }, { name: 's1' }, { name: 's2' }] },
  { name: 'other', events: [{ name: 'o0' }] },
]);

type Op =
  | { kind: 'user'; value: 0 | 1 }
  | { kind: 'trigger'; source: number; on: boolean }
  | { kind: 'selfTrigger'; on: boolean }
  | { kind: 'clear' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('user' as const), value: fc.constantFrom(0 as const, 1 as const) }),
  fc.record({
    kind: fc.constant('trigger' as const),
    source: fc.integer({ min: 0, max: 2 }),
    on: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('selfTrigger' as const), on: fc.boolean() }),
  fc.record({ kind: fc.constant('clear' as const) }),
);

describe('soft mode (__ftrace_event_enable_disable)', () => {
  it('enable shows the user setting, with * while triggers hold the event', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), (ops) => {
        const fs = mount({ catalog: small });
        const T = 'events/sys/target';
        let user = false;
        const sources = new Set<number>();
        let self = false;
        for (const op of ops) {
          switch (op.kind) {
            case 'user':
              fs.writeFile(`${T}/enable`, String(op.value));
              user = op.value === 1;
              break;
            case 'clear':
              fs.writeFile('set_event', '');
              user = false;
              break;
            case 'trigger': {
              const cmd = `${op.on ? '' : '!'}enable_event:sys:target`;
              const r = errno(() => {
                fs.appendFile(`events/sys/s${op.source}/trigger`, cmd);
              });
              // A second enable_event for the same target on one event is EEXIST.
              expect(r).toBe(op.on && sources.has(op.source) ? 'EEXIST' : 'ok');
              if (op.on) sources.add(op.source);
              else sources.delete(op.source);
              break;
            }
            case 'selfTrigger': {
              const r = errno(() => {
                fs.appendFile(`${T}/trigger`, op.on ? 'traceoff' : '!traceoff');
              });
              expect(r).toBe(op.on && self ? 'EEXIST' : 'ok');
              self = op.on;
              break;
            }
          }
          const held = sources.size > 0 || self;
          const enabled = user || held;
          expect(fs.readFile(`${T}/enable`)).toBe(`${user ? '1' : '0'}${held ? '*' : ''}\n`);
          expect(fs.readFile('set_event').includes('sys:target\n')).toBe(enabled);
          // trace_events_enabled() counts ENABLED, which trigger mode sets on each source too.
          const states = [enabled, ...[0, 1, 2].map((i) => sources.has(i))];
          const sys = states.every(Boolean) ? '1' : states.some(Boolean) ? 'X' : '0';
          expect(fs.readFile('events/sys/enable')).toBe(`${sys}\n`);
        }
        expect(fs.checkInvariants()).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('matches the kernel flags one step at a time', () => {
    const fs = new TracefsMount({ catalog: small });
    const tr = fs.tracing.top;
    const file = tr.findEventFile('sys', 'target')!;
    const flags = (): string =>
      [
        file.enabled ? 'E' : '',
        file.softMode ? 'M' : '',
        file.softDisabled ? 'D' : '',
        file.triggerMode ? 'T' : '',
      ].join('') + `${file.smRef}`;
    expect(flags()).toBe('0');
    fs.appendFile('events/sys/s0/trigger', 'enable_event:sys:target');
    expect(flags()).toBe('EMD1');
    fs.appendFile('events/sys/s1/trigger', 'disable_event:sys:target');
    expect(flags()).toBe('EMD2');
    fs.writeFile('events/sys/target/enable', '1');
    expect(flags()).toBe('EM2');
    fs.appendFile('events/sys/target/trigger', 'stacktrace');
    expect(flags()).toBe('EMT3');
    fs.writeFile('events/sys/target/enable', '0');
    expect(flags()).toBe('EMDT3');
    fs.appendFile('events/sys/s0/trigger', '!enable_event:sys:target');
    fs.appendFile('events/sys/s1/trigger', '!disable_event:sys:target');
    fs.appendFile('events/sys/target/trigger', '!stacktrace');
    expect(flags()).toBe('0');
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('tr->events and ftrace_events order', () => {
  it('lists static events in catalog order and new events first (list_add)', () => {
    const fs = mount({ catalog: small });
    expect(fs.readFile('available_events')).toBe('sys:target\nsys:s0\nsys:s1\nsys:s2\nother:o0\n');
    fs.appendFile('kprobe_events', 'p:k1 schedule\np:other/k2 schedule\n');
    expect(fs.readFile('available_events')).toBe(
      'other:k2\nkprobes:k1\nsys:target\nsys:s0\nsys:s1\nsys:s2\nother:o0\n',
    );
    // A new event in an existing system is its last directory (list_add_tail of eventfs).
    expect(fs.readdir('events/other').map((d) => d.name)).toEqual([
      '.',
      '..',
      'filter',
      'enable',
      'o0',
      'k2',
    ]);
    expect(
      fs
        .readdir('events')
        .map((d) => d.name)
        .slice(5),
    ).toEqual(['sys', 'other', 'kprobes']);
    fs.writeFile('kprobe_events', '');
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('subsystem directories', () => {
  it('go with their last event; an open system filter then answers ENODEV', () => {
    const fs: Tracefs = mount({ catalog: small });
    fs.appendFile('kprobe_events', 'p:grp/a schedule\np:grp/b schedule\n');
    const enable = fs.open('events/grp/enable', 'r');
    const filter = fs.open('events/grp/filter', 'r+');
    fs.appendFile('kprobe_events', '-:grp/a');
    expect(enable.read()).toBe('0\n');
    fs.appendFile('kprobe_events', '-:grp/b');
    expect(errno(() => fs.stat('events/grp'))).toBe('ENOENT');
    expect(errno(() => fs.open('events/grp/enable'))).toBe('ENOENT');
    // apply_subsystem_event_filter(): dir->nr_events == 0.
    expect(errno(() => filter.write('common_pid == 1'))).toBe('ENODEV');
    enable.close();
    filter.close();
    fs.shrink();
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('an open system enable file reads ? once its system is gone', () => {
    const fs = mount({ catalog: small });
    fs.appendFile('kprobe_events', 'p:grp/a schedule');
    const enable = fs.open('events/grp/enable', 'r+');
    fs.appendFile('kprobe_events', '-:grp/a');
    expect(enable.read()).toBe('?\n');
    expect(errno(() => enable.write('1'))).toBe('EINVAL');
    enable.close();
    fs.shrink();
    expect(fs.checkInvariants()).toEqual([]);
  });
});
