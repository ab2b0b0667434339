/**
 * The registered trace events: kernel/trace/trace_events.c's `ftrace_events` list, holding the
 * static events of the catalog and the dynamic ones (kprobes).
 *
 * Order. At boot, event_trace_enable() walks the `_ftrace_events` section and list_add()s every
 * call, so `ftrace_events` holds the section in reverse; __trace_early_add_events() then walks
 * that list and list_add()s a trace_event_file per call to the top instance's `tr->events`,
 * reversing it again. The catalog is a dump of `available_events`, i.e. of the top instance's
 * `tr->events`, so it is the section order and `ftrace_events` starts as the catalog reversed.
 * __register_event() list_add()s every later event (a kprobe) at the head.
 *
 * Ids. register_trace_event() -> alloc_trace_event_type() takes the smallest free id with
 * ida_alloc_range(&trace_event_ida, __TRACE_LAST_TYPE, TRACE_EVENT_TYPE_MAX); removing a dynamic
 * event frees its id (ida_free), so the next kprobe gets it again.
 */
import {
  DEFAULT_FIRST_EVENT_ID,
  type EventCatalog,
  type EventDef,
  type EventField,
} from './catalog';

/** TRACE_EVENT_TYPE_MAX: ids live in the 16-bit `common_type`. */
const TRACE_EVENT_TYPE_MAX = 0xffff;

/** A registered event (struct trace_event_call). */
export interface TraceEvent {
  readonly def: EventDef;
  /** TRACE_EVENT_FL_DYNAMIC: a dynamic event (kprobe) rather than a compiled-in tracepoint. */
  readonly dynamic: boolean;
  /**
   * call->refcnt of a dynamic event (trace_event_try_get_ref / trace_event_put_ref): users that
   * are not open files, e.g. an enable_event trigger aiming at it. trace_event_dyn_busy() is
   * `refcnt != 0`.
   */
  refcnt: number;
}

export class EventRegistry {
  /** `ftrace_events`: index 0 is the list head (the newest registration). */
  #events: TraceEvent[] = [];
  readonly #byKey = new Map<string, TraceEvent>();
  readonly #usedIds = new Set<number>();
  /** __TRACE_LAST_TYPE of the model: the lowest id the ida hands out. */
  readonly #firstId: number;

  constructor(catalog: EventCatalog) {
    let firstId = Number.POSITIVE_INFINITY;
    const section: TraceEvent[] = [];
    for (const sys of catalog.systems) {
      for (const def of sys.events) {
        const ev: TraceEvent = { def, dynamic: false, refcnt: 0 };
        section.push(ev);
        this.#byKey.set(key(def.system, def.name), ev);
        this.#usedIds.add(def.id);
        firstId = Math.min(firstId, def.id);
      }
    }
    // event_trace_enable(): list_add() of each call in section order.
    this.#events = section.reverse();
    this.#firstId = Number.isFinite(firstId) ? firstId : DEFAULT_FIRST_EVENT_ID;
  }

  /** All events in `ftrace_events` order (newest registration first). */
  get all(): readonly TraceEvent[] {
    return this.#events;
  }

  /** find_trace_event_call(). */
  find(system: string, name: string): TraceEvent | undefined {
    return this.#byKey.get(key(system, name));
  }

  /** alloc_trace_event_type(): the smallest free id, or 0 when none is left. */
  #allocId(): number {
    for (let id = this.#firstId; id <= TRACE_EVENT_TYPE_MAX; id++) {
      if (!this.#usedIds.has(id)) return id;
    }
    return 0;
  }

  /**
   * trace_add_event_call() -> __register_event(): register a dynamic event at the head of the
   * list. Returns undefined when no id is left (register_trace_event() fails, -ENODEV).
   */
  add(
    system: string,
    name: string,
    fields: readonly EventField[],
    printFmt: string,
  ): TraceEvent | undefined {
    const id = this.#allocId();
    if (id === 0) return undefined;
    this.#usedIds.add(id);
    const def: EventDef = Object.freeze({ system, name, id, fields, printFmt });
    const ev: TraceEvent = { def, dynamic: true, refcnt: 0 };
    this.#events = [ev, ...this.#events];
    this.#byKey.set(key(system, name), ev);
    return ev;
  }

  /** trace_remove_event_call(): unlink the call and free its id. */
  remove(ev: TraceEvent): void {
    this.#events = this.#events.filter((e) => e !== ev);
    this.#byKey.delete(key(ev.def.system, ev.def.name));
    this.#usedIds.delete(ev.def.id);
  }
}

function key(system: string, name: string): string {
  return `${system}\u0000${name}`;
}
