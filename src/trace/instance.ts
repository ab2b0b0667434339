/**
 * A trace instance (struct trace_array): the top-level tracer or one made by
 * `mkdir instances/NAME`. Each has its own event state (struct trace_event_file: the ENABLED /
 * SOFT_MODE / SOFT_DISABLED / TRIGGER_MODE flags, the filter, the triggers), its own control
 * files and its own `events/` tree in eventfs, built the way kernel/trace/trace_events.c builds
 * it: one eventfs_inode per system and per event, files resolved by callbacks when someone looks.
 *
 * Kernel sources followed (v6.8): trace_events.c (trace_create_new_event, event_create_dir,
 * event_subsystem_dir, remove_event_file_dir, __ftrace_event_enable_disable,
 * __ftrace_set_clr_event_nolock, trace_events_enabled, the event/system/top file operations and
 * their callbacks), trace_events_filter.c (apply_event_filter, apply_subsystem_event_filter,
 * print_event_filter, print_subsystem_event_filter) and trace_events_trigger.c
 * (event_trigger_regex_open/write, trigger_show, register_trigger, try_unregister_trigger,
 * event_enable_trigger_parse, event_enable_register_trigger, clear_event_triggers).
 */
import type { EventfsEntry, EventfsInode } from '../eventfs/eventfs-inode';
import type { EventfsProducer } from '../eventfs/base';
import type { Dentry } from '../vfs/dentry';
import { fsErr, FsError } from '../vfs/errors';
import type { KOp, Mutex } from '../vfs/sched';
import type { Ctx } from '../vfs/types';
import type { TraceEvent } from './events';
import { sameTriggerSlot, type TriggerCommand } from './trigger-parse';

/** TRACE_MODE_WRITE / TRACE_MODE_READ (kernel/trace/trace.h). */
export const TRACE_MODE_WRITE = 0o640;
export const TRACE_MODE_READ = 0o440;

/** PAGE_SIZE: event_filter_write(), subsystem_filter_write() and the trigger write refuse more. */
export const PAGE_SIZE = 4096;

/** DEFAULT_SYS_FILTER_MESSAGE (trace_events_filter.c). */
export const DEFAULT_SYS_FILTER_MESSAGE =
  '### global filter ###\n' +
  '# Use this to set filters for multiple events.\n' +
  '# Only events with the given fields will be affected.\n' +
  '# If no events are modified, an error message will be displayed here';

/** err_text[FILT_ERR_BAD_SUBSYS_FILTER]. */
export const BAD_SUBSYS_FILTER = "Couldn't find or set field in one of a subsystem's events";

/** struct event_trigger_data: a registered trigger. */
export interface EventTrigger {
  readonly cmd: TriggerCommand;
  /** enable_event & co.: the trace_event_file (same instance) it switches. */
  readonly target: EventFile | null;
}

/** struct trace_event_file: one event's state in one instance. */
export class EventFile {
  /** EVENT_FILE_FL_ENABLED: the event is registered (possibly soft-disabled). */
  enabled = false;
  /** EVENT_FILE_FL_SOFT_MODE: a trigger keeps the event registered. */
  softMode = false;
  /** EVENT_FILE_FL_SOFT_DISABLED: registered, but records are dropped. */
  softDisabled = false;
  /** EVENT_FILE_FL_TRIGGER_MODE: the event has triggers. */
  triggerMode = false;
  /** EVENT_FILE_FL_FILTERED: the filter is in force (not after a failed write). */
  filtered = false;
  /** EVENT_FILE_FL_FREED: the event went away; open files answer ENODEV. */
  freed = false;
  /** sm_ref: soft-mode users. */
  smRef = 0;
  /** tm_ref: trigger-mode users. */
  tmRef = 0;
  /** file->filter->filter_string: a filter as written, or the error report of a failed one. */
  filterString: string | null = null;
  /** file->triggers: newest first (list_add_rcu). */
  readonly triggers: EventTrigger[] = [];
  /** file->system. */
  system: SubsystemDir | null = null;
  /** file->ei. */
  ei: EventfsInode | null = null;

  constructor(
    readonly event: TraceEvent,
    readonly tr: TraceArray,
  ) {}
}

