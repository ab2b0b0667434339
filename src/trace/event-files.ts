/**
 * The files of the events/ tree (kernel/trace/trace_events.c): per event enable, filter,
 * trigger, format and id; per system enable and filter; events/enable, header_page and
 * header_event. Each is a set of file operations over the eventfs entry's data (a
 * trace_event_file, a trace_subsystem_dir or the trace_array), and the tables of entries that
 * event_create_dir() and friends hand to eventfs.
 */
import type { EventfsFileSpec } from '../eventfs/eventfs-inode';
import { fsErr } from '../vfs/errors';
import type { File } from '../vfs/file';
import type { KOp, Mutex } from '../vfs/sched';
import type { Ctx, FileOperations } from '../vfs/types';
import { controlFops, type ControlSpec } from '../vfs/control-file';
import { readFromBuffer } from '../vfs/file';
import { COMMON_FIELDS, renderFormat } from './catalog';
import { parseFilter } from './filter-parse';
import { formatTrigger, parseTriggerLine, TRIGGER_FILE_HEADER } from './trigger-parse';
import { byteLength, cString, parseBoolFile, stripTrailingSpace, strim } from './value-parse';
import {
  BAD_SUBSYS_FILTER,
  DEFAULT_SYS_FILTER_MESSAGE,
  PAGE_SIZE,
  EventFile,
  SubsystemDir,
  TRACE_MODE_READ,
  TRACE_MODE_WRITE,
  TraceArray,
  type TraceEntries,
  type TracingCore,
} from './instance';

// ---- the event file operations ---------------------------------------------------------------

function* withEventMutex<R>(ctx: Ctx, m: Mutex, site: string, body: () => R): KOp<R> {
  yield* m.lock(ctx.task, site);
  try {
    return body();
  } finally {
    m.unlock(ctx.task, site);
  }
}

/**
 * controlFops() whose ->read renders the text under event_mutex, as the seq_file ->start of
 * the kernel's files (t_start, s_start, f_start, trigger_start, dyn_event_seq_start) and the
 * simple reads (event_enable_read, event_filter_read, trace_events_enabled,
 * print_subsystem_event_filter) do.
 */
export function eventMutexFops<D>(m: Mutex, spec: ControlSpec<D>, name: string): FileOperations {
  const base = controlFops<D>(spec, name);
  const render = spec.read;
  if (render === undefined) return base;
  const site = `${name}_read`;
  return Object.freeze({
    ...base,
    *read(ctx: Ctx, file: File, count: number): KOp<string> {
      yield* m.lock(ctx.task, site);
      let text: string;
      try {
        text = render(file.inode.private as D, file);
      } finally {
        m.unlock(ctx.task, site);
      }
      return readFromBuffer(file, text, count);
    },
  });
}

/** event_file_file(): a file whose event is gone answers ENODEV. */
function liveFile(f: EventFile): EventFile {
  if (f.freed) throw fsErr('ENODEV', 'the event was removed');
  return f;
}

/**
 * Reads of files whose ->read starts with `if (*ppos) return 0;` (event_filter_read,
 * subsystem_filter_read, show_header_*_file): only the first read(2) returns anything.
 */
function firstReadOnly(text: string, file: File): string {
  return file.pos === 0 ? text : '';
}

/** tracing_open_file_tr(): pin the instance; a removed event is ENODEV. */
// eslint-disable-next-line require-yield
function* openEventFile(_ctx: Ctx, f: EventFile): KOp<void> {
  f.tr.get();
  if (f.freed) {
    f.tr.put();
    throw fsErr('ENODEV', 'the event was removed');
  }
}

/** tracing_release_file_tr(). */
// eslint-disable-next-line require-yield
function* releaseEventFile(_ctx: Ctx, f: EventFile): KOp<void> {
  f.tr.put();
}

/** subsystem_open(): the system must still be listed with events; pins the instance. */
// eslint-disable-next-line require-yield
function* openSubsystem(_ctx: Ctx, s: SubsystemDir): KOp<void> {
  if (!s.listed || s.nrEvents === 0 || s.tr.removed) throw fsErr('ENODEV');
  s.tr.get();
}

// eslint-disable-next-line require-yield
function* releaseSubsystem(_ctx: Ctx, s: SubsystemDir): KOp<void> {
  s.tr.put();
}

/** tracing_open_generic_tr() / system_tr_open(). */
// eslint-disable-next-line require-yield
function* openTr(_ctx: Ctx, tr: TraceArray): KOp<void> {
  tr.get();
}

// eslint-disable-next-line require-yield
function* releaseTr(_ctx: Ctx, tr: TraceArray): KOp<void> {
  tr.put();
}

