/**
 * A trace instance (struct trace_array): the top-level tracer or one made by
 * `mkdir instances/NAME`. Each has its own event state (trace_event_file: enabled, filter,
 * triggers), its own control files and its own `events/` tree in eventfs, built the way
 * event_trace_add_tracer() / event_create_dir() build it: one eventfs_inode per system and per
 * event, files resolved by callbacks when someone looks.
 */
import type { EventfsEntry, EventfsFileSpec, EventfsInode } from '../eventfs/eventfs-inode';
import type { EventfsProducer } from '../eventfs/base';
import type { Dentry } from '../vfs/dentry';
import { fsErr } from '../vfs/errors';
import type { File } from '../vfs/file';
import type { KOp, Mutex } from '../vfs/sched';
import type { Ctx } from '../vfs/types';
import { COMMON_FIELDS, renderFormat } from './catalog';
import { checkWriteSize, controlFops } from '../vfs/control-file';
import type { TraceEvent } from './events';
import { parseFilter } from './filter-parse';
import {
  formatTrigger,
  parseTriggerLine,
  sameTriggerSlot,
  TRIGGER_FILE_HEADER,
  type TriggerCommand,
} from './trigger-parse';
import { parseUnsigned } from './value-parse';

/** TRACE_MODE_WRITE / TRACE_MODE_READ (kernel/trace/trace.h). */
export const TRACE_MODE_WRITE = 0o640;
export const TRACE_MODE_READ = 0o440;

/** struct trace_event_file: one event's state in one instance. */
export class EventFile {
  enabled = false;
  /** The filter text as written, or null for none. */
  filter: string | null = null;
  readonly triggers: TriggerCommand[] = [];
  /** Open files of this event (trace_event_try_get_ref): removal refuses while > 0. */
  refs = 0;
  /** EVENT_FILE_FL_FREED: the event went away under an open file. */
  freed = false;
  ei: EventfsInode | null = null;

  constructor(
    readonly event: TraceEvent,
    readonly tr: TraceArray,
  ) {}
}

/** struct trace_subsystem_dir: a system's directory in one instance. */
export interface SubsystemDir {
  readonly name: string;
  ei: EventfsInode | null;
  nrEvents: number;
  filter: string | null;
}

/** What the instance needs from the tracing core. */
export interface TracingCore {
  readonly eventfs: EventfsProducer;
  /** event_mutex. */
  readonly eventMutex: Mutex;
  /** The tracers available_tracers lists. */
  readonly tracers: readonly string[];
  /** Events registered now, in list order. */
  events(): readonly TraceEvent[];
}

/** Bytes of enable/filter text accepted by one write. */
const FILTER_MAX = 4096;

/** __ftrace_set_clr_event / event_enable_read's "0", "1", "X" ("?" when there are none). */
function enableState(files: Iterable<EventFile>): string {
  let set = 0;
  for (const f of files) {
    set |= 1 << (f.enabled ? 1 : 0);
    if (set === 3) break;
  }
  return `${['?', '0', '1', 'X'][set]!}\n`;
}

export class TraceArray {
  tracingOn = true;
  currentTracer = 'nop';
  /** trace_array_get() references: open files of this instance. rmdir refuses while > 0. */
  ref = 0;
  readonly files = new Map<TraceEvent, EventFile>();
  readonly systems = new Map<string, SubsystemDir>();
  eventsEi: EventfsInode | null = null;
  /** The instance directory (the root for the top instance). */
  dir: Dentry | null = null;

  constructor(
    readonly name: string,
    readonly core: TracingCore,
  ) {}

  get isTop(): boolean {
    return this.name === '';
  }

  /** Files of this instance's events, in list order. */
  eventFiles(): EventFile[] {
    const out: EventFile[] = [];
    for (const ev of this.core.events()) {
      const f = this.files.get(ev);
      if (f !== undefined) out.push(f);
    }
    return out;
  }

  /** Files of one system, in list order. */
  systemFiles(system: string): EventFile[] {
    return this.eventFiles().filter((f) => f.event.def.system === system);
  }

  // ---- events/ tree -------------------------------------------------------------------------

  /** event_trace_add_tracer() -> create_event_toplevel_files(): `events/` and every event. */
  *createEventsTree(ctx: Ctx, parent: Dentry, entries: TraceEntries): KOp<void> {
    this.eventsEi = yield* this.core.eventfs.createEventsDir(
      ctx,
      'events',
      parent,
      entries.top,
      this,
    );
    for (const ev of this.core.events()) yield* this.addEvent(ctx, ev, entries);
  }