/** struct trace_subsystem_dir: a system's directory in one instance. */
export class SubsystemDir {
  ei: EventfsInode | null = null;
  nrEvents = 0;
  /** Still on tr->systems (list_del when its last event goes). */
  listed = true;

  constructor(
    readonly name: string,
    readonly tr: TraceArray,
  ) {}
}

/** What the instance needs from the tracing core. */
export interface TracingCore {
  readonly eventfs: EventfsProducer;
  /** event_mutex. */
  readonly eventMutex: Mutex;
  /** Every registered tracer, trace_types order (newest registration first). */
  readonly tracers: readonly Tracer[];
  /** `ftrace_events`, newest registration first. */
  events(): readonly TraceEvent[];
}

/** struct tracer: what the model needs of one. */
export interface Tracer {
  readonly name: string;
  /** allow_instances: usable in instances/ (trace_ok_for_array). */
  readonly allowInstances: boolean;
}

/** Which events __ftrace_set_clr_event_nolock() acts on (NULL meaning "any"). */
export interface EventMatch {
  /** A bare set_event word: compared with both the event name and the system. */
  readonly match?: string | undefined;
  readonly system?: string | undefined;
  readonly event?: string | undefined;
}

export class TraceArray {
  tracingOn = true;
  currentTracer = 'nop';
  /** tr->ref beyond the creation reference: trace_array_get() users (open files). */
  ref = 0;
  /** Off ftrace_trace_arrays: trace_array_get() fails with ENODEV. */
  removed = false;
  /** tr->events: index 0 is the list head. */
  events: EventFile[] = [];
  readonly files = new Map<TraceEvent, EventFile>();
  /** tr->systems by name. */
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

  /** trace_array_get() for an open: ENODEV once the instance is gone. */
  get(): void {
    if (this.removed) throw fsErr('ENODEV', 'the instance was removed');
    this.ref++;
  }

  /** trace_array_put(). */
  put(): void {
    this.ref--;
  }

  /** find_event_file(). */
  findEventFile(system: string, event: string): EventFile | undefined {
    return this.events.find((f) => f.event.def.name === event && f.event.def.system === system);
  }

  // ---- events/ tree -------------------------------------------------------------------------

  /** trace_create_new_event(): the file goes to the head of tr->events (list_add). */
  private createNewEvent(ev: TraceEvent): EventFile {
    const file = new EventFile(ev, this);
    this.events.unshift(file);
    this.files.set(ev, file);
    return file;
  }

  /**
   * The top instance at boot: __trace_early_add_events() makes a file per call walking
   * `ftrace_events`, then (early_event_add_tracer -> __trace_early_add_event_dirs) the
   * directories are created walking tr->events.
   */
  *createEventsTreeEarly(ctx: Ctx, parent: Dentry, entries: TraceEntries): KOp<void> {
    const files: EventFile[] = [];
    for (const ev of this.core.events()) {
      const file = new EventFile(ev, this);
      files.push(file);
      this.files.set(ev, file);
    }
    this.events = files.reverse();
    yield* this.createEventsDir(ctx, parent, entries);
    for (const file of [...this.events]) yield* this.eventCreateDir(ctx, file, entries);
  }

  /**
   * An instance (event_trace_add_tracer -> __trace_add_event_dirs): walking `ftrace_events`,
   * each call gets its file at the head of tr->events and its directory at once.
   */
  *createEventsTree(ctx: Ctx, parent: Dentry, entries: TraceEntries): KOp<void> {
    yield* this.createEventsDir(ctx, parent, entries);
    for (const ev of [...this.core.events()]) yield* this.addNewEvent(ctx, ev, entries);
  }

  /** create_event_toplevel_files(): the `events` directory. */
  private *createEventsDir(ctx: Ctx, parent: Dentry, entries: TraceEntries): KOp<void> {
    this.eventsEi = yield* this.core.eventfs.createEventsDir(
      ctx,
      'events',
      parent,
      entries.top,
      this,
    );
  }

  /** __trace_add_new_event(): trace_create_new_event() + event_create_dir(). */
  *addNewEvent(ctx: Ctx, ev: TraceEvent, entries: TraceEntries): KOp<void> {
    const file = this.createNewEvent(ev);
    yield* this.eventCreateDir(ctx, file, entries);
  }

