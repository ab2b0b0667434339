import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  COMMON_FIELDS,
  DEFAULT_FIRST_EVENT_ID,
  createCatalog,
  defaultCatalog,
  defaultFieldsFor,
  renderFormat,
  type EventDef,
  type EventField,
} from '../../src/trace/catalog';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const GENERATOR = join(ROOT, 'scripts', 'gen-catalog.mjs');
const DATA_MODULE = join(ROOT, 'src', 'trace', 'catalog-data.ts');
const SHARED_DUMP = '/work/shared/data/available_events.txt';

/** The events the catalog must carry real kernel definitions for. */
const WELL_KNOWN = [
  'sched:sched_switch',
  'sched:sched_wakeup',
  'sched:sched_wakeup_new',
  'sched:sched_waking',
  'sched:sched_process_fork',
  'sched:sched_process_exec',
  'sched:sched_process_exit',
  'sched:sched_process_free',
  'sched:sched_migrate_task',
  'sched:sched_stat_runtime',
  'irq:irq_handler_entry',
  'irq:irq_handler_exit',
  'irq:softirq_entry',
  'irq:softirq_exit',
  'raw_syscalls:sys_enter',
  'raw_syscalls:sys_exit',
  'timer:hrtimer_start',
  'timer:timer_start',
  'signal:signal_generate',
  'signal:signal_deliver',
  'kmem:kmalloc',
  'kmem:kfree',
  'kmem:mm_page_alloc',
  'block:block_rq_issue',
  'block:block_rq_complete',
  'workqueue:workqueue_execute_start',
  'workqueue:workqueue_execute_end',
];

function event(system: string, name: string): EventDef {
  const ev = defaultCatalog().findEvent(system, name);
  if (ev === undefined) throw new Error(`no event ${system}:${name}`);
  return ev;
}

function allEvents(): EventDef[] {
  return defaultCatalog().systems.flatMap((s) => [...s.events]);
}

