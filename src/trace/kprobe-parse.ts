/**
 * Parser for lines written to `kprobe_events` (and the kprobe lines of `dynamic_events`),
 * modelling kernel/trace/trace_kprobe.c `trace_kprobe_create_internal` (a.k.a.
 * `__trace_kprobe_create`) and `create_or_delete_trace_kprobe`, the helpers in
 * kernel/trace/trace_probe.c (`traceprobe_parse_event_name`, `traceprobe_split_symbol_offset`,
 * `traceprobe_parse_probe_arg`, `traceprobe_parse_probe_arg_body`, `parse_probe_arg`,
 * `parse_probe_vars`), kernel/trace/trace_dynevent.c `dyn_event_release` for `-:` lines, and
 * kernel/trace/trace.c `trace_parse_run_command` for splitting a write into lines.
 *
 * Syntax (from the comment at the top of trace_kprobe_create_internal):
 *
 *     p[:[GRP/][EVENT]] [MOD:]SYM[+offs]|MEMADDR [FETCHARGS]
 *     r[MAXACTIVE][:[GRP/][EVENT]] [MOD:]SYM[+0] [FETCHARGS]
 *     p[:[GRP/][EVENT]] [MOD:]SYM[+0]%return [FETCHARGS]
 *     -:[GRP/][EVENT]
 *
 * What the parser deliberately leaves to the caller (it needs kernel state):
 * - whether SYM exists. See {@link KPROBE_UNKNOWN_SYMBOL_ERRNO} for the errno, or pass
 *   `isKnownSymbol` in {@link KprobeParseOptions} to get it at the kernel's point in the checks.
 * - whether an `@SYM` fetch argument resolves ({@link referencedSymbols}; -ENOENT from
 *   traceprobe_update_arg at registration time).
 * - -EEXIST/-EBUSY from register_trace_kprobe / unregister_trace_kprobe, and -ENOENT when a
 *   `-:` line matches no event (dyn_event_release starts from `ret = -ENOENT`).
 *
 * Modelled kernel: x86_64 v6.8 (the kernel the rest of the simulator models), with
 * CONFIG_PROBE_EVENTS_BTF_ARGS=y but no vmlinux BTF loaded, so BTF-only syntax (`$arg*`, bare
 * parameter names) fails the way it does on such a kernel. One deliberate exception: more than
 * MAX_TRACE_ARGS fetch arguments is -E2BIG, as in mainline since 57faaa04804c (2025); v6.8
 * silently ignored the arguments past the 128th.
 */
import {
  byteLength,
  isKernelAlpha,
  isKernelDigit,
  kstrtol,
  kstrtoul,
  kstrtouint,
  simpleStrtoul,
} from './value-parse';

/**
 * Errno names the tracefs parsers can return. Most syntax errors are EINVAL; the others are
 * real kernel quirks documented where they arise (E2BIG for too many probe arguments, ERANGE from
 * kstrtox overflow, EPERM/ENOENT/ESRCH leaking out of the event-filter parser, EOPNOTSUPP for
 * BTF-only probe syntax on a kernel without BTF).
 */
export type ParseErrno =
  'EINVAL' | 'E2BIG' | 'ENOENT' | 'ERANGE' | 'EPERM' | 'ESRCH' | 'EOPNOTSUPP';

/** Result of a tracefs parser: the parsed value, or the errno the kernel's write(2) returns. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ParseErrno; readonly reason: string };

/** One fetch argument as the kernel keeps it: its field name and the text after `NAME=`. */
export interface KprobeFetchArg {
  /** Field name: the explicit NAME, or the generated "argN". */
  readonly name: string;
  /** The argument text the kernel prints back (`probe_arg->comm`). */
  readonly comm: string;
}

/** A parsed `kprobe_events` line. */
export type KprobeCommand =
  | {
      readonly kind: 'add';
      /** 'r' for `r...` lines and for `p ... SYM%return`. */
      readonly type: 'p' | 'r';
      readonly group: string;
      readonly event: string;
      /** `[MOD:]SYM` as the kernel stores it ('' for a MEMADDR probe). */
      readonly symbol: string;
      readonly offset: number;
      /** Present only for `rN...` lines. */
      readonly maxactive?: number;
      /** The raw FETCHARGS words, in order. */
      readonly args: readonly string[];
      /** The FETCHARGS as `name=comm` pairs, in order (what `kprobe_events` shows). */
      readonly fetchArgs: readonly KprobeFetchArg[];
      /** Present only for a MEMADDR probe. */
      readonly address?: bigint;
    }
  | {
      readonly kind: 'remove';
      /** undefined: remove matching events in every group. */
      readonly group: string | undefined;
      readonly event: string;
      /** Extra words after `-:EVENT`: only an event whose command starts with these matches. */
      readonly matchArgs?: readonly string[];
    };

/** The default group of kprobe events (KPROBE_EVENT_SYSTEM). */
export const KPROBE_DEFAULT_GROUP = 'kprobes';

/**
 * MAX_EVENT_NAME_LEN (kernel/trace/trace.h): a group is at most 63 characters; an event name at
 * most 64 in v6.8 (`len > MAX_EVENT_NAME_LEN`; mainline tightened it to 63 in 2025).
 */
