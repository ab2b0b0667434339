/**
 * The registered trace events (kernel/trace/trace_events.c's ftrace_events list): the static
 * ones from the catalog plus dynamic ones (kprobes). New events go to the head of the list
 * (list_add in __register_event), which is the order available_events prints.
 */
import type { EventCatalog, EventDef, EventField } from './catalog';

/** A registered event (struct trace_event_call). */
export interface TraceEvent {
  readonly def: EventDef;
  /** A dynamic event (kprobe) rather than a compiled-in tracepoint. */
  readonly dynamic: boolean;
}

export class EventRegistry {
  /** Newest first, as the kernel's list. */
  #events: TraceEvent[] = [];
  readonly #byKey = new Map<string, TraceEvent>();
  #nextId: number;

  constructor(catalog: EventCatalog) {
    let maxId = 0;
    // The catalog lists in the kernel's (list) order already.
    for (const sys of catalog.systems) {
      for (const def of sys.events) {
        const ev: TraceEvent = { def, dynamic: false };
        this.#events.push(ev);
        this.#byKey.set(key(def.system, def.name), ev);
        if (def.id > maxId) maxId = def.id;
      }
    }
    this.#nextId = maxId + 1;
  }

  /** All events, in list order. */
  get all(): readonly TraceEvent[] {
    return this.#events;
  }

  find(system: string, name: string): TraceEvent | undefined {
    return this.#byKey.get(key(system, name));
  }

  /** Events of one system, in list order. */
  ofSystem(system: string): TraceEvent[] {
    return this.#events.filter((e) => e.def.system === system);
  }

  /** trace_add_event_call(): register a dynamic event with the next free id. */
  add(system: string, name: string, fields: readonly EventField[], printFmt: string): TraceEvent {
    const def: EventDef = Object.freeze({ system, name, id: this.#nextId++, fields, printFmt });
    const ev: TraceEvent = { def, dynamic: true };
    this.#events = [ev, ...this.#events];
    this.#byKey.set(key(system, name), ev);
    return ev;
  }

  /** trace_remove_event_call(). */
  remove(ev: TraceEvent): void {
    this.#events = this.#events.filter((e) => e !== ev);
    this.#byKey.delete(key(ev.def.system, ev.def.name));
  }
}

function key(system: string, name: string): string {
  return `${system}\u0000${name}`;
}