describe('default catalog', () => {
  it('has the 2002 events in 114 systems of the dump, in kernel order', () => {
    const cat = defaultCatalog();
    expect(cat.systems).toHaveLength(114);
    expect(cat.eventCount).toBe(2002);
    expect(allEvents()).toHaveLength(2002);
    expect(new Set(cat.systems.map((s) => s.name)).size).toBe(114);
    expect(cat.systems[0]?.name).toBe('nfs');
    expect(cat.systems[0]?.events[0]?.name).toBe('nfs_set_inode_stale');
    expect(cat.systems.at(-1)?.name).toBe('mptcp');
    // syscalls appears in 30 separate runs in the dump but is one system, placed at its first run.
    const names = cat.systems.map((s) => s.name);
    expect(names.indexOf('syscalls')).toBe(names.indexOf('hyperv') + 1);
    expect(cat.findSystem('syscalls')?.events.length).toBeGreaterThan(600);
  });

  it('is one shared, deeply frozen instance', () => {
    const cat = defaultCatalog();
    expect(defaultCatalog()).toBe(cat);
    expect(Object.isFrozen(cat)).toBe(true);
    expect(Object.isFrozen(cat.systems)).toBe(true);
    const sched = cat.findSystem('sched')!;
    expect(Object.isFrozen(sched)).toBe(true);
    expect(Object.isFrozen(sched.events)).toBe(true);
    const sw = event('sched', 'sched_switch');
    expect(Object.isFrozen(sw)).toBe(true);
    expect(Object.isFrozen(sw.fields)).toBe(true);
    expect(Object.isFrozen(sw.fields[0])).toBe(true);
    expect(() => {
      (sw as { id: number }).id = 1;
    }).toThrow(TypeError);
    expect(() => {
      (cat.systems as unknown as unknown[]).pop();
    }).toThrow(TypeError);
  });

  it('finds systems and events', () => {
    const cat = defaultCatalog();
    expect(cat.findSystem('sched')?.name).toBe('sched');
    expect(cat.findSystem('sched')?.events.some((e) => e.name === 'sched_switch')).toBe(true);
    expect(cat.findSystem('nope')).toBeUndefined();
    expect(cat.findSystem('')).toBeUndefined();
    const ev = cat.findEvent('sched', 'sched_switch');
    expect(ev?.system).toBe('sched');
    expect(ev?.name).toBe('sched_switch');
    expect(cat.findEvent('xhci-hcd', 'xhci_dbg_address')?.system).toBe('xhci-hcd');
    expect(cat.findEvent('sched', 'nope')).toBeUndefined();
    expect(cat.findEvent('nope', 'sched_switch')).toBeUndefined();
    // An event name is only found in its own system.
    expect(cat.findEvent('irq', 'sched_switch')).toBeUndefined();
    for (const sys of cat.systems) {
      for (const ev of sys.events) expect(cat.findEvent(sys.name, ev.name)).toBe(ev);
    }
  });

  it('assigns unique, sequential, stable ids in catalog order', () => {
    const ids = allEvents().map((e) => e.id);
    expect(new Set(ids).size).toBe(2002);
    expect(ids).toEqual(ids.map((_, i) => DEFAULT_FIRST_EVENT_ID + i));
    expect(DEFAULT_FIRST_EVENT_ID).toBe(21);
    // Pinned values: changing them changes every generated `id`/`format` file.
    expect(event('nfs', 'nfs_set_inode_stale').id).toBe(21);
    expect(event('sched', 'sched_switch').id).toBe(1326);
    expect(event('mptcp', 'mptcp_subflow_get_send').id).toBe(2022);
    // Rebuilding the same catalog gives the same ids.
    const again = createCatalog(
      defaultCatalog().systems.map((s) => ({ name: s.name, events: s.events })),
    );
    expect(again.systems.flatMap((s) => s.events.map((e) => e.id))).toEqual(ids);
  });

  it('carries real definitions for the well-known events', () => {
    for (const key of WELL_KNOWN) {
      const [system = '', name = ''] = key.split(':');
      const ev = event(system, name);
      expect(ev.fields.length, key).toBeGreaterThan(0);
      expect(ev.printFmt.startsWith('"'), key).toBe(true);
      expect(ev.printFmt, key).not.toBe('""');
      let end = 8;
      for (const f of ev.fields) {
        expect(f.offset, `${key} ${f.name}`).toBeGreaterThanOrEqual(end);
        const scalar = f.name.includes('[') ? 1 : f.size;
        expect(f.offset % Math.min(scalar, 8), `${key} ${f.name} alignment`).toBe(0);
        end = f.offset + f.size;
      }
    }
    expect(event('raw_syscalls', 'sys_enter').fields).toEqual([
      { type: 'long', name: 'id', offset: 8, size: 8, signed: true },
      { type: 'unsigned long', name: 'args[6]', offset: 16, size: 48, signed: false },
    ]);
    expect(event('sched', 'sched_waking').fields).toEqual(event('sched', 'sched_wakeup').fields);
    expect(event('kmem', 'kmalloc').printFmt).toContain('"GFP_KERNEL"');
  });

  it('gives every other event the generic stand-in', () => {
    const known = new Set(WELL_KNOWN);
    const others = allEvents().filter((e) => !known.has(`${e.system}:${e.name}`));
    expect(others).toHaveLength(2002 - WELL_KNOWN.length);
    for (const ev of others) {
      expect(ev.fields).toEqual([]);
      expect(ev.printFmt).toBe('""');
    }
  });
});

describe('COMMON_FIELDS', () => {
  it('is struct trace_entry', () => {
    expect(COMMON_FIELDS).toEqual([
      { type: 'unsigned short', name: 'common_type', offset: 0, size: 2, signed: false },
      { type: 'unsigned char', name: 'common_flags', offset: 2, size: 1, signed: false },
      { type: 'unsigned char', name: 'common_preempt_count', offset: 3, size: 1, signed: false },
      { type: 'int', name: 'common_pid', offset: 4, size: 4, signed: true },
    ]);
    expect(Object.isFrozen(COMMON_FIELDS)).toBe(true);
  });

  it('comes first in every format file, and never among the event fields', () => {
    for (const ev of allEvents()) {
      const lines = renderFormat(ev).split('\n');
      expect(lines.slice(0, 7)).toEqual([
        `name: ${ev.name}`,
        `ID: ${ev.id}`,
        'format:',
        '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
        '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
        '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
        '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
      ]);
      expect(lines[7]).toBe('');
      expect(ev.fields.some((f) => f.name.startsWith('common_'))).toBe(false);
    }
  });
});