export const MAX_EVENT_NAME_LEN = 64;
/** MAX_TRACE_ARGS (kernel/trace/trace_probe.h). */
export const MAX_TRACE_ARGS = 128;
/** MAX_ARGSTR_LEN: longest fetch-argument body. */
export const MAX_ARGSTR_LEN = 63;
/** MAX_ARG_NAME_LEN: longest fetch-argument name. */
export const MAX_ARG_NAME_LEN = 32;
/** MAX_ARRAY_LEN: largest `TYPE[N]`. */
export const MAX_ARRAY_LEN = 64;
/** KRETPROBE_MAXACTIVE_MAX (trace_kprobe.c). */
export const KRETPROBE_MAXACTIVE_MAX = 4096;
/** WRITE_BUFSIZE (trace.c): trace_parse_run_command reads writes in chunks of this size. */
export const WRITE_BUFSIZE = 4096;

/**
 * The errno a `kprobe_events` write returns when SYM is not in kallsyms (ask
 * {@link isKnownSymbol}): -ENOENT in the modelled v6.8. There, __trace_kprobe_create() counts the
 * symbols with number_of_same_symbols() (b022f0c7e404, v6.6) for a SYM without `MOD:` and fails
 * with -ENOENT for none (-EADDRNOTAVAIL for several) right after the %return/offset checks.
 * Older kernels got the same -ENOENT later, from register_kprobe() -> kprobe_addr(). Since
 * 9d8616034f16 "tracing/kprobes: Add symbol counting check when module loads" (v6.11, and
 * 6.10.y) validate_probe_symbol() still returns -ENOENT but the caller turns it into -EINVAL.
 * A `MOD:SYM` is not counted in v6.8: if the module is not loaded the probe is accepted and
 * waits for it; if it is, register_kprobe() decides (-ENOENT).
 */
export const KPROBE_UNKNOWN_SYMBOL_ERRNO: ParseErrno = 'ENOENT';

/**
 * A stand-in for /proc/kallsyms: function names of an x86_64 6.x kernel that the simulator lets
 * kprobes attach to, then (after `_sdata`-style markers) the data symbols `@SYM` fetch
 * arguments may name.
 */
const KALLSYMS: readonly string[] = Object.freeze([
  // scheduler and process lifecycle
  'schedule',
  'schedule_timeout',
  'try_to_wake_up',
  'wake_up_process',
  'wake_up_new_task',
  'finish_task_switch',
  'kernel_clone',
  'copy_process',
  'do_exit',
  'do_group_exit',
  'do_nanosleep',
  'hrtimer_nanosleep',
  // exec
  'do_execveat_common',
  'bprm_execve',
  'load_elf_binary',
  // files and the VFS
  'do_sys_open',
  'do_sys_openat2',
  'do_filp_open',
  'path_openat',
  'vfs_open',
  'vfs_read',
  'vfs_write',
  'vfs_fsync',
  'vfs_unlink',
  'vfs_rename',
  'vfs_mkdir',
  'vfs_rmdir',
  'ksys_read',
  'ksys_write',
  'getname',
  'putname',
  'd_alloc',
  'dput',
  'iput',
  'inode_permission',
  'security_file_open',
  'security_inode_permission',
  // syscall entry points
  '__x64_sys_openat',
  '__x64_sys_open',
  '__x64_sys_read',
  '__x64_sys_write',
  '__x64_sys_close',
  '__x64_sys_execve',
  '__x64_sys_clone',
  '__x64_sys_exit_group',
  // tracefs / eventfs
  'tracefs_create_file',
  'tracefs_create_dir',
  'eventfs_create_dir',
  'eventfs_create_events_dir',
  // memory
  'kmem_cache_alloc',
  'kmem_cache_free',
  'kfree',
  '__kmalloc',
  'handle_mm_fault',
  'exc_page_fault',
  // block and network
  'submit_bio',
  'blk_mq_submit_bio',
  'tcp_sendmsg',
  'tcp_recvmsg',
  'tcp_v4_connect',
  'inet_csk_accept',
  'udp_sendmsg',
  'sock_sendmsg',
  'ip_rcv',
  'ip_output',
  'dev_queue_xmit',
  '__netif_receive_skb',
  // locking
  'mutex_lock',
  'mutex_unlock',
  // data symbols (for @SYM fetch arguments): see KALLSYMS_DATA
  'jiffies',
  'jiffies_64',
  '_sdata',
  '_stext',
  'init_task',
  'nr_cpu_ids',
]);

/** The data symbols at the end of {@link KALLSYMS}. */
const KALLSYMS_DATA: ReadonlySet<string> = new Set([
  'jiffies',
  'jiffies_64',
  '_sdata',
  '_stext',
  'init_task',
  'nr_cpu_ids',
]);

const KNOWN_SYMBOLS: ReadonlySet<string> = new Set(KALLSYMS);

/** The text (function) symbols of the kallsyms stand-in, in its order. */
export const KALLSYMS_TEXT: readonly string[] = Object.freeze(
  KALLSYMS.filter((s) => !KALLSYMS_DATA.has(s)),
);

/**
 * True when `sym` is in the simulator's bundled kallsyms stand-in (a fixed set of real x86_64
 * kernel function and data symbol names). Accepts a bare name only; strip `MOD:` yourself.
 */
