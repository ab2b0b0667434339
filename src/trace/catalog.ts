/**
 * The event catalog: which trace event systems and events exist, their ids, their fields, and
 * the exact text of each event's `format` file. Pure data and pure functions; it knows nothing
 * of the VFS, and it has no runtime dependencies (it runs in a browser).
 *
 * The bundled catalog ({@link defaultCatalog}) is the real `available_events` list of an x86-64
 * Linux 5.1x machine (2002 events in 114 systems, see catalog-data.ts for provenance), with real
 * field definitions for a set of well-known events and a documented generic stand-in for all
 * others ({@link defaultFieldsFor}).
 */
import { EVENT_LIST, FIELD_DEFS, type RawField } from './catalog-data';

/** One field of an event record, as a line of the event's `format` file describes it. */
export interface EventField {
  /**
   * The C type as the kernel prints it before the name: `unsigned long`, `pid_t`, `void *`,
   * `__data_loc char[]`. For fixed-size arrays this is the element type (`char`); the length
   * is part of {@link EventField.name}, because that is how f_show() prints arrays.
   */
  readonly type: string;
  /** The field name as printed, including an array length: `prev_comm[16]`, `args[6]`. */
  readonly name: string;
  /** Byte offset in the record (the common fields occupy bytes 0..7). */
  readonly offset: number;
  /** Size in bytes (4 for a `__data_loc` slot, whatever the string length). */
  readonly size: number;
  /** Whether the kernel reports the type as signed (`signed:1`). */
  readonly signed: boolean;
}

/** One trace event: `events/<system>/<name>/` in tracefs. */
export interface EventDef {
  /** The system (subdirectory of `events/`) the event belongs to. */
  readonly system: string;
  /** The event name. */
  readonly name: string;
  /**
   * The event id (`events/<system>/<name>/id`, the `ID:` line of `format`, and the value of
   * `common_type` in records). Real kernels hand ids out dynamically as events register, so
   * they differ between kernels and boots; catalogs here assign them sequentially in catalog
   * order (see {@link DEFAULT_FIRST_EVENT_ID}), which makes them stable and deterministic.
   */
  readonly id: number;
  /** Event-specific fields in record order; the common_* fields are not repeated here. */
  readonly fields: readonly EventField[];
  /** The print format: the text after `print fmt: ` in the format file. */
  readonly printFmt: string;
}

/** One event system: `events/<name>/` in tracefs. */
export interface SystemDef {
  /** The system name. */
  readonly name: string;
  /** Its events, in catalog order. */
  readonly events: readonly EventDef[];
}

/** An immutable set of systems and events. */
export interface EventCatalog {
  /** Systems in kernel order (order of first appearance in `available_events`). */
  readonly systems: readonly SystemDef[];
  /** The system called `name`, if any. */
  findSystem(name: string): SystemDef | undefined;
  /** The event `system:name`, if any. */
  findEvent(system: string, name: string): EventDef | undefined;
  /** Total number of events over all systems. */
  readonly eventCount: number;
}

/** A system to put in a catalog built by {@link createCatalog}. */
export interface SystemSpec {
  /** System name: non-empty, no `/`, `:`, whitespace or NUL, and not `.` or `..`. */
  readonly name: string;
  /** Its events, in the order the catalog should list them. */
  readonly events: readonly EventSpec[];
}

/** An event to put in a catalog built by {@link createCatalog}. */
export interface EventSpec {
  /** Event name, under the same rules as a system name. */
  readonly name: string;
  /** Event-specific fields; defaults to {@link defaultFieldsFor}'s (none). */
  readonly fields?: readonly EventField[];
  /** Print format; defaults to {@link defaultFieldsFor}'s (`""`). */
  readonly printFmt?: string;
}

/**
 * The id given to the first event of the bundled catalog, and the default `firstId` of
 * {@link createCatalog}. Ids below it belong to the kernel's static ftrace entry types
 * (function, print, ... up to __TRACE_LAST_TYPE), which real kernels number first; dynamic
 * events then take the following ids in registration order.
 */
