/**
 * Parser for writes to an event's `trigger` file, modelling kernel/trace/trace_events_trigger.c:
 * `event_trigger_regex_write` (strim() of the whole write, one command per write),
 * `trigger_process_regex` (the command word ends at the first ':', ' ' or '\t'),
 * `event_trigger_parse` + `event_trigger_separate_filter` + `event_trigger_parse_num` +
 * `set_trigger_filter` (traceon, traceoff, snapshot, stacktrace), `event_enable_trigger_parse`
 * (enable_event, disable_event and their hist twins), and the print side: `event_trigger_print`,
 * `event_enable_trigger_print` and `trigger_show` (the header shown when there is no trigger).
 *
 *     traceon|traceoff|snapshot|stacktrace[:N] [if FILTER]
 *     enable_event|disable_event|enable_hist|disable_hist:SYSTEM:EVENT[:N] [if FILTER]
 *     !COMMAND...        remove
 *
 * Modelled kernel: v6.8 (this file is unchanged in mainline for everything modelled here).
 *
 * Decisions and quirks:
 * - `hist:` triggers (trace_events_hist.c) are rejected with EINVAL as *not modelled*: their
 *   key/value/sort/size syntax and printed form are a separate language the simulator does not
 *   implement. enable_hist/disable_hist share enable_event's syntax and are supported.
 * - A removal (`!...`) is not checked beyond the command word (and, for the event triggers,
 *   SYSTEM:EVENT): the kernel neither parses the count nor the filter, and succeeds even when
 *   nothing was registered.
 * - The count is an `unsigned long` printed with "%ld": `:18446744073709551615` is stored as -1,
 *   which is printed and behaves as "unlimited".
 * - The caller decides what needs kernel state: SYSTEM:EVENT must exist (find_event_file, else
 *   -EINVAL, also for removals), a second trigger of the same type is -EEXIST (see
 *   {@link sameTriggerSlot}).
 */
import type { ParseErrno, ParseResult } from './kprobe-parse';
import {
  parseFilterExpression,
  type FilterFieldSpec,
  type FilterNode,
  type FilterOptions,
} from './filter-parse';
import { byteLength, cString, isKernelDigit, kstrtoul, strim } from './value-parse';

/** Triggers that take only an optional count and filter. */
export type SimpleTriggerName = 'traceon' | 'traceoff' | 'snapshot' | 'stacktrace';
/** Triggers that act on another event. */
export type EventTriggerName = 'enable_event' | 'disable_event' | 'enable_hist' | 'disable_hist';

interface TriggerCommon {
  /** `!COMMAND`: unregister instead of register. */
  readonly remove: boolean;
  /** The `:N` count as stored (`unsigned long`); absent means unlimited. */
  readonly count?: bigint;
  /** The filter text after `if` (data->filter_str), exactly as it will be printed. */
  readonly filter?: string;
  /** The parsed filter, when the event's fields were supplied. */
  readonly filterAst?: FilterNode;
}

/** A parsed trigger command. */
export type TriggerCommand =
  | (TriggerCommon & { readonly kind: SimpleTriggerName })
  | (TriggerCommon & {
      readonly kind: EventTriggerName;
      readonly system: string;
      readonly event: string;
    });

/** Options for {@link parseTriggerLine}. */
export interface TriggerParseOptions {
  /**
   * Fields of the event whose `trigger` file is written: when given, `if FILTER` is checked with
   * the event-filter parser (errors and errnos included); otherwise only `if` is checked.
   */
  readonly fields?: ReadonlyArray<FilterFieldSpec>;
  /** Passed to the filter parser. */
  readonly filterOptions?: FilterOptions;
}

/**
 * What the `trigger` file shows when the event has no (user) trigger (trigger_show with
 * SHOW_AVAILABLE_TRIGGERS): "# Available triggers:" and then "#" followed by " NAME" for every
 * registered command in registration order (register_trigger_cmds: traceon, traceoff, snapshot,
 * stacktrace, enable_event, disable_event, enable_hist, disable_hist, hist), for a kernel with
 * CONFIG_TRACER_SNAPSHOT, CONFIG_STACKTRACE and CONFIG_HIST_TRIGGERS.
 */
export const TRIGGER_FILE_HEADER =
  '# Available triggers:\n' +
  '# traceon traceoff snapshot stacktrace enable_event disable_event enable_hist disable_hist hist\n';

/** event_trigger_regex_write() rejects writes of PAGE_SIZE bytes or more. */
export const TRIGGER_PAGE_SIZE = 4096;

