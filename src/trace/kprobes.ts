/**
 * Dynamic kprobe events (kernel/trace/trace_kprobe.c, trace_dynevent.c): the `kprobe_events`
 * control file. Adding a probe registers an event in group `kprobes` (or the one named), which
 * makes eventfs create the system directory with its first event and remove it with its last.
 * Removal is refused with EBUSY while the event is enabled in any instance or one of its files
 * is open (trace_probe_is_enabled, trace_event_dyn_busy).
 */
import { fsErr } from '../vfs/errors';
import type { File } from '../vfs/file';
import type { KOp } from '../vfs/sched';
import type { Ctx, FileOperations } from '../vfs/types';
import type { EventField } from './catalog';
import { checkWriteSize, controlFops } from '../vfs/control-file';
import type { TraceEvent } from './events';
import {
  formatKprobeEvent,
  isKnownSymbol,
  parseKprobeLine,
  splitCommands,
  type KprobeCommand,
} from './kprobe-parse';
import type { Tracing } from './tracing';

type AddCommand = Extract<KprobeCommand, { kind: 'add' }>;

/** A registered probe (struct trace_kprobe). */
export interface Kprobe {
  readonly cmd: AddCommand;
  readonly event: TraceEvent;
}

const U64 = (name: string, offset: number): EventField => ({
  type: 'u64',
  name,
  offset,
  size: 8,
  signed: false,
});
const ULONG = (name: string, offset: number): EventField => ({
  type: 'unsigned long',
  name,
  offset,
  size: 8,
  signed: false,
});

/** kprobe/kretprobe event layout: __probe_ip (or __probe_func, __probe_ret_ip), then the args. */
function probeFormat(cmd: AddCommand): { fields: EventField[]; printFmt: string } {
  const fields: EventField[] =
    cmd.type === 'p'
      ? [ULONG('__probe_ip', 8)]
      : [ULONG('__probe_func', 8), ULONG('__probe_ret_ip', 16)];
  let off = cmd.type === 'p' ? 16 : 24;
  const names = cmd.fetchArgs.map((a) => a.name);
  for (const n of names) {
    fields.push(U64(n, off));
    off += 8;
  }
  const head = cmd.type === 'p' ? '(%lx)' : '(%lx <- %lx)';
  const refs =
    cmd.type === 'p' ? ['REC->__probe_ip'] : ['REC->__probe_func', 'REC->__probe_ret_ip'];
  const fmt = [head, ...names.map((n) => `${n}=0x%Lx`)].join(' ');
  const printFmt = `"${fmt}", ${[...refs, ...names.map((n) => `REC->${n}`)].join(', ')}`;
  return { fields, printFmt };
}

export class Kprobes {
  /** In registration order. */
  readonly probes: Kprobe[] = [];
  readonly fops: FileOperations;

  constructor(private readonly tracing: Tracing) {
    this.fops = controlFops<Kprobes>(
      {
        open: (ctx, _k, file) => this.probesOpen(ctx, file),
        read: () => this.probes.map((p) => `${formatKprobeEvent(p.cmd)}\n`).join(''),
        write: (ctx, _k, text) => this.probesWrite(ctx, text),
      },
      'kprobe_events',
    );
  }

  /** probes_open(): opening for write with O_TRUNC releases every probe, or none if one is busy. */
  private *probesOpen(ctx: Ctx, file: File): KOp<void> {
    if (file.flags.write && file.flags.trunc) yield* this.releaseAll(ctx);
  }

  /** probes_write() -> trace_parse_run_command(). */
  private *probesWrite(ctx: Ctx, text: string): KOp<number> {
    checkWriteSize(text);
    // Syntax first: a malformed line changes nothing.
    const cmds: KprobeCommand[] = [];
    for (const line of splitCommands(text)) {
      const r = parseKprobeLine(line);
      if (!r.ok) throw fsErr(r.code, r.reason);
      if (r.value !== null) cmds.push(r.value);
    }
    // Then each command in turn.
    for (const c of cmds) {
      if (c.kind === 'add') yield* this.add(ctx, c);
      else yield* this.remove(ctx, c.group, c.event);
    }
    return text.length;
  }

  private isBusy(p: Kprobe): boolean {
    for (const tr of this.tracing.allInstances()) {
      const f = tr.files.get(p.event);
      if (f !== undefined && (f.enabled || f.refs > 0)) return true;
    }
    return false;
  }

  /** trace_kprobe_create() + register_trace_kprobe(). */
  *add(ctx: Ctx, cmd: AddCommand): KOp<void> {
    const t = this.tracing;
    yield* t.eventMutex.lock(ctx.task, 'register_trace_kprobe');
    try {
      // v6.8 (the kernel this models): register_kprobe()/validate_probe_symbol() give ENOENT
      // for a symbol kallsyms does not know (v6.11 turned that into EINVAL).
      if (cmd.symbol !== '' && !isKnownSymbol(cmd.symbol.replace(/^.*:/, '')))
        throw fsErr('ENOENT', `unknown symbol '${cmd.symbol}'`);
      if (t.registry.find(cmd.group, cmd.event) !== undefined) {
        throw fsErr('EEXIST', `event ${cmd.group}/${cmd.event} already exists`);
      }
      const { fields, printFmt } = probeFormat(cmd);
      const ev = t.registry.add(cmd.group, cmd.event, fields, printFmt);
      this.probes.push({ cmd, event: ev });
      yield* t.addEventToTracers(ctx, ev);
    } finally {
      t.eventMutex.unlock(ctx.task, 'register_trace_kprobe');
    }
  }

  /** dyn_event_release() for `-:[GRP/]EVENT`. */
  *remove(ctx: Ctx, group: string | undefined, event: string): KOp<void> {
    const t = this.tracing;
    yield* t.eventMutex.lock(ctx.task, 'unregister_trace_kprobe');
    try {
      const idx = this.probes.findIndex(
        (p) => p.cmd.event === event && (group === undefined || p.cmd.group === group),
      );
      const p = this.probes[idx];
      if (p === undefined) throw fsErr('ENOENT', `no probe ${group ?? '*'}/${event}`);
      if (this.isBusy(p)) throw fsErr('EBUSY', `probe ${p.cmd.group}/${event} is in use`);
      yield* this.unregister(ctx, idx);
    } finally {
      t.eventMutex.unlock(ctx.task, 'unregister_trace_kprobe');
    }
  }

  private *unregister(ctx: Ctx, idx: number): KOp<void> {
    const p = this.probes[idx]!;
    this.probes.splice(idx, 1);
    yield* this.tracing.removeEventFromTracers(ctx, p.event);
    this.tracing.registry.remove(p.event);
  }

  /** dyn_events_release_all(): all or nothing. */
  *releaseAll(ctx: Ctx): KOp<void> {
    const t = this.tracing;
    yield* t.eventMutex.lock(ctx.task, 'dyn_events_release_all');
    try {
      const busy = this.probes.find((p) => this.isBusy(p));
      if (busy !== undefined)
        throw fsErr('EBUSY', `probe ${busy.cmd.group}/${busy.cmd.event} is in use`);
      while (this.probes.length > 0) yield* this.unregister(ctx, this.probes.length - 1);
    } finally {
      t.eventMutex.unlock(ctx.task, 'dyn_events_release_all');
    }
  }
}