  /** event_create_dir() -> event_subsystem_dir(): the system directory on first use. */
  private *eventCreateDir(ctx: Ctx, file: EventFile, entries: TraceEntries): KOp<void> {
    if (this.eventsEi === null) return;
    const sysName = file.event.def.system;
    let dir = this.systems.get(sysName);
    if (dir !== undefined) {
      dir.nrEvents++;
      file.system = dir;
    } else {
      dir = new SubsystemDir(sysName, this);
      const ei = yield* noMemIsNull(
        this.core.eventfs.createDir(ctx, sysName, this.eventsEi, entries.system, dir),
      );
      if (ei === null) return;
      dir.ei = ei;
      dir.nrEvents = 1;
      file.system = dir;
      this.systems.set(sysName, dir);
    }
    if (dir.ei === null) return;
    file.ei = yield* noMemIsNull(
      this.core.eventfs.createDir(ctx, file.event.def.name, dir.ei, entries.event, file),
    );
  }

  /** remove_event_from_tracers() for this instance -> remove_event_file_dir(). */
  *removeEvent(ctx: Ctx, ev: TraceEvent): KOp<void> {
    const file = this.files.get(ev);
    if (file !== undefined) yield* this.removeEventFileDir(ctx, file);
  }

  /**
   * remove_event_file_dir(): the event's directory, then remove_subsystem(). `unlist` takes the
   * file off tr->events (list_del); a teardown of the whole tree empties the list at once.
   */
  private *removeEventFileDir(ctx: Ctx, file: EventFile, unlist = true): KOp<void> {
    if (file.ei !== null) yield* this.core.eventfs.removeDir(ctx, file.ei);
    file.ei = null;
    if (unlist) this.events = this.events.filter((f) => f !== file);
    this.files.delete(file.event);
    const dir = file.system;
    if (dir !== null && --dir.nrEvents === 0) {
      if (dir.ei !== null) yield* this.core.eventfs.removeDir(ctx, dir.ei);
      dir.ei = null;
      dir.listed = false;
      this.systems.delete(dir.name);
    }
    file.filterString = null;
    file.filtered = false;
    file.freed = true;
  }

  /**
   * event_trace_del_tracer(): clear_event_triggers(), disable every event, remove every event
   * directory (__trace_remove_event_dirs), then eventfs_remove_events_dir().
   */
  *removeEventsTree(ctx: Ctx): KOp<void> {
    this.clearEventTriggers();
    this.setClrEvent({}, 0);
    const files = this.events;
    this.events = [];
    for (const file of files) yield* this.removeEventFileDir(ctx, file, false);
    if (this.eventsEi !== null) yield* this.core.eventfs.removeEventsDir(ctx, this.eventsEi);
    this.eventsEi = null;
  }

  // ---- event state (callers hold event_mutex) -----------------------------------------------

  /** __ftrace_event_enable_disable(). */
  enableDisable(file: EventFile, enable: 0 | 1, softDisable: boolean): void {
    if (enable === 0) {
      let disable: boolean;
      if (softDisable) {
        if (--file.smRef > 0) return;
        disable = file.softDisabled;
        file.softMode = false;
      } else {
        disable = !file.softMode;
      }
      // call->class->reg(call, TRACE_REG_UNREGISTER, file)
      if (disable && file.enabled) file.enabled = false;
      // In SOFT_MODE, just set SOFT_DISABLED; otherwise clear it.
      file.softDisabled = file.softMode;
      return;
    }
    if (!softDisable) {
      file.softDisabled = false;
    } else {
      if (++file.smRef > 1) return;
      file.softMode = true;
    }
    if (!file.enabled) {
      // Keep the event disabled when going to SOFT_MODE.
      if (softDisable) file.softDisabled = true;
      // call->class->reg(call, TRACE_REG_REGISTER, file)
      file.enabled = true;
    }
  }

  /** trace_event_trigger_enable_disable(). */
  triggerEnableDisable(file: EventFile, enable: boolean): void {
    if (enable) {
      if (++file.tmRef > 1) return;
      file.triggerMode = true;
      this.enableDisable(file, 1, true);
    } else {
      if (--file.tmRef > 0) return;
      file.triggerMode = false;
      this.enableDisable(file, 0, true);
    }
  }