export function isKnownSymbol(sym: string): boolean {
  return KNOWN_SYMBOLS.has(sym);
}

function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

function fail<T>(code: ParseErrno, reason: string): ParseResult<T> {
  return { ok: false, code, reason };
}

/**
 * argv_split() (lib/argv_split.c): words separated by runs of isspace(); no quoting, no escapes.
 */
export function argvSplit(s: string): string[] {
  return s.split(/[ \t\n\v\f\r]+/).filter((w) => w.length > 0);
}

/**
 * trace_parse_run_command: a write is cut at every '\n'; each piece has everything from its
 * first '#' on removed and is then handed to the create function, even when it is empty (an
 * empty or comment-only line is a no-op). A final piece without '\n' is a line too; nothing
 * follows a trailing '\n'.
 */
export function splitCommands(text: string): string[] {
  if (text.length === 0) return [];
  const pieces = text.split('\n');
  if (text.endsWith('\n')) pieces.pop();
  return pieces.map(stripComment);
}

/** What trace_parse_run_command does with one write: the lines it runs and whether it stops. */
export interface CommandBuffer {
  /** Lines (comments stripped) that reach the create function, in order. */
  readonly lines: readonly string[];
  /**
   * True when a line does not fit in the WRITE_BUFSIZE chunk ("Line length is too long"): the
   * lines before it have already run, and the write then fails with -EINVAL.
   */
  readonly tooLong: boolean;
}

/**
 * {@link splitCommands} plus the WRITE_BUFSIZE limit of trace_parse_run_command: a line followed
 * by more data must fit, with its '\n', in WRITE_BUFSIZE - 1 bytes; the last line, in
 * WRITE_BUFSIZE - 1 bytes. Each line still stops the write at its first error (the caller runs
 * them one by one).
 */
export function splitCommandBuffer(text: string): CommandBuffer {
  const pieces = text.length === 0 ? [] : text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) pieces.pop();
  const lines: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] ?? '';
    const followed = i < pieces.length - 1 || endsWithNewline;
    if (byteLength(piece) + (followed ? 1 : 0) > WRITE_BUFSIZE - 1) {
      return { lines, tooLong: true };
    }
    lines.push(stripComment(piece));
  }
  return { lines, tooLong: false };
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return hash === -1 ? line : line.slice(0, hash);
}

/** The kernel's is_good_name(): [A-Za-z_][A-Za-z0-9_]* (event, group-less, field names). */
export function isGoodName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/**
 * is_good_system_name() (trace.h, since v6.6): like is_good_name() but '-' is also allowed, so
 * groups such as "my-group" work.
 */
export function isGoodSystemName(name: string): boolean {
  return /^[A-Za-z_-][A-Za-z0-9_-]*$/.test(name);
}

/**
 * sanitize_event_name(): ':' and '.' become '_' in generated event names (so "MOD:SYM" and
 * "func.isra.0" give valid names). The loop starts at the second character, which is harmless
 * because the first one is always 'p' or 'r'.
 */
function sanitizeEventName(name: string): string {
  return name.slice(0, 1) + name.slice(1).replace(/[:.]/g, '_');
}

/** snprintf(buf, MAX_EVENT_NAME_LEN, ...) keeps at most MAX_EVENT_NAME_LEN - 1 characters. */
function truncateName(name: string): string {
  return name.slice(0, MAX_EVENT_NAME_LEN - 1);
}

/**
 * traceprobe_parse_event_name(): `[GRP/][EVENT]` (or `GRP.EVENT`). Returns the group (undefined:
 * keep the default) and the event (undefined: generate one).
 */
function parseEventName(
  spec: string,
): ParseResult<{ group: string | undefined; event: string | undefined }> {
  let slash = spec.indexOf('/');
  if (slash === -1) slash = spec.indexOf('.');
  let group: string | undefined;
  let event = spec;
  if (slash !== -1) {
    if (slash === 0) return fail('EINVAL', 'NO_GROUP_NAME: group name is empty');
    if (slash + 1 > MAX_EVENT_NAME_LEN) {
      return fail('EINVAL', 'GROUP_TOO_LONG: group name is too long');
    }
    group = spec.slice(0, slash);
    if (!isGoodSystemName(group)) {
      return fail('EINVAL', `BAD_GROUP_NAME: "${group}" is not a valid group name`);
    }
    event = spec.slice(slash + 1);
  }
  if (event.length === 0) {
    // "GRP/" alone asks for a generated event name in that group.
    if (slash !== -1) return ok({ group, event: undefined });
    return fail('EINVAL', 'NO_EVENT_NAME: event name is empty');
  }
  // v6.8: len > MAX_EVENT_NAME_LEN (mainline has used len >= MAX_EVENT_NAME_LEN since 2025).
  if (event.length > MAX_EVENT_NAME_LEN) {
    return fail('EINVAL', 'EVENT_TOO_LONG: event name is too long');
  }
  if (!isGoodName(event)) {
    return fail('EINVAL', `BAD_EVENT_NAME: "${event}" is not a valid event name`);
  }
  return ok({ group, event });
}

/**
 * traceprobe_split_symbol_offset(): everything from the first '+' or '-' is an offset for
 * kstrtol(.., 0, ..) (which takes the sign).
 */
