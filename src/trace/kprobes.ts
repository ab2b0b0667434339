/**
 * Dynamic kprobe events (kernel/trace/trace_kprobe.c, trace_dynevent.c, trace_probe.c): the
 * `kprobe_events` control file.
 *
 * - A write runs line by line (trace_parse_run_command): each line is parsed and executed
 *   before the next; the first failing line fails the write, and the lines before it stay done.
 * - Adding a probe registers an event in group `kprobes` (or the one named), which makes eventfs
 *   create the system directory with its first event in every instance. A probe whose
 *   GROUP/EVENT names an existing kprobe event of the same type and argument types is appended
 *   to that event (append_trace_kprobe); an identical probe is EEXIST (SAME_PROBE).
 * - `-:[GRP/]EVENT [SYM[+OFFS] [ARG=FETCH ...]]` (dyn_event_release) removes every matching
 *   probe, stopping at the first one that cannot go. The event goes with its last probe
 *   (unregister_trace_kprobe): refused with EBUSY while it is enabled in any instance (also
 *   soft-enabled by a trigger) or referenced by an enable_event trigger (trace_event_dyn_busy).
 *   An open file of the event does not keep it: since v6.7 (trace_event_file ref counts,
 *   EVENT_FILE_FL_FREED) the removal succeeds and the open file answers ENODEV.
 * - Opening with O_TRUNC (dyn_events_release_all) removes every probe, or none if one is
 *   enabled.
 */
import { eventMutexFops } from './event-files';
import { fsErr } from '../vfs/errors';
import type { File } from '../vfs/file';
import type { KOp } from '../vfs/sched';
import type { Ctx, FileOperations } from '../vfs/types';
import type { EventField } from './catalog';
import type { TraceEvent } from './events';
import {
  formatKprobeEvent,
  isKnownSymbol,
  parseKprobeLine,
  referencedSymbols,
  splitCommandBuffer,
  type KprobeCommand,
} from './kprobe-parse';
import type { Tracing } from './tracing';

type AddCommand = Extract<KprobeCommand, { kind: 'add' }>;
type RemoveCommand = Extract<KprobeCommand, { kind: 'remove' }>;

/** A registered probe (struct trace_kprobe); several may share one event. */
export interface Kprobe {
  readonly cmd: AddCommand;
  readonly event: TraceEvent;
}

/** struct fetch_type: what the event's format shows for a fetch argument type. */
interface FetchType {
  /** fmttype: the field's C type in the format file. */
  readonly fmttype: string;
  readonly size: number;
  readonly signed: boolean;
  /** The print format of one value. */
  readonly fmt: string;
  readonly isString: boolean;
}

const basic = (fmttype: string, size: number, signed: boolean, fmt: string): FetchType => ({
  fmttype,
  size,
  signed,
  fmt,
  isString: false,
});
const STRING: FetchType = {
  fmttype: '__data_loc char[]',
  size: 4,
  signed: true,
  fmt: '\\"%s\\"',
  isString: true,
};

/** probe_fetch_types[] (trace_probe.c) with PRINT_TYPE_FMT_NAME of each. */
const FETCH_TYPES: ReadonlyMap<string, FetchType> = new Map([
  ['string', STRING],
  ['ustring', STRING],
  ['symstr', STRING],
  ['u8', basic('u8', 1, false, '%u')],
  ['u16', basic('u16', 2, false, '%u')],
  ['u32', basic('u32', 4, false, '%u')],
  ['u64', basic('u64', 8, false, '%Lu')],
  ['s8', basic('s8', 1, true, '%d')],
  ['s16', basic('s16', 2, true, '%d')],
  ['s32', basic('s32', 4, true, '%d')],
  ['s64', basic('s64', 8, true, '%Ld')],
  ['x8', basic('u8', 1, false, '0x%x')],
  ['x16', basic('u16', 2, false, '0x%x')],
  ['x32', basic('u32', 4, false, '0x%x')],
  ['x64', basic('u64', 8, false, '0x%Lx')],
  ['char', basic('u8', 1, false, "'%c'")],
  ['symbol', basic('u64', 8, false, '%pS')],
]);

/** DEFAULT_FETCH_TYPE on 64-bit kernels: x64. */
const DEFAULT_FETCH_TYPE = 'x64';

