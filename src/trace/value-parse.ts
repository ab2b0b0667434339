/**
 * Integer parsing as the kernel does it for tracefs control files: lib/kstrtox.c
 * (`_parse_integer_fixup_radix`, `_parse_integer`, `_kstrtoull`, `kstrtoull`, `kstrtoll`,
 * `kstrtouint`, and the `kstrto*_from_user` wrappers), plus the two ways tracefs files use them:
 *
 * - `event_enable_write` / `system_enable_write` (kernel/trace/trace_events.c): a value that
 *   `kstrtoul_from_user(ubuf, cnt, 10, &val)` accepts, and then only 0 or 1 (anything else is
 *   -EINVAL) -> {@link parseBoolFile}.
 * - `rb_simple_write` (kernel/trace/trace.c, the `tracing_on` file): any value
 *   `kstrtoul_from_user(..., 10, ...)` accepts; nonzero means on -> {@link parseUnsigned}.
 *
 * The rules are stricter than most people expect: no leading or trailing blanks at all, except
 * one optional '\n' right after the digits; an optional leading '+' (never '-' for the unsigned
 * variants); -EINVAL for syntax, -ERANGE for overflow. Values are exact (`bigint`) because
 * `unsigned long long` does not fit in a JS number.
 */
import type { ParseErrno, ParseResult } from './kprobe-parse';

function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

function fail<T>(code: ParseErrno, reason: string): ParseResult<T> {
  return { ok: false, code, reason };
}

/** ULLONG_MAX on every Linux architecture (64-bit `unsigned long long`). */
export const ULLONG_MAX = (1n << 64n) - 1n;
/** LLONG_MAX. */
export const LLONG_MAX = (1n << 63n) - 1n;
/** UINT_MAX (32-bit `unsigned int`). */
export const UINT_MAX = (1n << 32n) - 1n;

/**
 * Bytes `kstrtoul_from_user` looks at: it copies at most `sizeof(buf) - 1` bytes into
 * `char buf[1 + sizeof(unsigned long) * 8 + 1 + 1]` (sign, 64 binary digits, newline, NUL) and
 * silently ignores the rest of the write.
 */
export const KSTRTOUL_FROM_USER_MAX = 1 + 64 + 1 + 1 - 1;