function splitSymbolOffset(spec: string): ParseResult<{ symbol: string; offset: bigint }> {
  const at = spec.search(/[+-]/);
  if (at === -1) return ok({ symbol: spec, offset: 0n });
  const r = kstrtol(spec.slice(at), 0);
  if (!r.ok) return r;
  return ok({ symbol: spec.slice(0, at), offset: r.value });
}

/** PARAM_MAX_STACK = THREAD_SIZE / sizeof(long) = 16 KiB / 8 on x86_64. */
const PARAM_MAX_STACK = 2048n;

/** FETCH_INSN_MAX (trace_probe.h): instructions per fetch argument, the last one FETCH_OP_END. */
const FETCH_INSN_MAX = 16;

/** x86_64 regoffset_table (arch/x86/kernel/ptrace.c), matched case-sensitively. */
const X86_64_REGS: ReadonlySet<string> = new Set([
  'r15',
  'r14',
  'r13',
  'r12',
  'r11',
  'r10',
  'r9',
  'r8',
  'bx',
  'cx',
  'dx',
  'si',
  'di',
  'bp',
  'ax',
  'orig_ax',
  'ip',
  'cs',
  'flags',
  'sp',
  'ss',
]);

/** probe_fetch_types[] (trace_probe.c) with their sizes in bytes. */
const FETCH_TYPE_SIZES: ReadonlyMap<string, number> = new Map([
  ['string', 4],
  ['ustring', 4],
  ['symstr', 4],
  ['u8', 1],
  ['u16', 2],
  ['u32', 4],
  ['u64', 8],
  ['s8', 1],
  ['s16', 2],
  ['s32', 4],
  ['s64', 8],
  ['x8', 1],
  ['x16', 2],
  ['x32', 4],
  ['x64', 8],
  ['char', 1],
  ['symbol', 8],
]);

/** Names a fetch argument may not take (reserved_field_names[] in trace_probe.c). */
const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  'common_type',
  'common_flags',
  'common_preempt_count',
  'common_pid',
  'common_tgid',
  '__probe_ip',
  '__probe_ret_ip',
  '__probe_func',
]);

type FetchOp =
  'REG' | 'STACK' | 'STACKP' | 'RETVAL' | 'COMM' | 'ARG' | 'IMM' | 'DATA' | 'DEREF' | 'UDEREF';

interface ArgContext {
  /** TPARG_FL_RETURN: a symbol-based return probe (needed for $retval). */
  readonly isReturn: boolean;
  /** tparg_is_function_entry(): a symbol-based, non-return probe at the function entry. */
  readonly funcEntry: boolean;
}

/** find_fetch_type(): the size of TYPE, or undefined when the kernel has no such type. */
function findFetchTypeSize(type: string | undefined): number | undefined {
  const t = type ?? 'u64'; // DEFAULT_FETCH_TYPE_STR on 64-bit kernels
  if (t.startsWith('b')) {
    const slash = t.indexOf('/');
    if (slash === -1) return undefined;
    const r = kstrtoul(t.slice(slash + 1), 0);
    if (!r.ok) return undefined;
    const bits = Number(r.value);
    return bits === 8 || bits === 16 || bits === 32 || bits === 64 ? bits / 8 : undefined;
  }
  return FETCH_TYPE_SIZES.get(t);
}

/**
 * parse_probe_arg(): the recursive fetch-argument grammar. `pos` is the index of the current
 * fetch instruction; each dereference needs one more and FETCH_INSN_MAX bounds them all.
 */