  /** __trace_add_new_event() -> event_create_dir(): the system dir on first use, then the event. */
  *addEvent(ctx: Ctx, ev: TraceEvent, entries: TraceEntries): KOp<void> {
    const file = new EventFile(ev, this);
    this.files.set(ev, file);
    if (this.eventsEi === null) return;
    const sysName = ev.def.system;
    let sys = this.systems.get(sysName);
    if (sys === undefined) {
      sys = { name: sysName, ei: null, nrEvents: 0, filter: null };
      this.systems.set(sysName, sys);
      sys.ei = yield* this.core.eventfs.createDir(ctx, sysName, this.eventsEi, entries.system, sys);
    }
    sys.nrEvents++;
    if (sys.ei === null) return;
    file.ei = yield* this.core.eventfs.createDir(ctx, ev.def.name, sys.ei, entries.event, file);
  }

  /** remove_event_file_dir() + remove_subsystem(): the system goes with its last event. */
  *removeEvent(ctx: Ctx, ev: TraceEvent): KOp<void> {
    const file = this.files.get(ev);
    if (file === undefined) return;
    this.files.delete(ev);
    file.freed = true;
    if (file.ei !== null) yield* this.core.eventfs.removeDir(ctx, file.ei);
    file.ei = null;
    const sys = this.systems.get(ev.def.system);
    if (sys !== undefined && --sys.nrEvents === 0) {
      this.systems.delete(sys.name);
      if (sys.ei !== null) yield* this.core.eventfs.removeDir(ctx, sys.ei);
      sys.ei = null;
    }
  }

  /** event_trace_del_tracer(): the whole events/ tree. */
  *removeEventsTree(ctx: Ctx): KOp<void> {
    for (const f of this.files.values()) f.freed = true;
    this.files.clear();
    this.systems.clear();
    if (this.eventsEi !== null) yield* this.core.eventfs.removeEventsDir(ctx, this.eventsEi);
    this.eventsEi = null;
  }

  // ---- event state changes (under event_mutex) ----------------------------------------------

  /** ftrace_event_enable_disable(). */
  setEnabled(file: EventFile, on: boolean): void {
    file.enabled = on;
  }

  /** ftrace_clear_events(): what truncating set_event does. */
  clearAll(): void {
    for (const f of this.files.values()) f.enabled = false;
  }
}

/** The eventfs entry tables of the events tree (static arrays in the kernel). */
export interface TraceEntries {
  readonly top: readonly EventfsEntry[];
  readonly system: readonly EventfsEntry[];
  readonly event: readonly EventfsEntry[];
}

// ---- the event file operations ---------------------------------------------------------------

function* withEventMutex<R>(ctx: Ctx, m: Mutex, site: string, body: () => R): KOp<R> {
  yield* m.lock(ctx.task, site);
  try {
    return body();
  } finally {
    m.unlock(ctx.task, site);
  }
}

/** event_file_file(): a file whose event is gone answers ENODEV. */
function liveFile(f: EventFile): EventFile {
  if (f.freed) throw fsErr('ENODEV', 'the event was removed');
  return f;
}

/** tracing_open_file_tr(): pin the instance and the event while the file is open. */
// eslint-disable-next-line require-yield
function* openEventFile(_ctx: Ctx, f: EventFile): KOp<void> {
  liveFile(f);
  f.refs++;
  f.tr.ref++;
}

// eslint-disable-next-line require-yield
function* releaseEventFile(_ctx: Ctx, f: EventFile): KOp<void> {
  f.refs--;
  f.tr.ref--;
}