const SIMPLE: ReadonlySet<string> = new Set(['traceon', 'traceoff', 'snapshot', 'stacktrace']);
const EVENT: ReadonlySet<string> = new Set([
  'enable_event',
  'disable_event',
  'enable_hist',
  'disable_hist',
]);

function fail<T>(code: ParseErrno, reason: string): ParseResult<T> {
  return { ok: false, code, reason };
}

/** skip_spaces(). */
function skipSpaces(s: string): string {
  return s.replace(/^[ \t\n\v\f\r]+/, '');
}

/** strsep(&s, " \t"): the word before the first blank, and the rest after it (if any). */
function splitAtBlank(s: string): { head: string; rest: string | undefined } {
  const m = /[ \t]/.exec(s);
  return m === null
    ? { head: s, rest: undefined }
    : { head: s.slice(0, m.index), rest: s.slice(m.index + 1) };
}

/** event_trigger_parse_num(): the text before the first ':' must be a kstrtoul(.., 0, ..) value. */
function parseCount(param: string | undefined): ParseResult<bigint | undefined> {
  if (param === undefined) return { ok: true, value: undefined };
  const colon = param.indexOf(':');
  const number = colon === -1 ? param : param.slice(0, colon);
  if (number.length === 0) return fail('EINVAL', 'empty trigger count');
  const r = kstrtoul(number, 0);
  if (!r.ok) return fail(r.code, `bad trigger count "${number}"`);
  return { ok: true, value: r.value };
}

/** set_trigger_filter(): "if FILTER", with FILTER checked against the event's fields. */
function parseTriggerFilter(
  filter: string | undefined,
  options: TriggerParseOptions,
): ParseResult<{ text: string; ast: FilterNode | undefined } | undefined> {
  if (filter === undefined) return { ok: true, value: undefined };
  const { head, rest } = splitAtBlank(filter);
  if (head !== 'if') return fail('EINVAL', `expected "if" before the filter, got "${head}"`);
  if (rest === undefined) return fail('EINVAL', '"if" without a filter');
  if (options.fields === undefined) return { ok: true, value: { text: rest, ast: undefined } };
  const r = parseFilterExpression(rest, options.fields, options.filterOptions);
  if (!r.ok) return r;
  return { ok: true, value: { text: rest, ast: r.value } };
}

function withCountAndFilter<T extends object>(
  base: T,
  count: bigint | undefined,
  filter: { text: string; ast: FilterNode | undefined } | undefined,
): T & Pick<TriggerCommon, 'count' | 'filter' | 'filterAst'> {
  return {
    ...base,
    ...(count === undefined ? {} : { count }),
    ...(filter === undefined ? {} : { filter: filter.text }),
    ...(filter?.ast === undefined ? {} : { filterAst: filter.ast }),
  };
}

/**
 * Parse one write to a `trigger` file. Note that a zero-length write(2) returns 0 before any
 * parsing; an all-blank one reaches the parser as "" and is -EINVAL, like any unknown command.
 */