function parseProbeArg(
  arg: string,
  ctx: ArgContext,
  pos: number,
  symbols: string[],
): ParseResult<{ op: FetchOp; pos: number }> {
  const end = FETCH_INSN_MAX - 1;
  const next = (p: number): ParseResult<number> =>
    p + 1 === end ? fail('EINVAL', 'TOO_MANY_OPS: too many dereferences') : ok(p + 1);
  const c0 = arg[0];
  switch (c0) {
    case '$': {
      const r = parseProbeVars(arg.slice(1), ctx);
      return r.ok ? ok({ op: r.value, pos }) : r;
    }
    case '%': {
      if (!X86_64_REGS.has(arg.slice(1))) {
        return fail('EINVAL', `BAD_REG_NAME: no register "${arg.slice(1)}" on x86_64`);
      }
      return ok({ op: 'REG', pos });
    }
    case '@': {
      let p = pos;
      if (isKernelDigit(arg[1])) {
        const r = kstrtoul(arg.slice(1), 0);
        if (!r.ok) return fail('EINVAL', `BAD_MEM_ADDR: "${arg}" is not an address`);
      } else if (arg[1] === '+') {
        return fail('EINVAL', 'FILE_ON_KPROBE: file offsets (@+OFFS) are for uprobes only');
      } else {
        // @SYM[+|-offs]: resolved by traceprobe_update_arg() when the probe is registered.
        const sym = arg.slice(1);
        const split = splitSymbolOffset(sym);
        if (!split.ok) return fail('EINVAL', `bad offset in "@${sym}"`);
        symbols.push(split.value.symbol);
        const q = next(p);
        if (!q.ok) return q;
        p = q.value;
      }
      const q = next(p);
      if (!q.ok) return q;
      return ok({ op: 'DEREF', pos: q.value });
    }
    case '+':
    case '-': {
      let rest = arg;
      let op: FetchOp = 'DEREF';
      if (rest[1] === 'u') {
        op = 'UDEREF';
        rest = c0 + rest.slice(2);
      }
      if (rest[0] === '+') rest = rest.slice(1); // kstrtol() would reject the '+'
      const open = rest.indexOf('(');
      if (open === -1) return fail('EINVAL', `DEREF_NEED_BRACE: "${arg}" needs "("`);
      if (!kstrtol(rest.slice(0, open), 0).ok) {
        return fail('EINVAL', `BAD_DEREF_OFFS: bad dereference offset in "${arg}"`);
      }
      const inner = rest.slice(open + 1);
      // strrchr(')'): whatever follows the last ')' is silently dropped.
      const close = inner.lastIndexOf(')');
      if (close === -1) return fail('EINVAL', `DEREF_OPEN_BRACE: "${arg}" has no ")"`);
      const r = parseProbeArg(inner.slice(0, close), ctx, pos, symbols);
      if (!r.ok) return r;
      if (r.value.op === 'COMM' || r.value.op === 'DATA') {
        return fail(
          'EINVAL',
          'COMM_CANT_DEREF: $comm and immediate strings cannot be dereferenced',
        );
      }
      const q = next(r.value.pos);
      if (!q.ok) return q;
      return ok({ op, pos: q.value });
    }
    case '\\': {
      if (arg[1] === '"') {
        // __parse_imm_string() only checks the last character, so a bare \" passes too.
        if (arg.length > 2 && !arg.endsWith('"')) {
          return fail('EINVAL', 'IMMSTR_NO_CLOSE: immediate string needs a closing quote');
        }
        return ok({ op: 'DATA', pos });
      }
      const imm = arg.slice(1);
      let r: ParseResult<bigint>;
      if (isKernelDigit(imm[0])) r = kstrtoul(imm, 0);
      else if (imm[0] === '-') r = kstrtol(imm, 0);
      else if (imm[0] === '+') r = kstrtol(imm.slice(1), 0);
      else r = fail('EINVAL', 'no digits');
      if (!r.ok) return fail('EINVAL', `BAD_IMM: "${arg}" is not an immediate value`);
      return ok({ op: 'IMM', pos });
    }
    default:
      if (isKernelAlpha(c0) || c0 === '_') {
        if (!ctx.funcEntry) {
          return fail('EINVAL', 'NOSUP_BTFARG: BTF arguments need a function-entry probe');
        }
        // parse_btf_arg() without vmlinux BTF: NOSUP_BTFARG, -EOPNOTSUPP.
        return fail('EOPNOTSUPP', `NOSUP_BTFARG: no BTF to resolve "${arg}"`);
      }
      return fail('EINVAL', `BAD_FETCH_ARG: "${arg}" is not a fetch argument`);
  }
}

/** parse_probe_vars(): the `$` variables. */
function parseProbeVars(v: string, ctx: ArgContext): ParseResult<FetchOp> {
  if (v === 'retval') {
    return ctx.isReturn
      ? ok('RETVAL')
      : fail('EINVAL', 'RETVAL_ON_PROBE: $retval is only for return probes');
  }
  if (v.startsWith('stack')) {
    const rest = v.slice(5);
    if (rest === '') return ok('STACKP');
    if (isKernelDigit(rest[0])) {
      const r = kstrtoul(rest, 10);
      if (!r.ok) return fail('EINVAL', `BAD_VAR: "$${v}"`);
      if (r.value > PARAM_MAX_STACK) return fail('EINVAL', `BAD_STACK_NUM: "$${v}" is too deep`);
      return ok('STACK');
    }
    return fail('EINVAL', `BAD_VAR: "$${v}"`);
  }
  if (v === 'comm' || v === 'COMM') return ok('COMM');
  // $argN needs CONFIG_HAVE_FUNCTION_ARG_ACCESS_API (x86 has it) and, in v6.8, a probe on the
  // function entry ($argN from return probes came in v6.9).
  if (v.startsWith('arg') && ctx.funcEntry) {
    const r = kstrtoul(v.slice(3), 10);
    if (!r.ok) return fail('EINVAL', `BAD_VAR: "$${v}"`);
    if (r.value === 0n || r.value > PARAM_MAX_STACK) {
      return fail('EINVAL', `BAD_ARG_NUM: "$${v}" is out of range`);
    }
    return ok('ARG');
  }
  return fail('EINVAL', `BAD_VAR: "$${v}" is not a probe variable`);
}