  /**
   * __ftrace_set_clr_event_nolock(): enable or disable every matching event. False when
   * nothing matched (the kernel's -EINVAL).
   */
  setClrEvent(m: EventMatch, set: 0 | 1): boolean {
    let matched = false;
    for (const file of [...this.events]) {
      const { system, name } = file.event.def;
      if (m.match !== undefined && m.match !== name && m.match !== system) continue;
      if (m.system !== undefined && m.system !== system) continue;
      if (m.event !== undefined && m.event !== name) continue;
      this.enableDisable(file, set, false);
      matched = true;
    }
    return matched;
  }

  /** ftrace_clear_events(): what truncating set_event does. */
  clearEvents(): void {
    for (const file of [...this.events]) this.enableDisable(file, 0, false);
  }

  /**
   * trace_events_enabled(): 0 no events, 1 all disabled, 2 all enabled, 3 mixed. "Enabled" is
   * EVENT_FILE_FL_ENABLED, so a soft-disabled event counts as enabled.
   */
  eventsEnabled(system: string | undefined): number {
    let set = 0;
    for (const file of this.events) {
      if (system !== undefined && file.event.def.system !== system) continue;
      set |= 1 << (file.enabled ? 1 : 0);
      if (set === 3) break;
    }
    return set;
  }

  /** clear_event_triggers(): every trigger of the instance, undoing their soft modes. */
  clearEventTriggers(): void {
    for (const file of this.events) {
      for (const t of [...file.triggers]) {
        this.triggerEnableDisable(file, false);
        file.triggers.splice(file.triggers.indexOf(t), 1);
        this.freeTrigger(t);
      }
    }
  }

  /** event_trigger_free / event_enable_trigger_free. */
  private freeTrigger(t: EventTrigger): void {
    if (t.target === null) return;
    // Remove the SOFT_MODE flag, then trace_event_put_ref().
    this.enableDisable(t.target, 0, true);
    if (t.target.event.dynamic) t.target.event.refcnt--;
  }

  /** trigger_process_regex() after parsing: register or unregister one trigger. */
  applyTrigger(file: EventFile, cmd: TriggerCommand): void {
    let target: EventFile | null = null;
    if ('system' in cmd) {
      // event_enable_trigger_parse(): find_event_file() first, for removals too.
      target = this.findEventFile(cmd.system, cmd.event) ?? null;
      if (target === null) throw fsErr('EINVAL', `no event ${cmd.system}:${cmd.event}`);
    }
    if (cmd.remove) {
      // try_unregister_trigger / event_enable_unregister_trigger: quietly nothing if absent.
      const idx = file.triggers.findIndex(
        (t) => sameTriggerSlot(t.cmd, cmd) && (target === null || t.target === target),
      );
      const t = file.triggers[idx];
      if (t === undefined) return;
      file.triggers.splice(idx, 1);
      this.triggerEnableDisable(file, false);
      this.freeTrigger(t);
      return;
    }
    if (target !== null) {
      // trace_event_try_get_ref(), then soft mode on the target before registering.
      if (target.event.dynamic) target.event.refcnt++;
      this.enableDisable(target, 1, true);
    }
    // register_trigger / event_enable_register_trigger: one per type (and target).
    if (file.triggers.some((t) => sameTriggerSlot(t.cmd, cmd) && t.target === target)) {
      if (target !== null) {
        this.enableDisable(target, 0, true);
        if (target.event.dynamic) target.event.refcnt--;
      }
      throw fsErr('EEXIST', `a ${cmd.kind} trigger is already set`);
    }
    file.triggers.unshift({ cmd, target });
    this.triggerEnableDisable(file, true);
  }
}

/** The eventfs entry tables of the events tree (static arrays in the kernel). */
export interface TraceEntries {
  readonly top: readonly EventfsEntry[];
  readonly system: readonly EventfsEntry[];
  readonly event: readonly EventfsEntry[];
}

/**
 * event_create_dir() failing for lack of memory is only a pr_warn() ("Could not create tracefs
 * '%s' directory"): the event stays registered without a directory.
 */
function* noMemIsNull<T>(op: KOp<T | null>): KOp<T | null> {
  try {
    return yield* op;
  } catch (e) {
    if (e instanceof FsError && e.code === 'ENOMEM') return null;
    throw e;
  }
}