/** The fields a filter may name: common ones first, then the event's own. */
function filterFields(f: EventFile): { name: string; type: string }[] {
  return [...COMMON_FIELDS, ...f.event.def.fields].map((x) => ({
    name: x.name.replace(/\[.*$/, ''),
    type: x.type,
  }));
}

/** Build the entry tables; fops close over the tracing core for event_mutex. */
export function makeTraceEntries(core: TracingCore): TraceEntries {
  const m = core.eventMutex;

  const enableFops = controlFops<EventFile>(
    {
      open: openEventFile,
      release: releaseEventFile,
      read: (f) => `${liveFile(f).enabled ? '1' : '0'}\n`,
      // event_enable_write(): 0 or 1, anything else EINVAL.
      *write(ctx, f, text) {
        checkWriteSize(text);
        const v = parseUnsigned(text);
        if (!v.ok || (v.value !== 0 && v.value !== 1)) throw fsErr('EINVAL', 'enable takes 0 or 1');
        yield* withEventMutex(ctx, m, 'event_enable_write', () => {
          liveFile(f).tr.setEnabled(f, v.value === 1);
        });
        return text.length;
      },
    },
    'event_enable',
  );

  const filterFops = controlFops<EventFile>(
    {
      open: openEventFile,
      release: releaseEventFile,
      read: (f) => `${liveFile(f).filter ?? 'none'}\n`,
      // event_filter_write() -> apply_event_filter(): "0" clears; a bad filter changes nothing.
      *write(ctx, f, text) {
        checkWriteSize(text, FILTER_MAX);
        const r = parseFilter(text, filterFields(liveFile(f)));
        // The kernel installs an error report as the filter on failure; we keep the old filter
        // (bad input changes nothing) and put the report in the error's detail.
        if (!r.ok) throw fsErr(r.code, r.fileText ?? r.reason);
        const value = r.value.kind === 'clear' ? null : r.value.source;
        yield* withEventMutex(ctx, m, 'event_filter_write', () => {
          liveFile(f).filter = value;
        });
        return text.length;
      },
    },
    'event_filter',
  );

  const triggerFops = controlFops<EventFile>(
    {
      // event_trigger_open(): O_TRUNC removes every trigger.
      *open(ctx, f, file) {
        yield* openEventFile(ctx, f);
        if (file.flags.write && file.flags.trunc) {
          yield* withEventMutex(ctx, m, 'event_trigger_open', () => {
            f.triggers.length = 0;
          });
        }
      },
      release: releaseEventFile,
      read: (f) => {
        const t = liveFile(f).triggers;
        return t.length === 0
          ? TRIGGER_FILE_HEADER
          : t.map((x) => `${formatTrigger(x)}\n`).join('');
      },
      // event_trigger_regex_write(): one command per write; `if FILTER` checked against the fields.
      *write(ctx, f, text) {
        checkWriteSize(text);
        const r = parseTriggerLine(text, { fields: filterFields(liveFile(f)) });
        if (!r.ok) throw fsErr(r.code, r.reason);
        yield* withEventMutex(ctx, m, 'event_trigger_write', () => {
          applyTrigger(liveFile(f), r.value);
        });
        return text.length;
      },
    },
    'event_trigger',
  );

  const formatFops = controlFops<EventFile>(
    {
      open: openEventFile,
      release: releaseEventFile,
      read: (f) => renderFormat(liveFile(f).event.def),
    },
    'event_format',
  );
  const idFops = controlFops<EventFile>({ read: (f) => `${f.event.def.id}\n` }, 'event_id');

  // event_callback(): which files an event directory shows, and how.
  const eventCallback = (name: string, data: unknown): EventfsFileSpec | null => {
    const f = data as EventFile;
    switch (name) {
      case 'enable':
        return { mode: TRACE_MODE_WRITE, fops: enableFops };
      case 'filter':
        return { mode: TRACE_MODE_WRITE, fops: filterFops };
      case 'trigger':
        return { mode: TRACE_MODE_WRITE, fops: triggerFops };
      case 'format':
        return { mode: TRACE_MODE_READ, fops: formatFops };
      case 'id':
        return f.event.def.id > 0 ? { mode: TRACE_MODE_READ, fops: idFops } : null;
      default:
        return null;
    }
  };

  const sysEnableFops = controlFops<SubsystemDir & { tr?: TraceArray }>(
    {
      read: (s) => enableState(trOfSystem(s).systemFiles(s.name)),
      // system_enable_write(): 0 or 1 to every event of the system.
      *write(ctx, s, text) {
        checkWriteSize(text);
        const v = parseUnsigned(text);
        if (!v.ok || (v.value !== 0 && v.value !== 1)) throw fsErr('EINVAL', 'enable takes 0 or 1');
        yield* withEventMutex(ctx, m, 'system_enable_write', () => {
          const files = trOfSystem(s).systemFiles(s.name);
          if (files.length === 0) throw fsErr('EINVAL', 'no events in this system');
          for (const f of files) f.enabled = v.value === 1;
        });
        return text.length;
      },
    },
    'system_enable',
  );
  const sysFilterFops = controlFops<SubsystemDir & { tr?: TraceArray }>(
    {
      read: (s) => `${s.filter ?? 'none'}\n`,
      // apply_subsystem_event_filter(): set on every event the filter fits; none fits -> EINVAL.
      *write(ctx, s, text) {
        checkWriteSize(text, FILTER_MAX);
        const files = trOfSystem(s).systemFiles(s.name);
        const fits: EventFile[] = [];
        let clear = false;
        let source: string | null = null;
        let lastErr = 'no event of this system has those fields';
        for (const f of files) {
          const r = parseFilter(text, filterFields(f));
          if (r.ok) {
            clear = r.value.kind === 'clear';
            source = r.value.kind === 'clear' ? null : r.value.source;
            fits.push(f);
          } else lastErr = r.reason;
        }
        if (fits.length === 0) throw fsErr('EINVAL', lastErr);
        yield* withEventMutex(ctx, m, 'subsystem_filter_write', () => {
          s.filter = clear ? null : source;
          for (const f of fits) f.filter = s.filter;
        });
        return text.length;
      },
    },
    'system_filter',
  );
  const systemCallback = (name: string): EventfsFileSpec | null => {
    if (name === 'filter') return { mode: TRACE_MODE_WRITE, fops: sysFilterFops };
    if (name === 'enable') return { mode: TRACE_MODE_WRITE, fops: sysEnableFops };
    return null;
  };

  const topEnableFops = controlFops<TraceArray>(
    {
      read: (tr) => enableState(tr.files.values()),
      *write(ctx, tr, text) {
        checkWriteSize(text);
        const v = parseUnsigned(text);
        if (!v.ok || (v.value !== 0 && v.value !== 1)) throw fsErr('EINVAL', 'enable takes 0 or 1');
        yield* withEventMutex(ctx, m, 'system_enable_write', () => {
          for (const f of tr.files.values()) f.enabled = v.value === 1;
        });
        return text.length;
      },
    },
    'events_enable',
  );
  const headerPageFops = controlFops<TraceArray>({ read: () => HEADER_PAGE }, 'header_page');
  const headerEventFops = controlFops<TraceArray>({ read: () => HEADER_EVENT }, 'header_event');
  const eventsCallback = (name: string): EventfsFileSpec | null => {
    if (name === 'enable') return { mode: TRACE_MODE_WRITE, fops: topEnableFops };
    if (name === 'header_page') return { mode: TRACE_MODE_READ, fops: headerPageFops };
    if (name === 'header_event') return { mode: TRACE_MODE_READ, fops: headerEventFops };
    return null;
  };

  return Object.freeze({
    top: Object.freeze(
      ['enable', 'header_page', 'header_event'].map((name) => ({ name, callback: eventsCallback })),
    ),
    system: Object.freeze(['filter', 'enable'].map((name) => ({ name, callback: systemCallback }))),
    event: Object.freeze(
      ['enable', 'filter', 'trigger', 'format', 'id'].map((name) => ({
        name,
        callback: eventCallback,
      })),
    ),
  });
}

/** The subsystem directories carry their instance (set when the tracing core creates them). */
const SYSTEM_OWNER = Symbol('tr');
function trOfSystem(s: SubsystemDir): TraceArray {
  const tr = (s as SubsystemDir & { [SYSTEM_OWNER]?: TraceArray })[SYSTEM_OWNER];
  if (tr === undefined) throw fsErr('ENODEV');
  return tr;
}
/** Record which instance a system directory belongs to. */
export function bindSystem(s: SubsystemDir, tr: TraceArray): void {
  (s as SubsystemDir & { [SYSTEM_OWNER]?: TraceArray })[SYSTEM_OWNER] = tr;
}

/**
 * register_trigger()/unregister_trigger(): triggers are keyed by type (and target event); a
 * second one of a kind is EEXIST, and removing one that is not there quietly does nothing.
 */
function applyTrigger(f: EventFile, c: TriggerCommand): void {
  const idx = f.triggers.findIndex((t) => sameTriggerSlot(t, c));
  if (c.remove) {
    if (idx >= 0) f.triggers.splice(idx, 1);
    return;
  }
  if (idx >= 0) throw fsErr('EEXIST', `a ${c.kind} trigger is already set`);
  f.triggers.push(c);
}

/** ring_buffer_print_page_header() on x86-64. */
const HEADER_PAGE =
  '\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n' +
  '\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n' +
  '\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n' +
  '\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n';

/** ring_buffer_print_entry_header(). */
const HEADER_EVENT =
  '# compressed entry header\n' +
  '\ttype_len    :    5 bits\n' +
  '\ttime_delta  :   27 bits\n' +
  '\tarray       :   32 bits\n' +
  '\n' +
  '\tpadding     : type == 29\n' +
  '\ttime_extend : type == 30\n' +
  '\ttime_stamp : type == 31\n' +
  '\tdata max type_len  == 28\n';

export type { File };