/** traceprobe_parse_probe_arg_body(): TYPE suffix, arrays, bitfields, and the store checks. */
function parseProbeArgBody(
  body: string,
  ctx: ArgContext,
  symbols: string[],
): ParseResult<undefined> {
  if (body.length > MAX_ARGSTR_LEN) return fail('EINVAL', 'ARG_TOO_LONG: argument is too long');
  if (body.length === 0) return fail('EINVAL', 'NO_ARG_BODY: argument is empty');
  let arg = body;
  let type: string | undefined;
  let count = 0;
  const colon = body.indexOf(':');
  if (colon !== -1) {
    arg = body.slice(0, colon);
    type = body.slice(colon + 1);
    const bracket = type.indexOf('[');
    if (bracket !== -1) {
      const inside = type.slice(bracket + 1);
      const close = inside.indexOf(']');
      if (close === -1) return fail('EINVAL', 'ARRAY_NO_CLOSE: array needs "]"');
      if (close !== inside.length - 1) {
        return fail('EINVAL', 'BAD_ARRAY_SUFFIX: nothing may follow "]"');
      }
      const n = kstrtouint(inside.slice(0, close), 0);
      if (!n.ok || n.value === 0) return fail('EINVAL', 'BAD_ARRAY_NUM: bad array size');
      if (n.value > MAX_ARRAY_LEN) return fail('EINVAL', 'ARRAY_TOO_BIG: array is too big');
      count = n.value;
      type = type.slice(0, bracket);
    }
  }
  let typeName: string;
  if (arg === '$comm' || arg === '$COMM' || arg.startsWith('\\"')) {
    if (count !== 0 || (type !== undefined && type !== 'string')) {
      return fail('EINVAL', 'NEED_STRING_TYPE: $comm and immediate strings are strings');
    }
    typeName = 'string';
  } else {
    typeName = type ?? 'u64';
  }
  const size = findFetchTypeSize(typeName);
  if (size === undefined) return fail('EINVAL', `BAD_TYPE: unknown type "${typeName}"`);

  const parsed = parseProbeArg(arg, ctx, 0, symbols);
  if (!parsed.ok) return parsed;
  let { pos } = parsed.value;
  const { op } = parsed.value;
  const end = FETCH_INSN_MAX - 1;
  const bump = (): boolean => {
    pos++;
    return pos < end;
  };
  const tooMany = fail<undefined>('EINVAL', 'TOO_MANY_OPS: too many fetch instructions');

  // Store operation.
  let storesMemory: boolean;
  if (typeName === 'string' || typeName === 'ustring' || typeName === 'symstr') {
    if (typeName === 'symstr') {
      if (!['REG', 'STACK', 'RETVAL', 'ARG', 'DEREF'].includes(op)) {
        return fail('EINVAL', 'BAD_SYMSTRING: symstr needs a register, stack, arg or memory');
      }
    } else if (!['DEREF', 'UDEREF', 'IMM', 'COMM', 'DATA'].includes(op)) {
      return fail('EINVAL', 'BAD_STRING: string needs a dereference, immediate or $comm');
    }
    if (typeName === 'symstr' || op === 'IMM' || op === 'COMM' || op === 'DATA' || count !== 0) {
      if (!bump()) return tooMany;
    }
    storesMemory = true;
  } else if (op === 'DEREF' || op === 'UDEREF') {
    storesMemory = true;
  } else {
    if (!bump()) return tooMany;
    storesMemory = false;
  }

  // Bitfield modifier: b<width>@<offset>/<container size>.
  if (type?.startsWith('b')) {
    const w = simpleStrtoul(type.slice(1), 0);
    const afterW = type.slice(1 + w.end);
    if (w.value === 0n || afterW[0] !== '@') return fail('EINVAL', 'BAD_BITFIELD: bad bitfield');
    const o = simpleStrtoul(afterW.slice(1), 0);
    if (o.end === 0 || afterW[1 + o.end] !== '/') return fail('EINVAL', 'BAD_BITFIELD');
    if (!bump()) return fail('EINVAL', 'BAD_BITFIELD: no room for the bitfield operation');
    if (BigInt(size * 8) < w.value + o.value) return fail('EINVAL', 'BAD_BITFIELD: too wide');
  }

  // Array loop: only memory or string stores can repeat.
  if (count !== 0) {
    if (!storesMemory) return fail('EINVAL', 'BAD_STRING: arrays need a memory dereference');
    if (!bump()) return tooMany;
  }
  return ok(undefined);
}

/**
 * generate_probe_arg_name() with CONFIG_PROBE_EVENTS_BTF_ARGS=y: the text before ':' when it is a
 * good name, else "argN" (1-based).
 */
function generateArgName(arg: string, index: number): string {
  const colon = arg.indexOf(':');
  const head = colon === -1 ? arg : arg.slice(0, colon);
  return isGoodName(head) ? head : `arg${index + 1}`;
}

/** traceprobe_parse_probe_arg(): `[NAME=]BODY`, name checks, then the body. */
function parseFetchArg(
  raw: string,
  index: number,
  ctx: ArgContext,
  used: readonly KprobeFetchArg[],
  symbols: string[],
): ParseResult<KprobeFetchArg> {
  const eq = raw.indexOf('=');
  let name: string;
  let body: string;
  if (eq !== -1) {
    if (eq > MAX_ARG_NAME_LEN) return fail('EINVAL', 'ARG_NAME_TOO_LONG: argument name too long');
    if (eq === 0) return fail('EINVAL', 'NO_ARG_NAME: argument name is empty');
    name = raw.slice(0, eq);
    body = raw.slice(eq + 1);
  } else {
    name = generateArgName(raw, index);
    body = raw;
  }
  if (!isGoodName(name)) return fail('EINVAL', `BAD_ARG_NAME: "${name}" is not a valid name`);
  if (RESERVED_FIELD_NAMES.has(name) || used.some((a) => a.name === name)) {
    return fail('EINVAL', `USED_ARG_NAME: "${name}" is already used`);
  }
  const r = parseProbeArgBody(body, ctx, symbols);
  if (!r.ok) return r;
  return ok({ name, comm: body });
}

