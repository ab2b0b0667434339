/**
 * Parser/validator for event filters, modelling kernel/trace/trace_events_filter.c:
 * `apply_event_filter` (the `filter` file write), `create_filter` -> `process_preds` ->
 * `calc_stack` + `predicate_parse` + `parse_pred`, `filter_assign_type`, `append_filter_err` and
 * `print_event_filter` (what reading the file shows).
 *
 * Grammar accepted by predicate_parse()/parse_pred():
 *
 *     expr := term (('&&' | '||') term)*        '&&' binds tighter than '||'
 *     term := '!'* ( '(' expr ')' | FIELD[.ustring][.function] OP VALUE )
 *     OP   := '~' | '!=' | '==' | '<=' | '<' | '>=' | '>' | '&'
 *
 * - numeric fields take a number (kstrtoll/kstrtoull base 0: decimal, 0x hex, 0 octal, '-' only
 *   for signed fields) with ==, !=, <, <=, >, >=, &;
 * - string fields (`filter_assign_type`: "__data_loc ... char", "__rel_loc ... char",
 *   "char ...[N]", "char *", "const char *", and the `comm`/`COMM` pseudo-fields) take a *quoted*
 *   string ('..' or "..") with ==, != or ~ (glob). The kernel rejects unquoted strings with
 *   "Invalid value (did you forget quotes)?" -- the `comm != bash` example still printed in
 *   Documentation/trace/events.rst predates the 4.17 parser rewrite and fails today;
 * - `CPUS{list}` with ==, != or & on numeric, cpu and cpumask fields;
 * - `FIELD.function == SYMBOL|ADDR` on long-sized fields.
 *
 * Field lookup is trace_find_event_field(): the event's own fields, then the generic fields
 * (CPU, cpu, common_cpu, COMM, comm, stacktrace, STACKTRACE), then the common fields
 * (common_type, common_flags, common_preempt_count, common_pid).
 *
 * Modelled kernel: v6.8, whose parser (including CPUS{} from v6.6 and .function from v6.2) is the
 * one mainline still has.
 *
 * Kernel quirks kept on purpose:
 * - the text the file shows is the text that was written (minus trailing whitespace), never a
 *   re-rendering of the parse;
 * - a dangling `&&`/`||`/`!` at the very end is accepted and ignored;
 * - some failures return errnos other than EINVAL, because raw negative values leak out of the
 *   parser: unbalanced ')' and garbage after a predicate give -1 (EPERM), unbalanced '(' gives
 *   -2 (ENOENT), an unterminated quote -3 (ESRCH), and a predicate without a field name -1
 *   (EPERM). Whitespace-only text and "()" are EINVAL.
 */
import type { ParseErrno, ParseResult } from './kprobe-parse';
import { isKnownSymbol } from './kprobe-parse';
import {
  byteLength,
  cString,
  isKernelAlnum,
  isKernelDigit,
  isKernelSpace,
  kstrtoll,
  kstrtoul,
  kstrtoull,
  stripTrailingSpace,
  strim,
} from './value-parse';

/** A field of the event the filter is for (a line of its `format` file). */
export interface FilterFieldSpec {
  /** Field name; an array suffix such as `prev_comm[16]` is ignored. */
  readonly name: string;
  /** C type as the format file shows it ("pid_t", "char[16]", "__data_loc char[]", ...). */
  readonly type: string;
  /** `signed:` from the format file; guessed from `type` when absent. */
  readonly signed?: boolean;
  /** `size:` from the format file; guessed from `type` when absent. */
  readonly size?: number;
}

/** Filter operators, in the order parse_pred() tries them ('<=' before '<', ...). */
export type FilterOp = '~' | '!=' | '==' | '<=' | '<' | '>=' | '>' | '&';

const OPS: readonly FilterOp[] = ['~', '!=', '==', '<=', '<', '>=', '>', '&'];

/** The right-hand side of a predicate. */
export type FilterValue =
  | { readonly kind: 'number'; readonly value: bigint; readonly text: string }
  | {
      readonly kind: 'string';
      readonly value: string;
      readonly quote: '"' | "'";
      /** `~ "!pattern"`: filter_parse_regex() turns a leading '!' into a negated match. */
      readonly negate: boolean;
    }
  | { readonly kind: 'cpus'; readonly list: string }
  | { readonly kind: 'function'; readonly symbol?: string; readonly address?: bigint };