/**
 * The fields a filter may name (trace_find_event_field): the event's own and the common ones,
 * with the type as the kernel keeps it ("char[16]": f_show() prints the length after the name).
 */
function filterFields(
  f: EventFile,
): { name: string; type: string; size: number; signed: boolean }[] {
  return [...COMMON_FIELDS, ...f.event.def.fields].map((x) => {
    const at = x.name.indexOf('[');
    return at === -1
      ? { name: x.name, type: x.type, size: x.size, signed: x.signed }
      : {
          name: x.name.slice(0, at),
          type: x.type + x.name.slice(at),
          size: x.size,
          signed: x.signed,
        };
  });
}

/** "0", "1", "X" or "?" of system_enable_read(). */
const SET_TO_CHAR = ['?', '0', '1', 'X'] as const;

/** event_enable_read(): "0"/"1", then "*" in soft mode. */
function enableText(f: EventFile): string {
  let buf = f.enabled && !f.softDisabled ? '1' : '0';
  if (f.softDisabled || f.softMode) buf += '*';
  return `${buf}\n`;
}

function parseEnableValue(text: string): 0 | 1 {
  const v = parseBoolFile(text);
  if (!v.ok) throw fsErr(v.code, v.reason);
  return v.value;
}

/** Build the entry tables; fops close over the tracing core for event_mutex. */
export function makeTraceEntries(core: TracingCore): TraceEntries {
  const m = core.eventMutex;

  const enableFops = eventMutexFops<EventFile>(
    m,
    {
      open: openEventFile,
      release: releaseEventFile,
      read: (f) => enableText(liveFile(f)),
      // event_enable_write(): kstrtoul_from_user, then 0 or 1, then the event must still exist.
      *write(ctx, f, text) {
        const val = parseEnableValue(text);
        yield* withEventMutex(ctx, m, 'event_enable_write', () => {
          liveFile(f).tr.enableDisable(f, val, false);
        });
        return text.length;
      },
    },
    'event_enable',
  );

  const filterFops = eventMutexFops<EventFile>(
    m,
    {
      open: openEventFile,
      release: releaseEventFile,
      // event_filter_read() -> print_event_filter().
      read: (f, file) => firstReadOnly(`${liveFile(f).filterString ?? 'none'}\n`, file),
      // event_filter_write() -> apply_event_filter(): "0" clears; a filter that does not parse
      // still replaces the old one, holding the error report, and the event is unfiltered.
      *write(ctx, f, text) {
        if (byteLength(text) >= PAGE_SIZE) throw fsErr('EINVAL', 'filter of PAGE_SIZE or more');
        yield* withEventMutex(ctx, m, 'event_filter_write', () => {
          liveFile(f);
          const r = parseFilter(text, filterFields(f));
          if (r.ok) {
            if (r.value.kind === 'clear') {
              f.filterString = null;
              f.filtered = false;
            } else {
              f.filterString = r.value.source;
              f.filtered = true;
            }
            return;
          }
          if (r.fileText !== undefined) {
            f.filterString = r.fileText.replace(/\n$/, '');
            f.filtered = false;
          }
          throw fsErr(r.code, r.reason);
        });
        return text.length;
      },
    },
    'event_filter',
  );

  const triggerFops = eventMutexFops<EventFile>(
    m,
    {
      // event_trigger_regex_open(): ENODEV for a removed event. O_TRUNC calls unreg_all of
      // each command, which only `hist` has: traceon & co. survive `echo > trigger`.
      *open(ctx, f) {
        yield* withEventMutex(ctx, m, 'event_trigger_regex_open', () => liveFile(f));
      },
      // trigger_show(): the available commands when there is no trigger, else one per line.
      read: (f) => {
        const t = liveFile(f).triggers;
        return t.length === 0
          ? TRIGGER_FILE_HEADER
          : t.map((x) => `${formatTrigger(x.cmd)}\n`).join('');
      },
      // event_trigger_regex_write() -> trigger_process_regex(): one command per write.
      *write(ctx, f, text) {
        if (byteLength(text) >= PAGE_SIZE) throw fsErr('EINVAL', 'trigger of PAGE_SIZE or more');
        yield* withEventMutex(ctx, m, 'event_trigger_regex_write', () => {
          liveFile(f);
          const r = parseTriggerLine(text, { fields: filterFields(f) });
          if (!r.ok) throw fsErr(r.code, r.reason);
          f.tr.applyTrigger(f, r.value);
        });
        return text.length;
      },
    },
    'event_trigger',
  );

  // trace_format_open(): a plain seq_file, no reference on the instance or the event.
  const formatFops = eventMutexFops<EventFile>(
    m,
    { read: (f) => renderFormat(liveFile(f).event.def) },
    'event_format',
  );
  // event_id_read(): the id was stored as the file's data, so it outlives the event.
  const idFops = controlFops<EventFile>({ read: (f) => `${f.event.def.id}\n` }, 'event_id');

  // event_callback(): which files an event directory shows, and how.
  const eventCallback = (name: string, data: unknown): EventfsFileSpec | null => {
    const f = data as EventFile;
    switch (name) {
      case 'format':
        return { mode: TRACE_MODE_READ, fops: formatFops };
      case 'enable':
        return { mode: TRACE_MODE_WRITE, fops: enableFops };
      case 'filter':
        return { mode: TRACE_MODE_WRITE, fops: filterFops };
      case 'trigger':
        return { mode: TRACE_MODE_WRITE, fops: triggerFops };
      case 'id':
        return f.event.def.id > 0 ? { mode: TRACE_MODE_READ, fops: idFops } : null;
      default:
        return null;
    }
  };

  // ftrace_system_enable_fops.
  const sysEnableFops = eventMutexFops<SubsystemDir>(
    m,
    {
      open: openSubsystem,
      release: releaseSubsystem,
      read: (s) => `${SET_TO_CHAR[s.tr.eventsEnabled(s.name)]!}\n`,
      // system_enable_write(): 0 or 1 to every event of the system; none left is EINVAL.
      *write(ctx, s, text) {
        const val = parseEnableValue(text);
        yield* withEventMutex(ctx, m, 'system_enable_write', () => {
          if (!s.tr.setClrEvent({ system: s.name }, val)) throw fsErr('EINVAL', 'no events');
        });
        return text.length;
      },
    },
    'system_enable',
  );

  // ftrace_subsystem_filter_fops.
  const sysFilterFops = eventMutexFops<SubsystemDir>(
    m,
    {
      open: openSubsystem,
      release: releaseSubsystem,
      // print_subsystem_event_filter(): a successful write leaves system->filter without a
      // string (create_system_filter), so the file always shows the default message.
      read: (_s, file) => firstReadOnly(`${DEFAULT_SYS_FILTER_MESSAGE}\n`, file),
      // apply_subsystem_event_filter() -> process_system_preds(): every event of the system
      // gets the filter; one whose fields do not fit gets an error report instead (and is
      // unfiltered). The write fails only when the system has no events.
      *write(ctx, s, text) {
        if (byteLength(text) >= PAGE_SIZE) throw fsErr('EINVAL', 'filter of PAGE_SIZE or more');
        yield* withEventMutex(ctx, m, 'apply_subsystem_event_filter', () => {
          if (s.nrEvents === 0) throw fsErr('ENODEV', 'the system has no events');
          const buf = cString(text);
          const files = s.tr.events.filter((f) => f.system === s);
          if (strim(buf) === '0') {
            for (const f of files) {
              f.filterString = null;
              f.filtered = false;
            }
            return;
          }
          const source = stripTrailingSpace(buf);
          for (const f of files) {
            const r = parseFilter(text, filterFields(f));
            if (r.ok && r.value.kind === 'filter') {
              f.filterString = r.value.source;
              f.filtered = true;
            } else {
              f.filterString = `${source}\n^\nparse_error: ${BAD_SUBSYS_FILTER}\n`;
              f.filtered = false;
            }
          }
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

  // ftrace_tr_enable_fops: system_enable_read/write with no system (every event).
  const topEnableFops = eventMutexFops<TraceArray>(
    m,
    {
      open: openTr,
      release: releaseTr,
      read: (tr) => `${SET_TO_CHAR[tr.eventsEnabled(undefined)]!}\n`,
      *write(ctx, tr, text) {
        const val = parseEnableValue(text);
        yield* withEventMutex(ctx, m, 'system_enable_write', () => {
          if (!tr.setClrEvent({}, val)) throw fsErr('EINVAL', 'no events');
        });
        return text.length;
      },
    },
    'events_enable',
  );
  const headerPageFops = controlFops<TraceArray>(
    { open: openTr, release: releaseTr, read: (_tr, file) => firstReadOnly(HEADER_PAGE, file) },
    'header_page',
  );
  const headerEventFops = controlFops<TraceArray>(
    { open: openTr, release: releaseTr, read: (_tr, file) => firstReadOnly(HEADER_EVENT, file) },
    'header_event',
  );
  // events_callback().
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
    // event_entries[] without hist/hist_debug/inject (not modelled).
    event: Object.freeze(
      ['enable', 'filter', 'trigger', 'format', 'id'].map((name) => ({
        name,
        callback: eventCallback,
      })),
    ),
  });
}

/** ring_buffer_print_page_header() on x86-64 (4 KiB pages: 4080 bytes of data). */
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