/** dyn_event_release(): `-:[GRP/]EVENT [match words...]`. */
function parseRemove(line: string): ParseResult<KprobeCommand> {
  const argv = argvSplit(line);
  const head = argv[0] ?? '';
  if (head[1] !== ':') return fail('EINVAL', 'a removal must start with "-:"');
  let event = head.slice(2);
  let group: string | undefined;
  const slash = event.indexOf('/');
  if (slash !== -1) {
    group = event.slice(0, slash);
    event = event.slice(slash + 1);
  }
  // dyn_event_release(): an empty name is EINVAL only without a group; `-:GRP/` parses and
  // then matches nothing (ENOENT from the caller).
  if (event.length === 0 && group === undefined) return fail('EINVAL', 'no event name to remove');
  const matchArgs = argv.slice(1);
  return ok(
    matchArgs.length > 0
      ? { kind: 'remove', group, event, matchArgs }
      : { kind: 'remove', group, event },
  );
}

/** Options for {@link parseKprobeLine}. */
export interface KprobeParseOptions {
  /**
   * kallsyms, for the probed SYM only. When given, the parser fails an unknown SYM with
   * {@link KPROBE_UNKNOWN_SYMBOL_ERRNO} at the point v6.8 does (before the event name and the
   * fetch arguments are looked at, and instead of BAD_RETPROBE, which kprobe_on_func_entry()
   * cannot report for a symbol it cannot find). Without it, SYM is not checked at all. `MOD:SYM`
   * is never checked here: v6.8 does not count module symbols at parse time.
   */
  readonly isKnownSymbol?: (sym: string) => boolean;
}

/**
 * Parse one `kprobe_events` line. Returns `null` for a line that is blank once its `#` comment
 * is removed. Errors are what the write(2) returns; -ECANCELED from the kernel (not a kprobe
 * line, too few words, a uprobe-looking target) is reported as EINVAL exactly as
 * create_or_delete_trace_kprobe() does.
 */
export function parseKprobeLine(
  line: string,
  options: KprobeParseOptions = {},
): ParseResult<KprobeCommand | null> {
  const text = stripComment(line);
  // create_or_delete_trace_kprobe() looks at the very first byte, before any word splitting.
  if (text[0] === '-') return parseRemove(text);
  const argv = argvSplit(text);
  if (argv.length === 0) return ok(null);
  return parseKprobeArgv(argv, options);
}

