import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  kstrtoll,
  kstrtoul,
  kstrtoull,
  kstrtouint,
  parseBoolFile,
  parseUnsigned,
  parseUnsignedBigInt,
  simpleStrtoul,
  strim,
} from '../../src/trace/value-parse';

describe('kstrtoull (lib/kstrtox.c)', () => {
  it('accepts digits with an optional leading + and one trailing newline', () => {
    expect(kstrtoull('42', 10)).toEqual({ ok: true, value: 42n });
    expect(kstrtoull('+42', 10)).toEqual({ ok: true, value: 42n });
    expect(kstrtoull('42\n', 10)).toEqual({ ok: true, value: 42n });
  });

  it('rejects blanks, signs, and anything after the newline', () => {
    for (const s of ['', ' 1', '1 ', '1\n\n', '-1', '++1', '1a', '\n', '+', '1\t']) {
      const r = kstrtoull(s, 10);
      expect(r.ok, JSON.stringify(s)).toBe(false);
      if (!r.ok) expect(r.code).toBe('EINVAL');
    }
  });

  it('autodetects the radix for base 0 (_parse_integer_fixup_radix)', () => {
    expect(kstrtoull('0x1f', 0)).toEqual({ ok: true, value: 31n });
    expect(kstrtoull('0X1F', 0)).toEqual({ ok: true, value: 31n });
    expect(kstrtoull('017', 0)).toEqual({ ok: true, value: 15n });
    expect(kstrtoull('0', 0)).toEqual({ ok: true, value: 0n });
    // "0x" without a hex digit is octal 0 followed by garbage.
    expect(kstrtoull('0x', 0).ok).toBe(false);
    expect(kstrtoull('08', 0).ok).toBe(false);
    // base 10 never skips "0x".
    expect(kstrtoull('0x10', 10).ok).toBe(false);
    // base 16 accepts an optional prefix.
    expect(kstrtoull('0x10', 16)).toEqual({ ok: true, value: 16n });
    expect(kstrtoull('ff', 16)).toEqual({ ok: true, value: 255n });
  });

  it('returns ERANGE above ULLONG_MAX', () => {
    expect(kstrtoull('18446744073709551615', 10)).toEqual({
      ok: true,
      value: 18446744073709551615n,
    });
    const r = kstrtoull('18446744073709551616', 10);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('ERANGE');
  });
});

describe('kstrtoll / kstrtouint / simple_strtoul', () => {
  it('kstrtoll takes a minus sign and checks the long long range', () => {
    expect(kstrtoll('-5', 0)).toEqual({ ok: true, value: -5n });
    expect(kstrtoll('-0x10', 0)).toEqual({ ok: true, value: -16n });
    expect(kstrtoll('-9223372036854775808', 10)).toEqual({
      ok: true,
      value: -9223372036854775808n,
    });
    const low = kstrtoll('-9223372036854775809', 10);
    expect(!low.ok && low.code).toBe('ERANGE');
    const high = kstrtoll('9223372036854775808', 10);
    expect(!high.ok && high.code).toBe('ERANGE');
    // _kstrtoull after the '-' does not skip a '+'.
    expect(kstrtoll('-+1', 10).ok).toBe(false);
  });

  it('kstrtoul is the 64-bit kstrtoull', () => {
    expect(kstrtoul('0xffffffffffffffff', 0)).toEqual({ ok: true, value: (1n << 64n) - 1n });
  });

  it('kstrtouint checks the unsigned int range', () => {
    expect(kstrtouint('4294967295', 10)).toEqual({ ok: true, value: 4294967295 });
    const r = kstrtouint('4294967296', 10);
    expect(!r.ok && r.code).toBe('ERANGE');
  });

  it('simple_strtoul never fails and reports where it stopped', () => {
    expect(simpleStrtoul('10@3', 0)).toEqual({ value: 10n, end: 2 });
    expect(simpleStrtoul('a', 0)).toEqual({ value: 0n, end: 0 });
    expect(simpleStrtoul('0x1g', 0)).toEqual({ value: 1n, end: 3 });
  });

  it('strim drops surrounding kernel whitespace', () => {
    expect(strim(' \t0\n')).toBe('0');
    expect(strim('a b')).toBe('a b');
  });
});