/** One `FIELD OP VALUE` predicate. */
export interface FilterPredicate {
  readonly kind: 'pred';
  readonly field: string;
  readonly op: FilterOp;
  readonly value: FilterValue;
  /** `FIELD.ustring`: the string pointer is a user-space address. */
  readonly ustring: boolean;
  /** `FIELD.function`: compare against a whole function's address range. */
  readonly function: boolean;
}

/** The logical structure of a filter. */
export type FilterNode =
  | FilterPredicate
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'and'; readonly operands: readonly FilterNode[] }
  | { readonly kind: 'or'; readonly operands: readonly FilterNode[] };

/** A parsed write to a `filter` file: a filter, or "0" (remove the filter). */
export type FilterAst =
  | { readonly kind: 'filter'; readonly source: string; readonly root: FilterNode }
  | { readonly kind: 'clear' };

/** {@link parseFilter}'s result: on failure, also what the `filter` file shows afterwards. */
export type FilterParseResult =
  | { readonly ok: true; readonly value: FilterAst }
  | {
      readonly ok: false;
      readonly code: ParseErrno;
      readonly reason: string;
      /**
       * apply_event_filter() installs a filter holding the error report even though the write
       * failed (and the event is then unfiltered): this is what reading `filter` returns.
       * Absent when nothing was installed (a write of PAGE_SIZE bytes or more).
       */
      readonly fileText?: string;
    };

/** Options for {@link parseFilter}. */
export interface FilterOptions {
  /** kallsyms lookup for `.function == SYMBOL`; defaults to {@link isKnownSymbol}. */
  readonly isKnownSymbol?: (sym: string) => boolean;
  /** nr_cpumask_bits for `CPUS{...}`: CPUs at or above it are -ERANGE (an invalid cpulist). */
  readonly nrCpus?: number;
}

/** event_filter_write() rejects writes of PAGE_SIZE bytes or more. */
export const FILTER_PAGE_SIZE = 4096;
/** MAX_FILTER_STR_VAL: longest string operand. */
export const MAX_FILTER_STR_VAL = 256;

/** err_text[] of trace_events_filter.c, by FILT_ERR_* name. */
const ERR_TEXT = {
  NONE: 'No error',
  INVALID_OP: 'Invalid operator',
  TOO_MANY_OPEN: "Too many '('",
  TOO_MANY_CLOSE: "Too few '('",
  MISSING_QUOTE: 'Missing matching quote',
  MISSING_BRACE_OPEN: "Missing '{'",
  MISSING_BRACE_CLOSE: "Missing '}'",
  OPERAND_TOO_LONG: 'Operand too long',
  EXPECT_STRING: 'Expecting string field',
  EXPECT_DIGIT: 'Expecting numeric field',
  ILLEGAL_FIELD_OP: 'Illegal operation for field type',
  FIELD_NOT_FOUND: 'Field not found',
  ILLEGAL_INTVAL: 'Illegal integer value',
  BAD_SUBSYS_FILTER: "Couldn't find or set field in one of a subsystem's events",
  TOO_MANY_PREDS: 'Too many terms in predicate expression',
  INVALID_FILTER: 'Meaningless filter expression',
  INVALID_CPULIST: 'Invalid cpulist',
  IP_FIELD_ONLY: "Only 'ip' field is supported for function trace",
  INVALID_VALUE: 'Invalid value (did you forget quotes)?',
  NO_FUNCTION: 'Function not found',
  ERRNO: 'Error',
  NO_FILTER: 'No filter found',
} as const;

/** A FILT_ERR_* name. */
export type FilterErrorKind = keyof typeof ERR_TEXT;

type FilterType =
  | 'OTHER'
  | 'STATIC_STRING'
  | 'DYN_STRING'
  | 'RDYN_STRING'
  | 'PTR_STRING'
  | 'CPUMASK'
  | 'COMM'
  | 'CPU'
  | 'STACKTRACE';

