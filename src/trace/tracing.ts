/**
 * The tracing core behind one tracefs mount (kernel/trace/trace.c, trace_events.c): the top
 * instance's control files, `instances/` with mkdir/rmdir (instance_mkdir/instance_rmdir), the
 * registered events, and the per-instance files every trace_array gets.
 */
import { eventMutexFops, makeTraceEntries } from './event-files';
import type { EventfsBase } from '../eventfs/base';
import { createDir, createFile, createInstanceDir, remove } from '../tracefs/files';
import type { TracefsSuper } from '../tracefs/super';
import type { Dentry } from '../vfs/dentry';
import { fsErr } from '../vfs/errors';
import type { File } from '../vfs/file';
import { isOops, Mutex, type KOp } from '../vfs/sched';
import type { Ctx, FileOperations } from '../vfs/types';
import { controlFops } from '../vfs/control-file';
import type { EventCatalog } from './catalog';
import { EventRegistry, type TraceEvent } from './events';
import {
  TRACE_MODE_READ,
  TRACE_MODE_WRITE,
  TraceArray,
  type TraceEntries,
  type Tracer,
  type TracingCore,
} from './instance';
import { Kprobes } from './kprobes';
import { parseSetEventWrite } from './set-event-parse';
import { parseUnsigned, strim } from './value-parse';

/**
 * The tracers of a kernel with the common options, in `trace_types` order (register_tracer()
 * pushes at the head, and nop registers first). In v6.8 only function and nop set
 * allow_instances; function_graph gained it in v6.11.
 */
export const AVAILABLE_TRACERS: readonly Tracer[] = Object.freeze([
  { name: 'function_graph', allowInstances: false },
  { name: 'wakeup_dl', allowInstances: false },
  { name: 'wakeup_rt', allowInstances: false },
  { name: 'wakeup', allowInstances: false },
  { name: 'function', allowInstances: true },
  { name: 'nop', allowInstances: true },
]);

/** MAX_TRACER_SIZE: tracing_set_trace_write() looks at this many bytes at most. */
const MAX_TRACER_SIZE = 100;

export class Tracing implements TracingCore {
  readonly registry: EventRegistry;
  readonly eventMutex = new Mutex('event_mutex');
  readonly tracers = AVAILABLE_TRACERS;
  /** The instances of instances/, by name. */
  readonly instances = new Map<string, TraceArray>();
  readonly top: TraceArray;
  readonly entries: TraceEntries;
  readonly kprobes: Kprobes;
  private readonly instanceFops: Readonly<Record<string, FileOperations>>;
  instancesDir: Dentry | null = null;

  constructor(
    readonly eventfs: EventfsBase,
    readonly tracefs: TracefsSuper,
    catalog: EventCatalog,
  ) {
    this.registry = new EventRegistry(catalog);
    this.entries = makeTraceEntries(this);
    this.top = new TraceArray('', this);
    this.kprobes = new Kprobes(this);
    this.instanceFops = this.makeInstanceFops();
  }

  /** `ftrace_events`, newest registration first. */
  events(): readonly TraceEvent[] {
    return this.registry.all;
  }

  /** `ftrace_trace_arrays`: the newest instance first, the top one last. */
  allInstances(): TraceArray[] {
    return [...[...this.instances.values()].reverse(), this.top];
  }

  /**
   * tracer_init_tracefs_work_func(): event_trace_init() (available_events, then set_event and
   * events/ through early_event_add_tracer), init_tracer_tracefs() for the top instance,
   * create_trace_instances(); init_kprobe_trace() adds kprobe_events.
   */
  *init(ctx: Ctx): KOp<void> {
    const root = this.tracefs.root;
    const top = this.top;
    top.dir = root;
    yield* createFile(
      ctx,
      'available_events',
      TRACE_MODE_READ,
      root,
      this,
      this.availableEventsFops(),
    );
    yield* this.eventMutex.lock(ctx.task, 'early_event_add_tracer');
    try {
      yield* this.createSetEvent(ctx, top, root);
      yield* top.createEventsTreeEarly(ctx, root, this.entries);
    } finally {
      this.eventMutex.unlock(ctx.task, 'early_event_add_tracer');
    }
    yield* this.initTracerTracefs(ctx, top, root);
    this.instancesDir = yield* createInstanceDir(ctx, 'instances', root, {
      mkdir: (c, name) => this.instanceMkdir(c, name),
      rmdir: (c, name) => this.instanceRmdir(c, name),
    });
    yield* createFile(
      ctx,
      'kprobe_events',
      TRACE_MODE_WRITE,
      root,
      this.kprobes,
      this.kprobes.fops,
    );
  }

