/**
 * The tracing core behind one tracefs mount (kernel/trace/trace.c, trace_events.c): the top
 * instance's control files, `instances/` with mkdir/rmdir (instance_mkdir/instance_rmdir), the
 * registered events, and the per-instance files every trace_array gets.
 */
import type { EventfsBase } from '../eventfs/base';
import { createDir, createFile, createInstanceDir, remove } from '../tracefs/files';
import type { TracefsSuper } from '../tracefs/super';
import type { Dentry } from '../vfs/dentry';
import { fsErr } from '../vfs/errors';
import type { File } from '../vfs/file';
import { Mutex, type KOp } from '../vfs/sched';
import type { Ctx, FileOperations } from '../vfs/types';
import type { EventCatalog } from './catalog';
import { checkWriteSize, controlFops } from '../vfs/control-file';
import { EventRegistry, type TraceEvent } from './events';
import {
  bindSystem,
  makeTraceEntries,
  TRACE_MODE_READ,
  TRACE_MODE_WRITE,
  TraceArray,
  type TraceEntries,
  type TracingCore,
} from './instance';
import { Kprobes } from './kprobes';
import { matchEvents, parseSetEventLine } from './set-event-parse';
import { parseUnsigned, stripTrailingSpace } from './value-parse';

/** The tracers a kernel with the common options offers (available_tracers). */
export const AVAILABLE_TRACERS: readonly string[] = Object.freeze([
  'function_graph',
  'wakeup_dl',
  'wakeup_rt',
  'wakeup',
  'function',
  'nop',
]);

export class Tracing implements TracingCore {
  readonly registry: EventRegistry;
  readonly eventMutex = new Mutex('event_mutex');
  readonly tracers = AVAILABLE_TRACERS;
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

  events(): readonly TraceEvent[] {
    return this.registry.all;
  }

  /** All instances, top first. */
  allInstances(): TraceArray[] {
    return [this.top, ...this.instances.values()];
  }

  /** tracer_init_tracefs() + event_trace_init() + init_kprobe_trace(): populate the root. */
  *init(ctx: Ctx): KOp<void> {
    const root = this.tracefs.root;
    this.top.dir = root;
    yield* createFile(
      ctx,
      'available_events',
      TRACE_MODE_READ,
      root,
      this,
      this.availableEventsFops(),
    );
    yield* this.createInstanceFiles(ctx, this.top, root);
    yield* createFile(
      ctx,
      'kprobe_events',
      TRACE_MODE_WRITE,
      root,
      this.kprobes,
      this.kprobes.fops,
    );
    this.instancesDir = yield* createInstanceDir(ctx, 'instances', root, {
      mkdir: (c, name) => this.instanceMkdir(c, name),
      rmdir: (c, name) => this.instanceRmdir(c, name),
    });
  }

  /** The files every trace_array has, then its events/ tree. */
  private *createInstanceFiles(ctx: Ctx, tr: TraceArray, dir: Dentry): KOp<void> {
    const f = this.instanceFops;
    yield* createFile(ctx, 'available_tracers', TRACE_MODE_READ, dir, tr, f.available_tracers!);
    yield* createFile(ctx, 'current_tracer', TRACE_MODE_WRITE, dir, tr, f.current_tracer!);
    yield* createFile(ctx, 'tracing_on', TRACE_MODE_WRITE, dir, tr, f.tracing_on!);
    yield* createFile(ctx, 'set_event', TRACE_MODE_WRITE, dir, tr, f.set_event!);
    yield* this.withSystemsBound(tr, tr.createEventsTree(ctx, dir, this.entries));
  }

  private *withSystemsBound(tr: TraceArray, body: KOp<void>): KOp<void> {
    try {
      yield* body;
    } finally {
      for (const s of tr.systems.values()) bindSystem(s, tr);
    }
  }

  /** instance_mkdir() -> trace_array_create(). */
  *instanceMkdir(ctx: Ctx, name: string): KOp<void> {
    yield* this.eventMutex.lock(ctx.task, 'instance_mkdir');
    try {
      if (this.instances.has(name)) throw fsErr('EEXIST');
      const tr = new TraceArray(name, this);
      const dir = yield* createDir(ctx, name, this.instancesDir!);
      tr.dir = dir;
      this.instances.set(name, tr);
      yield* this.createInstanceFiles(ctx, tr, dir);
    } finally {
      this.eventMutex.unlock(ctx.task, 'instance_mkdir');
    }
  }