function parseKprobeArgv(
  argv: readonly string[],
  options: KprobeParseOptions,
): ParseResult<KprobeCommand> {
  const head = argv[0] ?? '';
  let isReturn: boolean;
  if (head[0] === 'r') isReturn = true;
  else if (head[0] === 'p') isReturn = false;
  else return fail('EINVAL', `"${head}" is not a kprobe command (ECANCELED -> EINVAL)`);
  if (argv.length < 2) return fail('EINVAL', 'missing probe point (ECANCELED -> EINVAL)');

  // event = strchr(&argv[0][1], ':'): anything between the type letter and ':' that is not a
  // MAXACTIVE number is silently ignored ("pfoo:ev" is "p:ev").
  const colon = head.indexOf(':', 1);
  const eventSpec = colon === -1 ? undefined : head.slice(colon + 1);

  let maxactive: number | undefined;
  if (isKernelDigit(head[1])) {
    if (!isReturn) return fail('EINVAL', 'BAD_MAXACT_TYPE: MAXACTIVE is for return probes only');
    const digits = colon === -1 ? head.slice(1) : head.slice(1, colon);
    if (digits.length > MAX_EVENT_NAME_LEN - 1) return fail('EINVAL', 'BAD_MAXACT');
    const r = kstrtouint(digits, 0);
    if (!r.ok || r.value === 0) return fail('EINVAL', `BAD_MAXACT: "${digits}"`);
    if (r.value > KRETPROBE_MAXACTIVE_MAX) return fail('EINVAL', 'MAXACT_TOO_BIG');
    maxactive = r.value;
  }

  const target = argv[1] ?? '';
  let symbol = '';
  let offset = 0n;
  let address: bigint | undefined;
  let symbolProbe = false;
  const addr = kstrtoul(target, 0);
  if (addr.ok) {
    address = addr.value;
  } else {
    if (target.includes('/') && target.includes(':')) {
      return fail('EINVAL', 'looks like a uprobe (ECANCELED -> EINVAL)');
    }
    let spec = target;
    const pct = spec.indexOf('%');
    if (pct !== -1) {
      if (spec.slice(pct) !== '%return') {
        return fail('EINVAL', 'BAD_ADDR_SUFFIX: only %return may follow the symbol');
      }
      spec = spec.slice(0, pct);
      isReturn = true;
    }
    const split = splitSymbolOffset(spec);
    if (!split.ok || split.value.offset < 0n || split.value.offset > 0xffffffffn) {
      return fail('EINVAL', `BAD_PROBE_ADDR: bad probe point "${target}"`);
    }
    symbol = split.value.symbol;
    offset = split.value.offset;
    symbolProbe = true;
    // kprobe_on_func_entry() answers -ENOENT (deferred) for a symbol it cannot find and -EINVAL
    // (BAD_RETPROBE) for a return probe away from the entry of one it can; then v6.8 counts the
    // symbol (number_of_same_symbols) unless it has a "MOD:" prefix.
    const known = options.isKnownSymbol;
    const isModuleSymbol = symbol.includes(':');
    if (known !== undefined && !isModuleSymbol && !known(symbol)) {
      return fail(KPROBE_UNKNOWN_SYMBOL_ERRNO, `BAD_PROBE_ADDR: no symbol "${symbol}"`);
    }
    const resolvable = known === undefined || isModuleSymbol ? true : known(symbol);
    if (isReturn && offset !== 0n && resolvable) {
      return fail('EINVAL', 'BAD_RETPROBE: return probes must be on the function entry');
    }
  }

  let group = KPROBE_DEFAULT_GROUP;
  let event: string | undefined;
  if (eventSpec !== undefined) {
    const r = parseEventName(eventSpec);
    if (!r.ok) return r;
    if (r.value.group !== undefined) group = r.value.group;
    event = r.value.event;
  }
  if (event === undefined) {
    const letter = isReturn ? 'r' : 'p';
    event =
      address === undefined
        ? sanitizeEventName(truncateName(`${letter}_${symbol}_${offset}`))
        : // "%c_0x%p": the kernel prints a hashed pointer; the model prints the address itself.
          truncateName(`${letter}_0x${address.toString(16).padStart(16, '0')}`);
  }

  const ctx: ArgContext = {
    isReturn: symbolProbe && isReturn,
    funcEntry: symbolProbe && !isReturn && offset === 0n,
  };
  const args = argv.slice(2);

  // traceprobe_expand_meta_args() / argv_has_var_arg(): "$arg" words before anything else.
  let sawArgStar = false;
  for (const a of args) {
    if (!a.startsWith('$arg')) continue;
    if (!ctx.funcEntry) {
      return fail('EINVAL', 'NOFENTRY_ARGS: $arg is only for function-entry probes');
    }
    if (isKernelDigit(a[4])) continue;
    if (a[4] !== '*') return fail('EINVAL', `BAD_VAR: "${a}"`);
    if (sawArgStar) return fail('EINVAL', 'DOUBLE_ARGS: "$arg*" given twice');
    sawArgStar = true;
  }
  if (sawArgStar) return fail('EINVAL', 'NOSUP_BTFARG: "$arg*" needs vmlinux BTF');
  if (args.length > MAX_TRACE_ARGS) {
    return fail('E2BIG', `TOO_MANY_ARGS: at most ${MAX_TRACE_ARGS} arguments`);
  }

  const fetchArgs: KprobeFetchArg[] = [];
  const symbols: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const r = parseFetchArg(args[i] ?? '', i, ctx, fetchArgs, symbols);
    if (!r.ok) return r;
    fetchArgs.push(r.value);
  }

  const cmd: KprobeCommand = {
    kind: 'add',
    type: isReturn ? 'r' : 'p',
    group,
    event,
    symbol,
    offset: Number(offset),
    args,
    fetchArgs,
    ...(maxactive === undefined ? {} : { maxactive }),
    ...(address === undefined ? {} : { address }),
  };
  return ok(cmd);
}

/**
 * The `@SYM` symbols a command's fetch arguments refer to. traceprobe_update_arg() resolves them
 * when the probe is registered and fails the write with -ENOENT for one kallsyms does not know.
 */
export function referencedSymbols(cmd: KprobeCommand): string[] {
  if (cmd.kind !== 'add') return [];
  const out: string[] = [];
  const walk = (arg: string): void => {
    if (arg.startsWith('@') && !isKernelDigit(arg[1]) && arg[1] !== '+') {
      const split = splitSymbolOffset(arg.slice(1));
      if (split.ok) out.push(split.value.symbol);
      return;
    }
    if (arg[0] === '+' || arg[0] === '-') {
      const open = arg.indexOf('(');
      const close = arg.lastIndexOf(')');
      if (open !== -1 && close > open) walk(arg.slice(open + 1, close));
    }
  };
  for (const a of cmd.fetchArgs) {
    const colon = a.comm.indexOf(':');
    walk(colon === -1 ? a.comm : a.comm.slice(0, colon));
  }
  return out;
}

/**
 * The line `kprobe_events` shows for an added probe (trace_kprobe_show(), without the trailing
 * '\n'): `p:GRP/EVENT SYM[+OFFS] name=comm...`, `r[MAXACTIVE]:...`, or `p:GRP/EVENT 0x...` for
 * an address (the kernel hashes that pointer; the model prints it as is).
 */
export function formatKprobeEvent(cmd: Extract<KprobeCommand, { kind: 'add' }>): string {
  let s = cmd.type;
  if (cmd.type === 'r' && cmd.maxactive !== undefined) s += String(cmd.maxactive);
  s += `:${cmd.group}/${cmd.event}`;
  if (cmd.address !== undefined) s += ` 0x${cmd.address.toString(16).padStart(16, '0')}`;
  else if (cmd.offset !== 0) s += ` ${cmd.symbol}+${cmd.offset}`;
  else s += ` ${cmd.symbol}`;
  for (const a of cmd.fetchArgs) s += ` ${a.name}=${a.comm}`;
  return s;
}