export function parseTriggerLine(
  line: string,
  options: TriggerParseOptions = {},
): ParseResult<TriggerCommand> {
  if (byteLength(line) >= TRIGGER_PAGE_SIZE) {
    return fail('EINVAL', 'trigger write of PAGE_SIZE bytes or more');
  }
  const buff = strim(cString(line));
  const delim = buff.search(/[: \t]/);
  const glob = delim === -1 ? buff : buff.slice(0, delim);
  let next: string | undefined = delim === -1 ? undefined : skipSpaces(buff.slice(delim + 1));
  if (next === '') next = undefined;
  const remove = glob.startsWith('!');
  const name = remove ? glob.slice(1) : glob;

  if (SIMPLE.has(name)) {
    const kind = name as SimpleTriggerName;
    // event_trigger_separate_filter(param_required = false): no leading digit means no count.
    let param: string | undefined;
    let filter: string | undefined;
    if (next !== undefined) {
      if (!isKernelDigit(next[0])) {
        filter = next;
      } else {
        const { head, rest } = splitAtBlank(next);
        param = head;
        if (rest !== undefined) {
          const f = skipSpaces(rest);
          if (f !== '') filter = f;
        }
      }
    }
    if (remove) return { ok: true, value: { kind, remove } };
    const count = parseCount(param);
    if (!count.ok) return count;
    const f = parseTriggerFilter(filter, options);
    if (!f.ok) return f;
    return { ok: true, value: withCountAndFilter({ kind, remove }, count.value, f.value) };
  }

  if (EVENT.has(name)) {
    const kind = name as EventTriggerName;
    if (next === undefined) return fail('EINVAL', `${name} needs SYSTEM:EVENT`);
    // event_trigger_separate_filter(param_required = true).
    const { head: param, rest } = splitAtBlank(next);
    let filter: string | undefined;
    if (rest !== undefined) {
      const f = skipSpaces(rest);
      if (f !== '') filter = f;
    }
    const c1 = param.indexOf(':');
    if (c1 === -1) return fail('EINVAL', `${name} needs SYSTEM:EVENT`);
    const system = param.slice(0, c1);
    const afterSystem = param.slice(c1 + 1);
    const c2 = afterSystem.indexOf(':');
    const event = c2 === -1 ? afterSystem : afterSystem.slice(0, c2);
    const countParam = c2 === -1 ? undefined : afterSystem.slice(c2 + 1);
    // (find_event_file(tr, system, event) happens here: the caller answers -EINVAL.)
    if (remove) return { ok: true, value: { kind, remove, system, event } };
    const count = parseCount(countParam);
    if (!count.ok) return count;
    const f = parseTriggerFilter(filter, options);
    if (!f.ok) return f;
    return {
      ok: true,
      value: withCountAndFilter({ kind, remove, system, event }, count.value, f.value),
    };
  }

  if (name === 'hist') return fail('EINVAL', 'hist triggers are not modelled by the simulator');
  return fail('EINVAL', `no trigger command "${name}"`);
}

/** The count as event_trigger_print() shows it: "%ld" of an unsigned long, -1 is unlimited. */
function formatCount(count: bigint | undefined): string {
  if (count === undefined) return ':unlimited';
  const signed = count >= 1n << 63n ? count - (1n << 64n) : count;
  return signed === -1n ? ':unlimited' : `:count=${signed}`;
}

/**
 * The line the `trigger` file shows for a registered trigger, without its '\n'
 * (event_trigger_print / event_enable_trigger_print): `traceoff:unlimited`,
 * `traceon:count=5 if pid > 0`, `enable_event:sched:sched_switch:unlimited`. A removal command is
 * rendered as the `!` form that would remove it.
 */
export function formatTrigger(t: TriggerCommand): string {
  const target = 'system' in t ? `:${t.system}:${t.event}` : '';
  if (t.remove) return `!${t.kind}${target}`;
  const filter = t.filter === undefined ? '' : ` if ${t.filter}`;
  return `${t.kind}${target}${formatCount(t.count)}${filter}`;
}

/**
 * The whole `trigger` file for the given registered triggers, in the order the kernel lists
 * them (newest first: register_trigger() uses list_add_rcu()), or {@link TRIGGER_FILE_HEADER}
 * when there are none.
 */
export function formatTriggerFile(triggers: readonly TriggerCommand[]): string {
  if (triggers.length === 0) return TRIGGER_FILE_HEADER;
  return triggers.map((t) => `${formatTrigger(t)}\n`).join('');
}

/** enum event_trigger_type: the slot a trigger occupies on its event. */
export type TriggerType =
  'TRACE_ONOFF' | 'SNAPSHOT' | 'STACKTRACE' | 'EVENT_ENABLE' | 'HIST_ENABLE';

/** The trigger_type of a command (traceon and traceoff share ETT_TRACE_ONOFF). */
export function triggerType(kind: TriggerCommand['kind']): TriggerType {
  switch (kind) {
    case 'traceon':
    case 'traceoff':
      return 'TRACE_ONOFF';
    case 'snapshot':
      return 'SNAPSHOT';
    case 'stacktrace':
      return 'STACKTRACE';
    case 'enable_event':
    case 'disable_event':
      return 'EVENT_ENABLE';
    case 'enable_hist':
    case 'disable_hist':
      return 'HIST_ENABLE';
  }
}

/**
 * register_trigger / event_enable_register_trigger and their unregister twins compare triggers
 * by type only (plus the target event for the enable/disable family). True means registering
 * `b` while `a` exists fails with -EEXIST, and `!b` removes `a` -- so `!traceoff` removes a
 * traceon trigger, and `traceon` cannot be added next to `traceoff`.
 */
export function sameTriggerSlot(a: TriggerCommand, b: TriggerCommand): boolean {
  if (triggerType(a.kind) !== triggerType(b.kind)) return false;
  if ('system' in a && 'system' in b) return a.system === b.system && a.event === b.event;
  return true;
}