describe('renderFormat', () => {
  it('renders sched_switch exactly as the kernel does', () => {
    // A real v6.x x86-64 events/sched/sched_switch/format, with this catalog's ID.
    const expected =
      'name: sched_switch\n' +
      'ID: 1326\n' +
      'format:\n' +
      '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n' +
      '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n' +
      '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n' +
      '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n' +
      '\n' +
      '\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n' +
      '\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n' +
      '\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n' +
      '\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n' +
      '\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n' +
      '\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n' +
      '\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n' +
      '\n' +
      'print fmt: "prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s ' +
      'next_pid=%d next_prio=%d", REC->prev_comm, REC->prev_pid, REC->prev_prio, ' +
      '(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | ' +
      '0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ' +
      '((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | ' +
      '0x00000020 | 0x00000040) + 1) << 1) - 1), "|", { 0x00000001, "S" }, { 0x00000002, "D" }, ' +
      '{ 0x00000004, "T" }, { 0x00000008, "t" }, { 0x00000010, "X" }, { 0x00000020, "Z" }, ' +
      '{ 0x00000040, "P" }, { 0x00000080, "I" }) : "R", REC->prev_state & (((0x00000000 | ' +
      '0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | ' +
      '0x00000040) + 1) << 1) ? "+" : "", REC->next_comm, REC->next_pid, REC->next_prio\n';
    expect(renderFormat(event('sched', 'sched_switch'))).toBe(expected);
  });

  it('prints __data_loc fields unsplit', () => {
    const text = renderFormat(event('sched', 'sched_process_exec'));
    expect(text).toContain(
      '\n\n\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n' +
        '\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n' +
        '\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n\n' +
        'print fmt: "filename=%s pid=%d old_pid=%d", __get_str(filename), REC->pid, REC->old_pid\n',
    );
  });

  it('leaves two empty lines when an event has no fields of its own', () => {
    const text = renderFormat(event('nfs', 'nfs_set_inode_stale'));
    expect(
      text.endsWith('\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n\nprint fmt: ""\n'),
    ).toBe(true);
  });
});

describe('defaultFieldsFor', () => {
  it('is a generic stand-in: no own fields, empty print format', () => {
    const d = defaultFieldsFor('nfs', 'nfs_getattr_enter');
    expect(d.fields).toEqual([]);
    expect(d.printFmt).toBe('""');
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen(d.fields)).toBe(true);
    // It does not look up bundled definitions.
    expect(defaultFieldsFor('sched', 'sched_switch').fields).toEqual([]);
  });

  it('rejects names that cannot be tracefs directory names', () => {
    for (const bad of ['', '.', '..', 'a/b', 'a:b', 'a b', 'a\0b']) {
      expect(() => defaultFieldsFor(bad, 'x')).toThrow(RangeError);
      expect(() => defaultFieldsFor('x', bad)).toThrow(RangeError);
    }
  });
});