  /** create_event_toplevel_files(): set_event (events/ is made by the caller). */
  private *createSetEvent(ctx: Ctx, tr: TraceArray, dir: Dentry): KOp<void> {
    yield* createFile(ctx, 'set_event', TRACE_MODE_WRITE, dir, tr, this.instanceFops.set_event!);
  }

  /** init_tracer_tracefs(): the tracer files of an instance (the ones modelled). */
  private *initTracerTracefs(ctx: Ctx, tr: TraceArray, dir: Dentry): KOp<void> {
    const f = this.instanceFops;
    yield* createFile(ctx, 'available_tracers', TRACE_MODE_READ, dir, tr, f.available_tracers!);
    yield* createFile(ctx, 'current_tracer', TRACE_MODE_WRITE, dir, tr, f.current_tracer!);
    yield* createFile(ctx, 'tracing_on', TRACE_MODE_WRITE, dir, tr, f.tracing_on!);
  }

  /**
   * instance_mkdir() -> trace_array_create() -> trace_array_create_dir(): the directory,
   * event_trace_add_tracer() (set_event, events/), then init_tracer_tracefs().
   */
  *instanceMkdir(ctx: Ctx, name: string): KOp<void> {
    yield* this.eventMutex.lock(ctx.task, 'instance_mkdir');
    try {
      if (this.instances.has(name)) throw fsErr('EEXIST');
      const tr = new TraceArray(name, this);
      const dir = yield* createDir(ctx, name, this.instancesDir!);
      tr.dir = dir;
      try {
        yield* this.createSetEvent(ctx, tr, dir);
        yield* tr.createEventsTree(ctx, dir, this.entries);
        yield* this.initTracerTracefs(ctx, tr, dir);
      } catch (e) {
        // trace_array_create()'s error path: take down what was made, then fail the mkdir.
        if (isOops(e)) throw e;
        yield* tr.removeEventsTree(ctx);
        yield* remove(ctx, dir);
        tr.dir = null;
        throw e;
      }
      this.instances.set(name, tr);
    } finally {
      this.eventMutex.unlock(ctx.task, 'instance_mkdir');
    }
  }

  /**
   * instance_rmdir() -> __remove_instance(): refused while anything holds a reference (an open
   * file that took trace_array_get()); then event_trace_del_tracer() and tracefs_remove().
   */
  *instanceRmdir(ctx: Ctx, name: string): KOp<void> {
    yield* this.eventMutex.lock(ctx.task, 'instance_rmdir');
    try {
      const tr = this.instances.get(name);
      if (tr === undefined) throw fsErr('ENODEV');
      if (tr.ref > 0) throw fsErr('EBUSY', `instance '${name}' has ${tr.ref} open file(s)`);
      this.instances.delete(name);
      tr.removed = true;
      tr.tracingOn = false;
      tr.currentTracer = 'nop';
      yield* tr.removeEventsTree(ctx);
      if (tr.dir !== null) yield* remove(ctx, tr.dir);
      tr.dir = null;
    } finally {
      this.eventMutex.unlock(ctx.task, 'instance_rmdir');
    }
  }

  /** __add_event_to_tracers(): a new dynamic event appears in every instance. */
  *addEventToTracers(ctx: Ctx, ev: TraceEvent): KOp<void> {
    for (const tr of this.allInstances()) yield* tr.addNewEvent(ctx, ev, this.entries);
  }

  /** remove_event_from_tracers(). */
  *removeEventFromTracers(ctx: Ctx, ev: TraceEvent): KOp<void> {
    for (const tr of this.allInstances()) yield* tr.removeEvent(ctx, ev);
  }