function isDigitChar(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isXDigitChar(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/**
 * `_parse_integer_fixup_radix`: base 0 means "0x" -> 16 (only when a hex digit follows),
 * leading "0" -> 8, else 10; base 16 skips an optional "0x".
 */
function fixupRadix(s: string, start: number, base: number): { index: number; base: number } {
  let b = base;
  let i = start;
  if (b === 0) {
    if (s[i] === '0') {
      b = s[i + 1]?.toLowerCase() === 'x' && isXDigitChar(s[i + 2]) ? 16 : 8;
    } else {
      b = 10;
    }
  }
  if (b === 16 && s[i] === '0' && s[i + 1]?.toLowerCase() === 'x') i += 2;
  return { index: i, base: b };
}

/**
 * `_parse_integer`: consume digits valid in `base`, remembering (not stopping at) overflow.
 * Returns how many characters were consumed.
 */
function parseIntegerDigits(
  s: string,
  start: number,
  base: number,
): { value: bigint; consumed: number; overflow: boolean } {
  let value = 0n;
  let overflow = false;
  let i = start;
  const b = BigInt(base);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const lc = c | 0x20; // the kernel's "don't tolower() this line" trick
    let val: number;
    if (c >= 0x30 && c <= 0x39) val = c - 0x30;
    else if (lc >= 0x61 && lc <= 0x66) val = lc - 0x61 + 10;
    else break;
    if (val >= base) break;
    value = value * b + BigInt(val);
    if (value > ULLONG_MAX) {
      overflow = true;
      value &= ULLONG_MAX;
    }
  }
  return { value, consumed: i - start, overflow };
}

/** `_kstrtoull`: digits, then at most one '\n', then the end of the string. */
function kstrtoullNoSign(s: string, start: number, base: number): ParseResult<bigint> {
  const fx = fixupRadix(s, start, base);
  const r = parseIntegerDigits(s, fx.index, fx.base);
  if (r.overflow) return fail('ERANGE', `kstrtoull: "${s}" overflows unsigned long long`);
  if (r.consumed === 0) return fail('EINVAL', `kstrtoull: no digits in "${s}"`);
  let end = fx.index + r.consumed;
  if (s[end] === '\n') end++;
  if (end !== s.length) return fail('EINVAL', `kstrtoull: trailing characters in "${s}"`);
  return ok(r.value);
}

/**
 * kstrtoull(s, base): an optional leading '+', then `_kstrtoull`. Never accepts '-', spaces,
 * or anything after the single optional trailing newline.
 */
export function kstrtoull(s: string, base: number): ParseResult<bigint> {
  return kstrtoullNoSign(s, s[0] === '+' ? 1 : 0, base);
}

/**
 * kstrtoul: on 64-bit kernels `unsigned long` is `unsigned long long`, so this is
 * {@link kstrtoull}.
 */
export function kstrtoul(s: string, base: number): ParseResult<bigint> {
  return kstrtoull(s, base);
}

/**
 * kstrtoll(s, base): a leading '-' negates (`_kstrtoull` on the rest, which must not start with
 * '+'), otherwise {@link kstrtoull}; -ERANGE outside `long long`.
 */
export function kstrtoll(s: string, base: number): ParseResult<bigint> {
  if (s[0] === '-') {
    const r = kstrtoullNoSign(s, 1, base);
    if (!r.ok) return r;
    // (long long)-tmp > 0 means the magnitude did not fit.
    if (r.value > LLONG_MAX + 1n) return fail('ERANGE', `kstrtoll: "${s}" underflows long long`);
    return ok(-r.value);
  }
  const r = kstrtoull(s, base);
  if (!r.ok) return r;
  if (r.value > LLONG_MAX) return fail('ERANGE', `kstrtoll: "${s}" overflows long long`);
  return r;
}

/** kstrtol: `long` is `long long` on 64-bit kernels, so this is {@link kstrtoll}. */
export function kstrtol(s: string, base: number): ParseResult<bigint> {
  return kstrtoll(s, base);
}

/** kstrtouint(s, base): {@link kstrtoull}, then -ERANGE above UINT_MAX. */
export function kstrtouint(s: string, base: number): ParseResult<number> {
  const r = kstrtoull(s, base);
  if (!r.ok) return r;
  if (r.value > UINT_MAX) return fail('ERANGE', `kstrtouint: "${s}" overflows unsigned int`);
  return ok(Number(r.value));
}

/**
 * `simple_strtoul(cp, &endp, base)` (lib/vsprintf.c): never fails; returns the value and how many
 * characters it consumed (0 when there were no digits after the radix prefix). Overflow wraps.
 */
export function simpleStrtoul(s: string, base: number): { value: bigint; end: number } {
  const fx = fixupRadix(s, 0, base);
  const r = parseIntegerDigits(s, fx.index, fx.base);
  return { value: r.value, end: fx.index + r.consumed };
}

/**
 * kstrtoul_from_user(ubuf, count, base): looks at only the first
 * {@link KSTRTOUL_FROM_USER_MAX} bytes of the write, then {@link kstrtoul}. The truncation is
 * done on UTF-16 code units; any non-ASCII character in the kept part fails either way, so the
 * result matches the kernel's byte-based truncation.
 */
export function kstrtoulFromUser(text: string, base = 10): ParseResult<bigint> {
  return kstrtoul(text.slice(0, KSTRTOUL_FROM_USER_MAX), base);
}

/**
 * The value written to `tracing_on` (rb_simple_write): any unsigned long that
 * `kstrtoul_from_user(ubuf, cnt, 10, &val)` accepts; nonzero turns tracing on. Decimal only
 * ("0x1" is -EINVAL), "1", "1\n" and "+1" are fine, " 1" and "1 " are -EINVAL, more than 2^64-1
 * is -ERANGE. The result is a JS number, so values above 2^53 lose precision; use
 * {@link parseUnsignedBigInt} when that matters.
 */
export function parseUnsigned(text: string): ParseResult<number> {
  const r = kstrtoulFromUser(text, 10);
  if (!r.ok) return r;
  return ok(Number(r.value));
}

/** {@link parseUnsigned} with the exact `unsigned long` value. */
export function parseUnsignedBigInt(text: string): ParseResult<bigint> {
  return kstrtoulFromUser(text, 10);
}

/**
 * The value written to an event or subsystem `enable` file (event_enable_write,
 * system_enable_write): `kstrtoul_from_user(..., 10, ...)` first (its -EINVAL/-ERANGE win), then
 * anything other than 0 or 1 is -EINVAL.
 */
export function parseBoolFile(text: string): ParseResult<0 | 1> {
  const r = kstrtoulFromUser(text, 10);
  if (!r.ok) return r;
  if (r.value === 0n) return ok(0);
  if (r.value === 1n) return ok(1);
  return fail('EINVAL', `event_enable_write: ${r.value} is neither 0 nor 1`);
}

/** The kernel's isspace() on ASCII: space, \t, \n, \v, \f, \r. */
export function isKernelSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/** isdigit() on one character. */
export function isKernelDigit(c: string | undefined): boolean {
  return isDigitChar(c);
}

/** isalpha() on ASCII. */
export function isKernelAlpha(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z]$/.test(c);
}

/** isalnum() on ASCII. */
export function isKernelAlnum(c: string | undefined): boolean {
  return isKernelAlpha(c) || isDigitChar(c);
}

/** strim() (lib/string_helpers.c): drop trailing then leading isspace() characters. */
export function strim(s: string): string {
  return stripTrailingSpace(s).replace(/^[ \t\n\v\f\r]+/, '');
}

/** The trailing half of strim(), which writes a NUL after the last non-space character. */
export function stripTrailingSpace(s: string): string {
  return s.replace(/[ \t\n\v\f\r]+$/, '');
}

/** A string as C sees it after memdup_user_nul(): everything from the first NUL on is gone. */
export function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

/** UTF-8 length in bytes: what `count` is for a write(2) of this text. */
export function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}