/**
 * A fetch argument's type: the name of its struct fetch_type (what append_trace_kprobe()
 * compares), the fetch_type and the array count.
 */
interface ArgType {
  readonly name: string;
  readonly type: FetchType;
  readonly count: number;
}

/**
 * traceprobe_parse_probe_arg_body(): the type is what follows the first ':' (default x64, or
 * string for $comm and "immediate strings"); `TYPE[N]` is an array; a bitfield `b<w>@<o>/<s>`
 * is stored in a u<s>.
 */
function argType(comm: string): ArgType {
  const colon = comm.indexOf(':');
  let t = colon === -1 ? undefined : comm.slice(colon + 1);
  const body = colon === -1 ? comm : comm.slice(0, colon);
  if (t === undefined) {
    t =
      body === '$comm' || body === '$COMM' || body.startsWith('\\"')
        ? 'string'
        : DEFAULT_FETCH_TYPE;
  }
  let count = 0;
  const arr = /^(.*)\[(\d+)\]$/.exec(t);
  if (arr !== null) {
    t = arr[1]!;
    count = Number(arr[2]);
  }
  // find_fetch_type(): a bitfield is the unsigned type of its container size.
  const name = t.startsWith('b') ? `u${t.slice(t.indexOf('/') + 1)}` : t;
  const type = FETCH_TYPES.get(name);
  return type === undefined
    ? { name: DEFAULT_FETCH_TYPE, type: FETCH_TYPES.get(DEFAULT_FETCH_TYPE)!, count }
    : { name, type, count };
}

const ULONG = (name: string, offset: number): EventField => ({
  type: 'unsigned long',
  name,
  offset,
  size: 8,
  signed: false,
});

/**
 * kprobe_event_define_fields() / kretprobe_event_define_fields() + traceprobe_define_arg_fields()
 * and traceprobe_set_print_fmt(): __probe_ip (or __probe_func, __probe_ret_ip) after the
 * 8-byte trace_entry, then the arguments packed one after another.
 */
function probeFormat(cmd: AddCommand): { fields: EventField[]; printFmt: string } {
  const ret = cmd.type === 'r';
  const fields: EventField[] = ret
    ? [ULONG('__probe_func', 8), ULONG('__probe_ret_ip', 16)]
    : [ULONG('__probe_ip', 8)];
  let off = ret ? 24 : 16;
  let fmt = ret ? '(%lx <- %lx)' : '(%lx)';
  const refs = ret ? ['REC->__probe_func', 'REC->__probe_ret_ip'] : ['REC->__probe_ip'];
  for (const a of cmd.fetchArgs) {
    const { type, count } = argType(a.comm);
    const size = type.size * (count === 0 ? 1 : count);
    if (count === 0) {
      fields.push({ type: type.fmttype, name: a.name, offset: off, size, signed: type.signed });
      fmt += ` ${a.name}=${type.fmt}`;
      refs.push(type.isString ? `__get_str(${a.name})` : `REC->${a.name}`);
    } else {
      // parg->fmt is "TYPE[N]"; f_show() prints a non-__data_loc array without its length
      // (trace_define_field() records len 0) and a __data_loc one as it is.
      if (type.isString) {
        fields.push({
          type: `${type.fmttype}[${count}]`,
          name: a.name,
          offset: off,
          size,
          signed: type.signed,
        });
      } else {
        fields.push({
          type: type.fmttype,
          name: `${a.name}[]`,
          offset: off,
          size,
          signed: type.signed,
        });
      }
      fmt += ` ${a.name}={${Array.from({ length: count }, () => type.fmt).join(',')}}`;
      for (let j = 0; j < count; j++) {
        refs.push(type.isString ? `__get_str(${a.name}[${j}])` : `REC->${a.name}[${j}]`);
      }
    }
    off += size;
  }
  return { fields, printFmt: `"${fmt}", ${refs.join(', ')}` };
}

/** MAX_ARGSTR_LEN: the buffer the match helpers print into. */
const MAX_ARGSTR_LEN = 63;

/** The probe point as trace_kprobe_show()/trace_kprobe_match_command_head() print it. */
function probePoint(cmd: AddCommand): string {
  if (cmd.address !== undefined) return `0x${cmd.address.toString(16).padStart(16, '0')}`;
  return cmd.offset !== 0 ? `${cmd.symbol}+${cmd.offset}` : cmd.symbol;
}