interface ResolvedField {
  readonly name: string;
  readonly filterType: FilterType;
  readonly signed: boolean;
  readonly size: number | undefined;
}

/** filter_assign_type(). */
function assignFilterType(type: string): FilterType {
  if (type.includes('__data_loc')) {
    if (type.includes('char')) return 'DYN_STRING';
    if (type.includes('cpumask_t')) return 'CPUMASK';
  }
  if (type.includes('__rel_loc') && type.includes('char')) return 'RDYN_STRING';
  if (type.includes('[') && type.includes('char')) return 'STATIC_STRING';
  if (type === 'char *' || type === 'const char *') return 'PTR_STRING';
  return 'OTHER';
}

function isStringField(f: ResolvedField): boolean {
  return (
    f.filterType === 'DYN_STRING' ||
    f.filterType === 'RDYN_STRING' ||
    f.filterType === 'STATIC_STRING' ||
    f.filterType === 'PTR_STRING' ||
    f.filterType === 'COMM'
  );
}

function normaliseType(type: string): string {
  return type
    .replace(/\b(const|volatile)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Best guess at is_signed_type() for a C type name, used when the format's `signed:` is absent. */
function guessSigned(type: string): boolean {
  const t = normaliseType(type);
  if (t.includes('*') || t.includes('[') || /\bunsigned\b/.test(t)) return false;
  return /^(signed )?(char|short|short int|int|long|long int|long long|long long int)$|^(__)?s(8|16|32|64)$|^int(8|16|32|64)_t$|^(pid_t|ssize_t|loff_t|off_t|time64_t|ktime_t|clock_t|time_t)$/.test(
    t,
  );
}

/** Best guess at sizeof() for a C type name (x86_64), used when the format's `size:` is absent. */
function guessSize(type: string): number | undefined {
  const t = normaliseType(type).replace(/^(signed|unsigned) /, '');
  if (t.includes('*')) return 8;
  if (
    /^(long|long int|long long|long long int|size_t|ssize_t|loff_t|(__)?[us]64|u?int64_t)$/.test(t)
  ) {
    return 8;
  }
  if (/^(int|(__)?[us]32|u?int32_t|pid_t|gfp_t)$/.test(t)) return 4;
  if (/^(short|short int|(__)?[us]16|u?int16_t)$/.test(t)) return 2;
  if (/^(char|bool|_Bool|(__)?[us]8|u?int8_t)$/.test(t)) return 1;
  return undefined;
}

/** ftrace_generic_fields: size 0 (they are not in the record), explicit filter types. */
const GENERIC_FIELDS: readonly ResolvedField[] = [
  { name: 'CPU', filterType: 'CPU', signed: true, size: 0 },
  { name: 'cpu', filterType: 'CPU', signed: true, size: 0 },
  { name: 'common_cpu', filterType: 'CPU', signed: true, size: 0 },
  { name: 'COMM', filterType: 'COMM', signed: false, size: 0 },
  { name: 'comm', filterType: 'COMM', signed: false, size: 0 },
  { name: 'stacktrace', filterType: 'STACKTRACE', signed: false, size: 0 },
  { name: 'STACKTRACE', filterType: 'STACKTRACE', signed: false, size: 0 },
];

/** ftrace_common_fields (struct trace_entry). */
const COMMON_FIELDS: readonly ResolvedField[] = [
  { name: 'common_type', filterType: 'OTHER', signed: false, size: 2 },
  { name: 'common_flags', filterType: 'OTHER', signed: false, size: 1 },
  { name: 'common_preempt_count', filterType: 'OTHER', signed: false, size: 1 },
  { name: 'common_pid', filterType: 'OTHER', signed: true, size: 4 },
];

function resolveFields(fields: readonly FilterFieldSpec[]): ResolvedField[] {
  return fields.map((f) => {
    const bracket = f.name.indexOf('[');
    return {
      name: bracket === -1 ? f.name : f.name.slice(0, bracket),
      filterType: assignFilterType(f.type),
      signed: f.signed ?? guessSigned(f.type),
      size: f.size ?? guessSize(f.type),
    };
  });
}

/** trace_find_event_field(): event fields, then generic, then common. */
function findField(name: string, fields: readonly ResolvedField[]): ResolvedField | undefined {
  return (
    fields.find((f) => f.name === name) ??
    GENERIC_FIELDS.find((f) => f.name === name) ??
    COMMON_FIELDS.find((f) => f.name === name)
  );
}

/** struct filter_parse_error. `pos` is a byte offset in the kernel; here a string index. */
interface ParseError {
  kind: FilterErrorKind;
  pos: number;
}

type Step<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly code: ParseErrno;
      readonly pe: ParseError;
      readonly reason: string;
    };

function stepOk<T>(value: T): Step<T> {
  return { ok: true, value };
}

function stepFail<T>(
  code: ParseErrno,
  kind: FilterErrorKind,
  pos: number,
  reason?: string,
): Step<T> {
  return { ok: false, code, pe: { kind, pos }, reason: reason ?? ERR_TEXT[kind] };
}

/** calc_stack(): quotes and parentheses, and whether there is any predicate at all. */
function calcStack(str: string): Step<{ preds: number }> {
  let isPred = false;
  let nrPreds = 0;
  let open = 1; // the whole expression counts as "(E)"
  let lastQuote = 0;
  let quote = '';
  let i = 0;
  for (; i < str.length; i++) {
    const c = str[i] ?? '';
    if (isKernelSpace(c)) continue;
    if (quote !== '') {
      if (c === quote) quote = '';
      continue;
    }
    let counts = true;
    switch (c) {
      case "'":
      case '"':
        quote = c;
        lastQuote = i;
        break;
      case '|':
      case '&':
        if (str[i + 1] !== c) break;
        isPred = false;
        counts = false;
        break;
      case '(':
        isPred = false;
        open++;
        counts = false;
        break;
      case ')':
        isPred = false;
        if (open === 1) return stepFail('EPERM', 'TOO_MANY_CLOSE', i); // TOO_MANY_CLOSE == -1
        open--;
        counts = false;
        break;
    }
    if (counts && !isPred) {
      nrPreds++;
      isPred = true;
    }
  }
  if (quote !== '') return stepFail('ESRCH', 'MISSING_QUOTE', lastQuote); // MISSING_QUOTE == -3
  if (open !== 1) {
    // Find the unmatched '(' scanning backwards; index 0 itself is never examined.
    let level = open;
    let q = '';
    for (i--; i > 0; i--) {
      const c = str[i] ?? '';
      if (q !== '') {
        if (c === q) q = '';
        continue;
      }
      if (c === '(') {
        if (level === open) return stepFail('ENOENT', 'TOO_MANY_OPEN', i); // TOO_MANY_OPEN == -2
        level--;
      } else if (c === ')') {
        level++;
      } else if (c === "'" || c === '"') {
        q = c;
      }
    }
    return stepFail('ENOENT', 'TOO_MANY_OPEN', 0);
  }
  return stepOk({ preds: nrPreds });
}

/** bitmap_parselist() as cpulist_parse() uses it: "0-3,8", "0-15:2/4", "N", "all". */
function cpulistValid(s: string, nbits: number): boolean {
  const last = nbits - 1;
  let i = 0;
  const endOfStr = (c: string | undefined): boolean => c === undefined || c === '\n';
  const endOfRegion = (c: string | undefined): boolean =>
    endOfStr(c) || isKernelSpace(c) || c === ',';
  const getnum = (): number | undefined => {
    if (s[i] === 'N') {
      i++;
      return last;
    }
    const start = i;
    while (isKernelDigit(s[i])) i++;
    if (i === start) return undefined;
    const n = Number(s.slice(start, i));
    return n > 0xffffffff ? undefined : n;
  };
  for (;;) {
    while (i < s.length && (isKernelSpace(s[i]) || s[i] === ',')) i++;
    if (endOfStr(s[i])) return true;
    let start: number | undefined;
    let end: number | undefined;
    let off: number | undefined;
    let group: number | undefined;
    if (s.slice(i, i + 3).toLowerCase() === 'all') {
      start = 0;
      end = last;
      i += 3;
    } else {
      start = getnum();
      if (start === undefined) return false;
      if (endOfRegion(s[i])) end = start;
      else {
        if (s[i] !== '-') return false;
        i++;
        end = getnum();
        if (end === undefined) return false;
      }
    }
    if (!endOfRegion(s[i])) {
      if (s[i] !== ':') return false;
      i++;
      off = getnum();
      if (off === undefined || s[i] !== '/') return false;
      i++;
      group = getnum();
      if (group === undefined) return false;
    } else {
      off = end + 1;
      group = end + 1;
    }
    if (start > end || group === 0 || off > group) return false;
    if (end >= nbits) return false;
  }
}

/** filter_parse_regex(): only the leading '!' (negation) matters for the model. */
function globNegated(pattern: string): boolean {
  return pattern.startsWith('!');
}

/**
 * parse_pred(): one `FIELD OP VALUE` starting at `start`. Returns the predicate and the index
 * just after it. Error positions follow the kernel (`pos + i` with `pos` one past the start).
 */
function parsePred(
  str: string,
  start: number,
  fields: readonly ResolvedField[],
  options: FilterOptions,
): Step<{ pred: FilterPredicate; end: number }> {
  const at = (i: number): number => i + 1;
  let i = start;
  while (isKernelSpace(str[i])) i++;
  const s0 = i;
  while (isKernelAlnum(str[i]) || str[i] === '_') i++;
  if (i === s0) {
    // `return -1` without parse_error(): the write fails with EPERM and the report says
    // "Error: (0)".
    return { ok: false, code: 'EPERM', pe: { kind: 'NONE', pos: 0 }, reason: 'no field name' };
  }
  const name = str.slice(s0, i);
  const field = findField(name, fields);
  if (field === undefined) {
    return stepFail('EINVAL', 'FIELD_NOT_FOUND', at(i), `Field not found: "${name}"`);
  }
  let ustring = false;
  let isFunction = false;
  if (str.startsWith('.ustring', i)) {
    ustring = true;
    i += '.ustring'.length;
  }
  if (str.startsWith('.function', i)) {
    isFunction = true;
    i += '.function'.length;
  }
  while (isKernelSpace(str[i])) i++;
  const op = OPS.find((o) => str.startsWith(o, i));
  if (op === undefined) return stepFail('EINVAL', 'INVALID_OP', at(i));
  i += op.length;
  while (isKernelSpace(str[i])) i++;
  let s = i;
  const mk = (value: FilterValue): Step<{ pred: FilterPredicate; end: number }> =>
    stepOk({
      pred: { kind: 'pred', field: field.name, op, value, ustring, function: isFunction },
      end: i,
    });

  if (isFunction) {
    if (field.size !== 8) return stepFail('EINVAL', 'ILLEGAL_FIELD_OP', at(i));
    if (op !== '==' && op !== '!=') return stepFail('EINVAL', 'INVALID_OP', at(i));
    if (isKernelDigit(str[i])) {
      while (isKernelAlnum(str[i])) i++;
      if (i - s >= 24) return stepFail('EINVAL', 'OPERAND_TOO_LONG', at(i));
      const r = kstrtoul(str.slice(s, i), 0);
      if (!r.ok) return stepFail('EINVAL', 'INVALID_VALUE', at(i));
      // kallsyms_lookup_size_offset() on the address is not modelled: any address is accepted.
      return mk({ kind: 'function', address: r.value });
    }
    s = i;
    while (i < str.length && !isKernelSpace(str[i])) i++;
    const sym = str.slice(s, i);
    const known = options.isKnownSymbol ?? isKnownSymbol;
    if (!known(sym))
      return stepFail('EINVAL', 'NO_FUNCTION', at(i), `Function not found: "${sym}"`);
    return mk({ kind: 'function', symbol: sym });
  }

  if (str.startsWith('CPUS', i)) {
    if (
      field.filterType !== 'CPUMASK' &&
      field.filterType !== 'CPU' &&
      field.filterType !== 'OTHER'
    ) {
      return stepFail('EINVAL', 'ILLEGAL_FIELD_OP', at(i));
    }
    if (op !== '==' && op !== '!=' && op !== '&')
      return stepFail('EINVAL', 'ILLEGAL_FIELD_OP', at(i));
    i += 4;
    if (str[i++] !== '{') return stepFail('EINVAL', 'MISSING_BRACE_OPEN', at(i));
    const maskStart = i;
    while (i < str.length && str[i] !== '}') i++;
    if (str[i] !== '}') return stepFail('EINVAL', 'MISSING_BRACE_CLOSE', at(i));
    if (maskStart === i) return stepFail('EINVAL', 'INVALID_CPULIST', at(i));
    const list = str.slice(maskStart, i);
    if (!cpulistValid(list, options.nrCpus ?? 64)) {
      return stepFail('EINVAL', 'INVALID_CPULIST', at(i));
    }
    i++;
    return mk({ kind: 'cpus', list });
  }

  const c = str[i];
  if (c === "'" || c === '"') {
    if (op !== '!=' && op !== '~' && op !== '==')
      return stepFail('EINVAL', 'ILLEGAL_FIELD_OP', at(i));
    if (!isStringField(field)) return stepFail('EINVAL', 'EXPECT_DIGIT', at(i));
    for (i++; i < str.length; i++) if (str[i] === c) break;
    if (i >= str.length) return stepFail('EINVAL', 'MISSING_QUOTE', at(i));
    s++; // skip the opening quote
    if (i - s >= MAX_FILTER_STR_VAL) return stepFail('EINVAL', 'OPERAND_TOO_LONG', at(i));
    const value = str.slice(s, i);
    i++; // past the closing quote
    return mk({ kind: 'string', value, quote: c, negate: op === '~' && globNegated(value) });
  }

  if (isKernelDigit(c) || c === '-') {
    if (isStringField(field)) return stepFail('EINVAL', 'EXPECT_STRING', at(i));
    if (op === '~') return stepFail('EINVAL', 'ILLEGAL_FIELD_OP', at(i));
    if (c === '-') i++;
    while (isKernelAlnum(str[i])) i++;
    if (i - s >= 24) return stepFail('EINVAL', 'OPERAND_TOO_LONG', at(i));
    const text = str.slice(s, i);
    const r = field.signed ? kstrtoll(text, 0) : kstrtoull(text, 0);
    if (!r.ok)
      return stepFail('EINVAL', 'ILLEGAL_INTVAL', at(s), `Illegal integer value: "${text}"`);
    return mk({ kind: 'number', value: r.value, text });
  }

  return stepFail('EINVAL', 'INVALID_VALUE', at(i));
}

interface Frame {
  readonly negate: boolean;
  /** OR of AND-groups; the last group is the one being filled. */
  readonly groups: FilterNode[][];
}

function frameNode(frame: Frame): FilterNode | undefined {
  const ors: FilterNode[] = [];
  for (const g of frame.groups) {
    if (g.length === 0) continue;
    ors.push(g.length === 1 ? g[0]! : { kind: 'and', operands: g });
  }
  if (ors.length === 0) return undefined;
  const node: FilterNode = ors.length === 1 ? ors[0]! : { kind: 'or', operands: ors };
  return frame.negate ? { kind: 'not', operand: node } : node;
}

/** predicate_parse(): the two-level loop over terms and the connectives between them. */
function predicateParse(
  str: string,
  fields: readonly ResolvedField[],
  options: FilterOptions,
): Step<FilterNode> {
  const root: Frame = { negate: false, groups: [[]] };
  const stack: Frame[] = [root];
  const top = (): Frame => stack[stack.length - 1]!;
  const current = (): FilterNode[] => {
    const g = top().groups;
    return g[g.length - 1]!;
  };
  let invert = false;
  let n = 0;
  let ptr = 0;
  outer: while (ptr < str.length) {
    const next = ptr++;
    const c = str[next];
    if (isKernelSpace(c)) continue;
    if (c === '(') {
      stack.push({ negate: invert, groups: [[]] });
      invert = false;
      continue;
    }
    // "!=" and "!~" are not "not"s (is_not()).
    if (c === '!' && str[next + 1] !== '=' && str[next + 1] !== '~') {
      invert = !invert;
      continue;
    }
    const r = parsePred(str, next, fields, options);
    if (!r.ok) return r;
    current().push(invert ? { kind: 'not', operand: r.value.pred } : r.value.pred);
    invert = false;
    n++;
    ptr = r.value.end;
    for (;;) {
      const at = ptr++;
      const d = str[at];
      if (isKernelSpace(d)) continue;
      if (d === '&' || d === '|') {
        // Only "&&" and "||"; a lone '&' or '|' here is a stray term.
        if (str[at + 1] !== d) return stepFail('EPERM', 'TOO_MANY_PREDS', at);
        ptr++;
        if (d === '|') top().groups.push([]);
        continue outer;
      }
      if (d === undefined) break outer;
      if (d !== ')') return stepFail('EPERM', 'TOO_MANY_PREDS', at);
      if (stack.length === 1) return stepFail('EPERM', 'TOO_MANY_CLOSE', ptr);
      const closed = stack.pop()!;
      const node = frameNode(closed);
      if (node !== undefined) current().push(node);
    }
  }
  if (stack.length !== 1) return stepFail('EPERM', 'TOO_MANY_OPEN', ptr);
  const tree = frameNode(root);
  if (n === 0 || tree === undefined) return stepFail('EINVAL', 'NO_FILTER', ptr);
  return stepOk(tree);
}

/** process_preds(): calc_stack(), then predicate_parse(). */
function processPreds(
  source: string,
  fields: readonly FilterFieldSpec[],
  options: FilterOptions,
): Step<FilterNode> {
  const stack = calcStack(source);
  if (!stack.ok) return stack;
  if (stack.value.preds === 0) {
    return { ok: false, code: 'EINVAL', pe: { kind: 'NONE', pos: 0 }, reason: 'empty filter' };
  }
  return predicateParse(source, resolveFields(fields), options);
}

/**
 * append_filter_err() + print_event_filter(): the error report that replaces the filter text.
 * The caret goes under index `pos` (the kernel's "indexing is off by one" adjustment included).
 */
function errorReport(source: string, pe: ParseError): string {
  let text = source;
  if (pe.kind !== 'NONE') {
    let pos = Math.min(pe.pos, source.length);
    if (pos !== 0) pos++;
    text += `\n${'^'.padStart(pos, ' ')}\nparse_error: ${ERR_TEXT[pe.kind]}\n`;
  } else {
    text += '\nError: (0)\n';
  }
  return `${text}\n`;
}

/**
 * create_event_filter() as set_trigger_filter() uses it for `TRIGGER if FILTER`: the
 * expression exactly as given (no "0" shortcut, no trimming, no error report in any file).
 */
export function parseFilterExpression(
  expr: string,
  fields: ReadonlyArray<FilterFieldSpec>,
  options: FilterOptions = {},
): ParseResult<FilterNode> {
  const r = processPreds(cString(expr), fields, options);
  if (r.ok) return { ok: true, value: r.value };
  return { ok: false, code: r.code, reason: r.reason };
}

/**
 * A write to an event's `filter` file (apply_event_filter). "0" (surrounded by any whitespace)
 * clears the filter; anything else must parse completely. The accepted text is kept as written
 * minus trailing whitespace (strstrip() writes a NUL there; leading whitespace stays).
 */
export function parseFilter(
  expr: string,
  fields: ReadonlyArray<FilterFieldSpec>,
  options: FilterOptions = {},
): FilterParseResult {
  if (byteLength(expr) >= FILTER_PAGE_SIZE) {
    return { ok: false, code: 'EINVAL', reason: 'filter write of PAGE_SIZE bytes or more' };
  }
  const buf = cString(expr);
  if (strim(buf) === '0') return { ok: true, value: { kind: 'clear' } };
  const source = stripTrailingSpace(buf);
  const r = processPreds(source, fields, options);
  if (r.ok) return { ok: true, value: { kind: 'filter', source, root: r.value } };
  return { ok: false, code: r.code, reason: r.reason, fileText: errorReport(source, r.pe) };
}

/**
 * What reading the `filter` file shows (print_event_filter): the accepted text followed by a
 * newline, or "none\n" when there is no filter. After a failed write use the failure's
 * `fileText` instead.
 */
export function formatFilter(ast: FilterAst): string {
  return ast.kind === 'clear' ? 'none\n' : `${ast.source}\n`;
}