describe('createCatalog', () => {
  const pidField: EventField = { type: 'pid_t', name: 'pid', offset: 8, size: 4, signed: true };

  it('builds a small custom catalog', () => {
    const cat = createCatalog([
      {
        name: 'demo',
        events: [{ name: 'a' }, { name: 'b', fields: [pidField], printFmt: '"pid=%d", REC->pid' }],
      },
      { name: 'other', events: [{ name: 'a' }] },
    ]);
    expect(cat.eventCount).toBe(3);
    expect(cat.systems.map((s) => s.name)).toEqual(['demo', 'other']);
    expect(
      cat.systems.flatMap((s) => s.events.map((e) => `${e.system}:${e.name}:${e.id}`)),
    ).toEqual(['demo:a:21', 'demo:b:22', 'other:a:23']);
    const b = cat.findEvent('demo', 'b')!;
    expect(b.fields).toEqual([pidField]);
    expect(b.fields[0]).not.toBe(pidField);
    expect(Object.isFrozen(b.fields[0])).toBe(true);
    expect(cat.findEvent('demo', 'a')?.fields).toEqual([]);
    expect(cat.findEvent('demo', 'a')?.printFmt).toBe('""');
    expect(cat.findEvent('other', 'a')?.id).toBe(23);
    expect(cat.findEvent('other', 'b')).toBeUndefined();
    expect(renderFormat(b)).toBe(
      'name: b\nID: 22\nformat:\n' +
        COMMON_FIELDS.map(
          (f) =>
            `\tfield:${f.type} ${f.name};\toffset:${f.offset};\tsize:${f.size};\tsigned:${f.signed ? 1 : 0};\n`,
        ).join('') +
        '\n\tfield:pid_t pid;\toffset:8;\tsize:4;\tsigned:1;\n\nprint fmt: "pid=%d", REC->pid\n',
    );
  });

  it('copies the given fields', () => {
    const fields: EventField[] = [{ ...pidField }];
    const cat = createCatalog([{ name: 's', events: [{ name: 'e', fields }] }]);
    (fields[0] as { offset: number }).offset = 99;
    fields.push(pidField);
    expect(cat.findEvent('s', 'e')?.fields).toEqual([pidField]);
  });

  it('numbers from firstId', () => {
    const cat = createCatalog([{ name: 's', events: [{ name: 'x' }, { name: 'y' }] }], 500);
    expect(cat.findEvent('s', 'x')?.id).toBe(500);
    expect(cat.findEvent('s', 'y')?.id).toBe(501);
    expect(createCatalog([]).eventCount).toBe(0);
    expect(
      createCatalog([{ name: 's', events: [{ name: 'x' }] }], 65535).findEvent('s', 'x')?.id,
    ).toBe(65535);
  });

  it('rejects duplicates, bad names and ids outside common_type', () => {
    expect(() =>
      createCatalog([
        { name: 's', events: [] },
        { name: 's', events: [] },
      ]),
    ).toThrow(RangeError);
    expect(() => createCatalog([{ name: 's', events: [{ name: 'e' }, { name: 'e' }] }])).toThrow(
      RangeError,
    );
    expect(() => createCatalog([{ name: 'a/b', events: [] }])).toThrow(RangeError);
    expect(() => createCatalog([{ name: 's', events: [{ name: '' }] }])).toThrow(RangeError);
    const two = [{ name: 's', events: [{ name: 'x' }, { name: 'y' }] }];
    expect(() => createCatalog(two, 0)).toThrow(RangeError);
    expect(() => createCatalog(two, 1.5)).toThrow(RangeError);
    expect(() => createCatalog(two, 65535)).toThrow(RangeError);
  });
});

describe('data module', () => {
  function generate(input: string, dir: string, out: string): string {
    const file = join(dir, out);
    const res = spawnSync(process.execPath, [GENERATOR, '--input', input, '--output', file], {
      encoding: 'utf8',
    });
    expect(res.status, res.stderr).toBe(0);
    return readFileSync(file, 'utf8');
  }

  it('is what the generator deterministically produces from the event list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracefs-catalog-'));
    try {
      // The grouped list is all the generator depends on, so rebuild its input from the catalog.
      const input = join(dir, 'available_events');
      const lines = defaultCatalog().systems.flatMap((s) =>
        s.events.map((e) => `${s.name}:${e.name}`),
      );
      writeFileSync(input, lines.join('\n') + '\n');
      const first = generate(input, dir, 'a.ts');
      const second = generate(input, dir, 'b.ts');
      expect(second).toBe(first);
      expect(first).toBe(readFileSync(DATA_MODULE, 'utf8'));
      expect(Buffer.byteLength(first)).toBeLessThan(120 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(SHARED_DUMP))('matches the original dump', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracefs-catalog-'));
    try {
      expect(generate(SHARED_DUMP, dir, 'c.ts')).toBe(readFileSync(DATA_MODULE, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
