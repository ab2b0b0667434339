/**
 * Parser for writes to the `set_event` file, modelling kernel/trace/trace_events.c:
 * `ftrace_event_write` (one whitespace-delimited token per write(2), read by `trace_get_user`
 * into a buffer of EVENT_BUF_SIZE + 1 bytes; a leading '!' clears instead of sets),
 * `ftrace_set_clr_event` (how the token is split) and `__ftrace_set_clr_event_nolock` (how it
 * is matched against the registered events).
 *
 * Token forms, exactly as ftrace_set_clr_event() reads them:
 *
 * - `SYSTEM:EVENT`      the event EVENT of system SYSTEM
 * - `SYSTEM:` `SYSTEM:*` every event of SYSTEM
 * - `*:EVENT` `:EVENT`  every event named EVENT, in any system
 * - `*:*` `:` `*:`     every event
 * - `NAME`              (no ':') every event whose *name* is NAME **and** every event whose
 *                       *system* is NAME: `match` is compared with both (strcmp), so
 *                       "sched" enables the whole sched system
 *
 * There is no globbing: '*' means "any" only when it is the whole SYSTEM or EVENT part; anywhere
 * else (including a bare `*`) it is compared literally and matches nothing. Splitting happens at
 * the first ':', so `a:b:c` looks for an event literally named "b:c".
 *
 * A token that matches no event makes the write fail with -EINVAL (`ret` starts as -EINVAL and
 * only a match changes it); the caller applies that rule using {@link matchEvents}. Events
 * without a `reg` callback or flagged TRACE_EVENT_FL_IGNORE_ENABLE (the "ftrace" system's
 * format-only events) are skipped by the kernel; pass `ignoreEnable: true` for those.
 *
 * Modelled kernel: v6.8. Not modelled: the `:mod:` module syntax of later kernels, and
 * writes split in the middle of a token (the `trace_parser` continuation state).
 */
import type { ParseResult } from './kprobe-parse';

/** EVENT_BUF_SIZE: the longest token set_event accepts (trace_get_user fails with -EINVAL). */
export const EVENT_BUF_SIZE = 127;

/**
 * One set_event token. `match` is set for a bare token (no ':'); otherwise `system`/`event` are
 * set, undefined meaning "any".
 */
export interface SetEventCommand {
  /** False when the token started with '!'. */
  readonly enable: boolean;
  /** SYSTEM part; undefined for '', '*' or a bare token. */
  readonly system?: string;
  /** EVENT part; undefined for '', '*' or a bare token. */
  readonly event?: string;
  /** A bare token, compared with both the system and the name of every event. */
  readonly match?: string;
}

/** An event as set_event sees it. */
export interface EventLike {
  readonly system: string;
  readonly name: string;
  /** TRACE_EVENT_FL_IGNORE_ENABLE or no `reg`: never matched by set_event. */
  readonly ignoreEnable?: boolean;
}

/** One token through ftrace_event_write() + ftrace_set_clr_event(). */
function parseToken(token: string): ParseResult<SetEventCommand> {
  if (token.length > EVENT_BUF_SIZE) {
    return {
      ok: false,
      code: 'EINVAL',
      reason: `trace_get_user: token longer than ${EVENT_BUF_SIZE} characters`,
    };
  }
  const enable = token[0] !== '!';
  const buf = enable ? token : token.slice(1);
  const colon = buf.indexOf(':');
  if (colon === -1) return { ok: true, value: { enable, match: buf } };
  const sub = buf.slice(0, colon);
  const ev = buf.slice(colon + 1);
  const value: SetEventCommand = {
    enable,
    ...(sub === '' || sub === '*' ? {} : { system: sub }),
    ...(ev === '' || ev === '*' ? {} : { event: ev }),
  };
  return { ok: true, value };
}

/** Split a write the way repeated trace_get_user() calls do: runs of isspace() separate tokens. */
function tokens(text: string): string[] {
  return text.split(/[ \t\n\v\f\r]+/).filter((t) => t.length > 0);
}

/**
 * What one write(2) to `set_event` does: ftrace_event_write() reads only the first token
 * (skipping leading blanks) and returns how much it consumed. `null` means the write held only
 * whitespace, which changes nothing (`echo > set_event` clears events through O_TRUNC at open
 * time, not through the write).
 */
export function parseSetEventLine(line: string): ParseResult<SetEventCommand | null> {
  const first = tokens(line)[0];
  if (first === undefined) return { ok: true, value: null };
  return parseToken(first);
}

/**
 * Every token of a buffer, as a writer that loops until everything is written (echo, printf)
 * would submit them: one result per token, in order. The caller applies them one by one and
 * stops at the first failure, as the write(2) loop does.
 */
export function parseSetEventWrite(text: string): ParseResult<SetEventCommand>[] {
  return tokens(text).map(parseToken);
}

/**
 * __ftrace_set_clr_event_nolock(): the events a command applies to, in catalog order. An empty
 * result means the write fails with -EINVAL.
 */
export function matchEvents<T extends EventLike>(
  cmd: SetEventCommand,
  catalogLike: Iterable<T>,
): T[] {
  const out: T[] = [];
  for (const ev of catalogLike) {
    if (ev.ignoreEnable === true || ev.name === '') continue;
    if (cmd.match !== undefined && cmd.match !== ev.name && cmd.match !== ev.system) continue;
    if (cmd.system !== undefined && cmd.system !== ev.system) continue;
    if (cmd.event !== undefined && cmd.event !== ev.name) continue;
    out.push(ev);
  }
  return out;
}

/**
 * The token that reproduces `cmd` (the inverse of parsing): `[!]SYSTEM:EVENT` with '*' for an
 * unset part, or `[!]NAME` for a bare token.
 */
export function formatSetEventCommand(cmd: SetEventCommand): string {
  const bang = cmd.enable ? '' : '!';
  if (cmd.match !== undefined) return bang + cmd.match;
  return `${bang}${cmd.system ?? '*'}:${cmd.event ?? '*'}`;
}