  /** instance_rmdir() -> __remove_instance(): refused while any of its files is open. */
  *instanceRmdir(ctx: Ctx, name: string): KOp<void> {
    yield* this.eventMutex.lock(ctx.task, 'instance_rmdir');
    try {
      const tr = this.instances.get(name);
      if (tr === undefined) throw fsErr('ENODEV');
      if (tr.ref > 0) throw fsErr('EBUSY', `instance '${name}' has ${tr.ref} open file(s)`);
      this.instances.delete(name);
      yield* tr.removeEventsTree(ctx);
      if (tr.dir !== null) yield* remove(ctx, tr.dir);
      tr.dir = null;
    } finally {
      this.eventMutex.unlock(ctx.task, 'instance_rmdir');
    }
  }

  /** __add_event_to_tracers(): a new dynamic event appears in every instance. */
  *addEventToTracers(ctx: Ctx, ev: TraceEvent): KOp<void> {
    for (const tr of this.allInstances())
      yield* this.withSystemsBound(tr, tr.addEvent(ctx, ev, this.entries));
  }

  /** remove_event_from_tracers(). */
  *removeEventFromTracers(ctx: Ctx, ev: TraceEvent): KOp<void> {
    for (const tr of this.allInstances()) yield* tr.removeEvent(ctx, ev);
  }

  private availableEventsFops(): FileOperations {
    return controlFops<Tracing>(
      {
        read: (t) =>
          t
            .events()
            .map((e) => `${e.def.system}:${e.def.name}\n`)
            .join(''),
      },
      'available_events',
    );
  }

  private makeInstanceFops(): Readonly<Record<string, FileOperations>> {
    const m = this.eventMutex;
    // tracing_open_generic_tr(): an open file pins its instance.
    // eslint-disable-next-line require-yield
    const open = function* (_ctx: Ctx, tr: TraceArray): KOp<void> {
      tr.ref++;
    };
    // eslint-disable-next-line require-yield
    const release = function* (_ctx: Ctx, tr: TraceArray): KOp<void> {
      tr.ref--;
    };
    return Object.freeze({
      available_tracers: controlFops<TraceArray>(
        { open, release, read: (tr) => `${tr.core.tracers.join(' ')} \n` },
        'available_tracers',
      ),
      current_tracer: controlFops<TraceArray>(
        {
          open,
          release,
          read: (tr) => `${tr.currentTracer}\n`,
          // tracing_set_trace_write(): trailing whitespace stripped, unknown tracer EINVAL.
          // eslint-disable-next-line require-yield
          *write(_ctx, tr, text) {
            checkWriteSize(text, 256);
            const name = stripTrailingSpace(text);
            if (!tr.core.tracers.includes(name)) throw fsErr('EINVAL', `no tracer '${name}'`);
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
          // rb_simple_write(): any unsigned number, non-zero is on.
          // eslint-disable-next-line require-yield
          *write(_ctx, tr, text) {
            checkWriteSize(text);
            const v = parseUnsigned(text);
            if (!v.ok) throw fsErr('EINVAL', v.reason);
            tr.tracingOn = v.value !== 0;
            return text.length;
          },
        },
        'tracing_on',
      ),
      set_event: controlFops<TraceArray>(
        {
          // ftrace_event_set_open(): opening for write with O_TRUNC disables every event.
          *open(ctx, tr, file: File) {
            tr.ref++;
            if (file.flags.write && file.flags.trunc) {
              yield* m.lock(ctx.task, 'ftrace_event_set_open');
              tr.clearAll();
              m.unlock(ctx.task, 'ftrace_event_set_open');
            }
          },
          release,
          read: (tr) =>
            tr
              .eventFiles()
              .filter((f) => f.enabled)
              .map((f) => `${f.event.def.system}:${f.event.def.name}\n`)
              .join(''),
          // ftrace_event_write(): each whitespace-separated word enables (or with '!' disables)
          // the events it matches; a word that matches nothing is EINVAL.
          *write(ctx, tr, text) {
            checkWriteSize(text);
            const words = text.split(/\s+/).filter((w) => w !== '');
            const plans = words.map((w) => {
              const r = parseSetEventLine(w);
              if (!r.ok) throw fsErr('EINVAL', r.reason);
              return r.value;
            });
            yield* m.lock(ctx.task, 'ftrace_event_write');
            try {
              for (const p of plans) {
                if (p === null) continue;
                const hits = matchEvents(
                  p,
                  tr
                    .eventFiles()
                    .map((f) => ({ system: f.event.def.system, name: f.event.def.name, f })),
                );
                if (hits.length === 0) throw fsErr('EINVAL', 'no event matches');
                for (const h of hits) h.f.enabled = p.enable;
              }
            } finally {
              m.unlock(ctx.task, 'ftrace_event_write');
            }
            return text.length;
          },
        },
        'set_event',
      ),
    });
  }
}