/** trace_kprobe_match(): name, group (if given), then the command head. */
function probeMatches(p: Kprobe, c: RemoveCommand): boolean {
  if (p.cmd.event !== c.event) return false;
  if (c.group !== undefined && p.cmd.group !== c.group) return false;
  const argv = c.matchArgs ?? [];
  if (argv.length === 0) return true;
  // trace_kprobe_match_command_head() + trace_probe_match_command_args().
  if (probePoint(p.cmd).slice(0, MAX_ARGSTR_LEN) !== argv[0]) return false;
  const rest = argv.slice(1);
  if (p.cmd.fetchArgs.length < rest.length) return false;
  return rest.every((w, i) => {
    const a = p.cmd.fetchArgs[i]!;
    return `${a.name}=${a.comm}`.slice(0, MAX_ARGSTR_LEN) === w;
  });
}

export class Kprobes {
  /** dyn_event_list (the kprobe ones), in registration order. */
  readonly probes: Kprobe[] = [];
  readonly fops: FileOperations;

  constructor(private readonly tracing: Tracing) {
    // dyn_event_seq_start() holds event_mutex while the list is shown.
    this.fops = eventMutexFops<Kprobes>(
      tracing.eventMutex,
      {
        open: (ctx, _k, file) => this.probesOpen(ctx, file),
        read: () => this.probes.map((p) => `${formatKprobeEvent(p.cmd)}\n`).join(''),
        write: (ctx, _k, text) => this.probesWrite(ctx, text),
      },
      'kprobe_events',
    );
  }

  /** probes_open(): opening for write with O_TRUNC releases every probe (dyn_events_release_all). */
  private *probesOpen(ctx: Ctx, file: File): KOp<void> {
    if (file.flags.write && file.flags.trunc) yield* this.releaseAll(ctx);
  }

  /** probes_write() -> trace_parse_run_command(): line by line, stopping at the first error. */
  private *probesWrite(ctx: Ctx, text: string): KOp<number> {
    const buf = splitCommandBuffer(text);
    for (const line of buf.lines) {
      // create_or_delete_trace_kprobe().
      const r = parseKprobeLine(line, { isKnownSymbol });
      if (!r.ok) throw fsErr(r.code, r.reason);
      const c = r.value;
      if (c === null) continue;
      if (c.kind === 'add') yield* this.add(ctx, c);
      else yield* this.release(ctx, c);
    }
    if (buf.tooLong) throw fsErr('EINVAL', 'Line length is too long');
    return text.length;
  }

  /** trace_probe_is_enabled(): enabled (or soft-enabled) in any instance. */
  private isEnabled(ev: TraceEvent): boolean {
    return this.tracing.allInstances().some((tr) => tr.files.get(ev)?.enabled === true);
  }

  /** register_trace_kprobe(): a new event, or append_trace_kprobe() to an existing one. */
  *add(ctx: Ctx, cmd: AddCommand): KOp<void> {
    const t = this.tracing;
    yield* t.eventMutex.lock(ctx.task, 'register_trace_kprobe');
    try {
      // find_trace_kprobe(): the first probe of that group/name.
      const old = this.probes.find((p) => p.cmd.event === cmd.event && p.cmd.group === cmd.group);
      if (old !== undefined) {
        if (old.cmd.type !== cmd.type) throw fsErr('EEXIST', 'DIFF_PROBE_TYPE');
        this.appendCheck(old, cmd);
        this.registerCheck(cmd);
        this.probes.push({ cmd, event: old.event });
        return;
      }
      // register_kprobe_event() -> trace_probe_register_event_call().
      if (t.registry.find(cmd.group, cmd.event) !== undefined) {
        throw fsErr('EEXIST', `event ${cmd.group}/${cmd.event} already exists`);
      }
      this.registerCheck(cmd);
      const { fields, printFmt } = probeFormat(cmd);
      const ev = t.registry.add(cmd.group, cmd.event, fields, printFmt);
      if (ev === undefined) throw fsErr('ENODEV', 'no event id left');
      this.probes.push({ cmd, event: ev });
      // trace_add_event_call() -> __add_event_to_tracers().
      yield* t.addEventToTracers(ctx, ev);
    } finally {
      t.eventMutex.unlock(ctx.task, 'register_trace_kprobe');
    }
  }