describe('parseBoolFile (event_enable_write / system_enable_write)', () => {
  it('accepts 0 and 1 in the forms echo writes', () => {
    expect(parseBoolFile('1')).toEqual({ ok: true, value: 1 });
    expect(parseBoolFile('1\n')).toEqual({ ok: true, value: 1 });
    expect(parseBoolFile('0\n')).toEqual({ ok: true, value: 0 });
    expect(parseBoolFile('+1\n')).toEqual({ ok: true, value: 1 });
    expect(parseBoolFile('00')).toEqual({ ok: true, value: 0 });
  });

  it('rejects other numbers and kstrtoul syntax errors with EINVAL', () => {
    for (const s of ['2', '2\n', '-1', ' 1', '1 ', 'true', 'on', '0x1', '', '1\n\n']) {
      const r = parseBoolFile(s);
      expect(r.ok, JSON.stringify(s)).toBe(false);
      if (!r.ok) expect(r.code).toBe('EINVAL');
    }
  });

  it('keeps kstrtoul ERANGE for huge values', () => {
    const r = parseBoolFile('99999999999999999999');
    expect(!r.ok && r.code).toBe('ERANGE');
  });

  it('event/event-enable.tc: echo 1 > enable and echo 0 > enable', () => {
    expect(parseBoolFile('1\n')).toEqual({ ok: true, value: 1 });
    expect(parseBoolFile('0\n')).toEqual({ ok: true, value: 0 });
  });
});

describe('parseUnsigned (rb_simple_write, tracing_on)', () => {
  it('accepts any unsigned long; nonzero means on', () => {
    expect(parseUnsigned('0\n')).toEqual({ ok: true, value: 0 });
    expect(parseUnsigned('1\n')).toEqual({ ok: true, value: 1 });
    expect(parseUnsigned('7')).toEqual({ ok: true, value: 7 });
    expect(parseUnsignedBigInt('18446744073709551615\n')).toEqual({
      ok: true,
      value: 18446744073709551615n,
    });
  });

  it('is decimal only and strict about blanks', () => {
    for (const s of ['0x1', ' 1', '1 ', '-1', 'one', '']) {
      const r = parseUnsigned(s);
      expect(r.ok, JSON.stringify(s)).toBe(false);
    }
  });

  it('only looks at the first 66 bytes of the write (kstrtoul_from_user)', () => {
    // 66 zeros then a 1: the 1 is never copied in.
    expect(parseUnsigned(`${'0'.repeat(66)}1`)).toEqual({ ok: true, value: 0 });
    expect(parseUnsigned(`${'0'.repeat(65)}1`)).toEqual({ ok: true, value: 1 });
  });

  it('event/toplevel-enable.tc: echo 0 > tracing_on / echo 1 > tracing_on', () => {
    expect(parseUnsigned('0\n')).toEqual({ ok: true, value: 0 });
    expect(parseUnsigned('1\n')).toEqual({ ok: true, value: 1 });
  });
});

describe('properties', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 16 }), (s, base) => {
        kstrtoull(s, base);
        kstrtoll(s, base);
        parseBoolFile(s);
        parseUnsigned(s);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('round-trips every unsigned long in decimal, with or without a newline', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean(), (n, nl) => {
        const r = parseUnsignedBigInt(`${n}${nl ? '\n' : ''}`);
        expect(r).toEqual({ ok: true, value: n });
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('kstrtoll round-trips every long long in hex, octal and decimal', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (n) => {
        const sign = n < 0n ? '-' : '';
        const m = n < 0n ? -n : n;
        expect(kstrtoll(`${sign}0x${m.toString(16)}`, 0)).toEqual({ ok: true, value: n });
        expect(kstrtoll(`${sign}0${m.toString(8)}`, 0)).toEqual({ ok: true, value: n });
        expect(kstrtoll(`${n}`, 10)).toEqual({ ok: true, value: n });
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