export const DEFAULT_FIRST_EVENT_ID = 21;

/** Largest event id: ids are stored in the 16-bit `common_type` (TRACE_EVENT_TYPE_MAX). */
const MAX_EVENT_ID = 0xffff;

function makeField(
  type: string,
  name: string,
  offset: number,
  size: number,
  signed: boolean,
): EventField {
  return Object.freeze({ type, name, offset, size, signed });
}

/**
 * The fields every event record starts with (struct trace_entry; trace_define_common_fields()
 * in kernel/trace/trace_events.c). The format file lists them before the event's own fields.
 */
export const COMMON_FIELDS: readonly EventField[] = Object.freeze([
  makeField('unsigned short', 'common_type', 0, 2, false),
  makeField('unsigned char', 'common_flags', 2, 1, false),
  makeField('unsigned char', 'common_preempt_count', 3, 1, false),
  makeField('int', 'common_pid', 4, 4, true),
]);

const NO_FIELDS: readonly EventField[] = Object.freeze([]);

const GENERIC_DEFINITION: { readonly fields: readonly EventField[]; readonly printFmt: string } =
  Object.freeze({ fields: NO_FIELDS, printFmt: '""' });

function checkName(what: string, name: string): void {
  if (name === '' || name === '.' || name === '..' || /[/:\s\0]/.test(name)) {
    throw new RangeError(`invalid ${what} name ${JSON.stringify(name)}`);
  }
}

/**
 * The generic stand-in used for an event that has no bundled definition: no fields beyond the
 * common ones and the print format `""`. It is a placeholder, NOT the event's real layout; only
 * the well-known events listed in catalog-data.ts (sched_switch, sys_enter, kmalloc, ...)
 * carry real kernel field definitions.
 * @param system - the event's system (must be a valid name).
 * @param name - the event's name (must be a valid name).
 * @returns a frozen `{ fields, printFmt }`; the same object for every event.
 * @throws RangeError if a name is empty or contains `/`, `:`, whitespace or NUL.
 */
export function defaultFieldsFor(
  system: string,
  name: string,
): { fields: readonly EventField[]; printFmt: string } {
  checkName('system', system);
  checkName('event', name);
  return GENERIC_DEFINITION;
}

function copyFields(fields: readonly EventField[]): readonly EventField[] {
  if (fields.length === 0) return NO_FIELDS;
  return Object.freeze(fields.map((f) => makeField(f.type, f.name, f.offset, f.size, f.signed)));
}

/**
 * Builds an immutable catalog, e.g. a small custom one for an embedder or a test. Systems and
 * events keep the given order; ids are assigned sequentially in that order from `firstId`.
 * Fields and print format default to {@link defaultFieldsFor}'s generic stand-in. The given
 * field objects are copied, so later changes to them do not affect the catalog.
 * @param systems - the systems, each with its events.
 * @param firstId - id of the first event; defaults to {@link DEFAULT_FIRST_EVENT_ID}.
 * @returns a deeply frozen catalog.
 * @throws RangeError on an invalid name, a duplicate system or event, or ids outside
 *   1..65535 (the range of `common_type`).
 */