  /**
   * append_trace_kprobe(): the same number, names and types of arguments
   * (trace_probe_compare_arg_type, DIFF_ARG_TYPE) and not the very same probe
   * (trace_kprobe_has_same_kprobe, SAME_PROBE), both EEXIST.
   */
  private appendCheck(old: Kprobe, cmd: AddCommand): void {
    const a = cmd.fetchArgs;
    const b = old.cmd.fetchArgs;
    const sameTypes =
      a.length === b.length &&
      a.every((x, i) => {
        const y = b[i]!;
        const tx = argType(x.comm);
        const ty = argType(y.comm);
        return x.name === y.name && tx.name === ty.name && tx.count === ty.count;
      });
    if (!sameTypes) throw fsErr('EEXIST', 'DIFF_ARG_TYPE');
    // trace_kprobe_symbol() is "unknown" for an address probe, whose offset is 0.
    const sym = (c: AddCommand): string => (c.address !== undefined ? 'unknown' : c.symbol);
    const same = this.probes.some(
      (p) =>
        p.event === old.event &&
        sym(p.cmd) === sym(cmd) &&
        p.cmd.offset === cmd.offset &&
        p.cmd.fetchArgs.every((x, i) => x.comm === a[i]?.comm),
    );
    if (same) throw fsErr('EEXIST', 'SAME_PROBE');
  }

  /**
   * __register_trace_kprobe(): traceprobe_update_arg() resolves `@SYM` arguments (ENOENT for
   * an unknown one, ignored when the probe waits for a module that is not loaded).
   */
  private registerCheck(cmd: AddCommand): void {
    const missing = referencedSymbols(cmd).find((s) => !isKnownSymbol(s));
    if (missing !== undefined && !cmd.symbol.includes(':')) {
      throw fsErr('ENOENT', `unknown symbol '${missing}'`);
    }
  }

  /** dyn_event_release(): every matching probe, in list order, until one fails. */
  *release(ctx: Ctx, c: RemoveCommand): KOp<void> {
    const t = this.tracing;
    yield* t.eventMutex.lock(ctx.task, 'dyn_event_release');
    try {
      let found = false;
      for (const p of [...this.probes]) {
        if (!probeMatches(p, c)) continue;
        found = true;
        yield* this.unregister(ctx, p);
      }
      if (!found) throw fsErr('ENOENT', `no probe ${c.group ?? '*'}/${c.event}`);
    } finally {
      t.eventMutex.unlock(ctx.task, 'dyn_event_release');
    }
  }

  /**
   * trace_kprobe_release() -> unregister_trace_kprobe(): a probe with siblings just goes; the
   * last one takes the event along, unless it is enabled or referenced.
   */
  private *unregister(ctx: Ctx, p: Kprobe): KOp<void> {
    const siblings = this.probes.some((q) => q !== p && q.event === p.event);
    if (!siblings) {
      if (this.isEnabled(p.event)) {
        throw fsErr('EBUSY', `event ${p.cmd.group}/${p.cmd.event} is enabled`);
      }
      if (p.event.refcnt !== 0) {
        throw fsErr('EBUSY', `event ${p.cmd.group}/${p.cmd.event} is in use`);
      }
      // unregister_kprobe_event() -> trace_remove_event_call().
      yield* this.tracing.removeEventFromTracers(ctx, p.event);
      this.tracing.registry.remove(p.event);
    }
    this.probes.splice(this.probes.indexOf(p), 1);
  }

  /**
   * dyn_events_release_all(): EBUSY, removing nothing, if any probe is enabled; otherwise each
   * is released in turn, stopping at the first failure.
   */
  *releaseAll(ctx: Ctx): KOp<void> {
    const t = this.tracing;
    yield* t.eventMutex.lock(ctx.task, 'dyn_events_release_all');
    try {
      const busy = this.probes.find((p) => this.isEnabled(p.event));
      if (busy !== undefined) {
        throw fsErr('EBUSY', `event ${busy.cmd.group}/${busy.cmd.event} is enabled`);
      }
      for (const p of [...this.probes]) yield* this.unregister(ctx, p);
    } finally {
      t.eventMutex.unlock(ctx.task, 'dyn_events_release_all');
    }
  }
}