  /** ftrace_avail_fops: show_event_seq_ops over the top instance's tr->events. */
  private availableEventsFops(): FileOperations {
    return eventMutexFops<Tracing>(
      this.eventMutex,
      {
        read: (t) =>
          t.top.events.map((f) => `${f.event.def.system}:${f.event.def.name}\n`).join(''),
      },
      'available_events',
    );
  }

  private makeInstanceFops(): Readonly<Record<string, FileOperations>> {
    const m = this.eventMutex;
    // tracing_open_generic_tr() / tracing_check_open_get_tr(): an open file pins its instance.
    // eslint-disable-next-line require-yield
    const open = function* (_ctx: Ctx, tr: TraceArray): KOp<void> {
      tr.get();
    };
    // eslint-disable-next-line require-yield
    const release = function* (_ctx: Ctx, tr: TraceArray): KOp<void> {
      tr.put();
    };
    return Object.freeze({
      // show_traces_open() + t_show(): the tracers this instance may use, separated by ' '
      // and ended by '\n' after the last tracer of the list (nop).
      available_tracers: controlFops<TraceArray>(
        {
          open,
          release,
          read: (tr) =>
            `${tr.core.tracers
              .filter((t) => tr.isTop || t.allowInstances)
              .map((t) => t.name)
              .join(' ')}\n`,
        },
        'available_tracers',
      ),
      current_tracer: controlFops<TraceArray>(
        {
          open,
          release,
          read: (tr) => `${tr.currentTracer}\n`,
          // tracing_set_trace_write(): at most MAX_TRACER_SIZE bytes, strim(), then
          // tracing_set_tracer(): unknown, or not allowed in an instance, is EINVAL.
          // eslint-disable-next-line require-yield
          *write(_ctx, tr, text) {
            const name = strim(text.slice(0, MAX_TRACER_SIZE));
            const t = tr.core.tracers.find((x) => x.name === name);
            if (t === undefined) throw fsErr('EINVAL', `no tracer '${name}'`);
            if (!tr.isTop && !t.allowInstances)
              throw fsErr('EINVAL', `tracer '${name}' is not allowed in instances`);
            tr.currentTracer = name;
            return text.length;
          },
        },
        'current_tracer',
      ),
      tracing_on: controlFops<TraceArray>(
        {
          open,
          release,
          read: (tr) => `${tr.tracingOn ? 1 : 0}\n`,
          // rb_simple_write(): kstrtoul_from_user(); non-zero is on.
          // eslint-disable-next-line require-yield
          *write(_ctx, tr, text) {
            const v = parseUnsigned(text);
            if (!v.ok) throw fsErr(v.code, v.reason);
            tr.tracingOn = v.value !== 0;
            return text.length;
          },
        },
        'tracing_on',
      ),
      set_event: eventMutexFops<TraceArray>(
        m,
        {
          // ftrace_event_set_open(): pin the instance; O_TRUNC disables every event.
          *open(ctx, tr, file: File) {
            tr.get();
            if (file.flags.write && file.flags.trunc) {
              yield* m.lock(ctx.task, 'ftrace_clear_events');
              tr.clearEvents();
              m.unlock(ctx.task, 'ftrace_clear_events');
            }
          },
          release,
          // s_next()/t_show(): the files with EVENT_FILE_FL_ENABLED, in tr->events order.
          read: (tr) =>
            tr.events
              .filter((f) => f.enabled)
              .map((f) => `${f.event.def.system}:${f.event.def.name}\n`)
              .join(''),
          // ftrace_event_write() -> ftrace_set_clr_event(): one word per write(2), which a
          // writer like echo repeats until all is written; '!' disables; a word that matches
          // nothing is EINVAL (the words before it have taken effect).
          *write(ctx, tr, text) {
            for (const r of parseSetEventWrite(text)) {
              if (!r.ok) throw fsErr(r.code, r.reason);
              const cmd = r.value;
              yield* m.lock(ctx.task, 'ftrace_event_write');
              try {
                const hit = tr.setClrEvent(
                  { match: cmd.match, system: cmd.system, event: cmd.event },
                  cmd.enable ? 1 : 0,
                );
                if (!hit) throw fsErr('EINVAL', 'no event matches');
              } finally {
                m.unlock(ctx.task, 'ftrace_event_write');
              }
            }
            return text.length;
          },
        },
        'set_event',
      ),
    });
  }
}