export function createCatalog(
  systems: readonly SystemSpec[],
  firstId: number = DEFAULT_FIRST_EVENT_ID,
): EventCatalog {
  const total = systems.reduce((n, s) => n + s.events.length, 0);
  if (!Number.isSafeInteger(firstId) || firstId < 1 || firstId + total - 1 > MAX_EVENT_ID) {
    throw new RangeError(`event ids ${firstId}..${firstId + total - 1} do not fit in 1..65535`);
  }
  const bySystem = new Map<string, { def: SystemDef; events: Map<string, EventDef> }>();
  const list: SystemDef[] = [];
  let id = firstId;
  for (const spec of systems) {
    checkName('system', spec.name);
    if (bySystem.has(spec.name)) throw new RangeError(`duplicate system ${spec.name}`);
    const events = new Map<string, EventDef>();
    const defs: EventDef[] = [];
    for (const ev of spec.events) {
      const generic = defaultFieldsFor(spec.name, ev.name);
      if (events.has(ev.name)) throw new RangeError(`duplicate event ${spec.name}:${ev.name}`);
      const def: EventDef = Object.freeze({
        system: spec.name,
        name: ev.name,
        id: id++,
        fields: ev.fields === undefined ? generic.fields : copyFields(ev.fields),
        printFmt: ev.printFmt ?? generic.printFmt,
      });
      events.set(ev.name, def);
      defs.push(def);
    }
    const def: SystemDef = Object.freeze({ name: spec.name, events: Object.freeze(defs) });
    bySystem.set(spec.name, { def, events });
    list.push(def);
  }
  return Object.freeze({
    systems: Object.freeze(list),
    eventCount: total,
    findSystem: (name: string): SystemDef | undefined => bySystem.get(name)?.def,
    findEvent: (system: string, name: string): EventDef | undefined =>
      bySystem.get(system)?.events.get(name),
  });
}

function toField(raw: RawField): EventField {
  return makeField(raw[0], raw[1], raw[2], raw[3], raw[4] === 1);
}

function buildDefaultCatalog(): EventCatalog {
  const defs = new Map<string, EventSpec>();
  for (const [system, name, fields, printFmt] of FIELD_DEFS) {
    defs.set(`${system}:${name}`, { name, fields: fields.map(toField), printFmt });
  }
  const systems = EVENT_LIST.map((entry): SystemSpec => {
    const colon = entry.indexOf(':');
    const name = entry.slice(0, colon);
    const events = entry
      .slice(colon + 1)
      .split(' ')
      .map((ev): EventSpec => defs.get(`${name}:${ev}`) ?? { name: ev });
    return { name, events };
  });
  return createCatalog(systems);
}

/** Built once at load; deeply frozen, so sharing it is safe. */
const DEFAULT_CATALOG: EventCatalog = /* @__PURE__ */ buildDefaultCatalog();

/**
 * The bundled catalog: the 2002 events in 114 systems of a real x86-64 Linux 5.1x
 * `available_events`, in kernel order, with ids from {@link DEFAULT_FIRST_EVENT_ID}. Real field
 * definitions are bundled for well-known events (sched, irq, raw_syscalls, timer, signal, kmem,
 * block, workqueue); every other event has the generic stand-in of {@link defaultFieldsFor}.
 * @returns the same deeply frozen instance on every call.
 */
export function defaultCatalog(): EventCatalog {
  return DEFAULT_CATALOG;
}

function fieldLine(f: EventField): string {
  return `\tfield:${f.type} ${f.name};\toffset:${f.offset};\tsize:${f.size};\tsigned:${f.signed ? 1 : 0};\n`;
}

/**
 * The exact text of `events/<system>/<name>/format`. Modelled on f_start()/f_next()/f_show() in
 * kernel/trace/trace_events.c: a header (`name:`, `ID:`, `format:`), the common fields, an
 * empty line (FORMAT_FIELD_SEPERATOR), the event's fields, then `\nprint fmt: %s\n`
 * (FORMAT_PRINTFMT), so an event without fields shows two empty lines. Field lines are
 * `\tfield:TYPE NAME;\toffset:%u;\tsize:%u;\tsigned:%d;\n`; f_show() prints an array type
 * `T[N]` as `T NAME[N]`, which {@link EventField} already stores split that way.
 * @param ev - the event.
 * @returns the file's full text, ending in a newline.
 */
export function renderFormat(ev: EventDef): string {
  return (
    `name: ${ev.name}\nID: ${ev.id}\nformat:\n` +
    COMMON_FIELDS.map(fieldLine).join('') +
    '\n' +
    ev.fields.map(fieldLine).join('') +
    `\nprint fmt: ${ev.printFmt}\n`
  );
}
