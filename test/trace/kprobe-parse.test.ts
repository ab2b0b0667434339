import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatKprobeEvent,
  isKnownSymbol,
  KPROBE_DEFAULT_GROUP,
  KPROBE_UNKNOWN_SYMBOL_ERRNO,
  parseKprobeLine,
  referencedSymbols,
  splitCommandBuffer,
  splitCommands,
  type KprobeCommand,
  type ParseErrno,
} from '../../src/trace/kprobe-parse';

type AddCommand = Extract<KprobeCommand, { kind: 'add' }>;

function add(line: string): AddCommand {
  const r = parseKprobeLine(line);
  if (!r.ok) throw new Error(`${line}: ${r.code} ${r.reason}`);
  if (r.value?.kind !== 'add') throw new Error(`${line}: not an add command`);
  return r.value;
}

function errno(line: string): ParseErrno | 'ok' {
  const r = parseKprobeLine(line);
  return r.ok ? 'ok' : r.code;
}

const RESERVED = ['common_type', 'common_flags', 'common_pid', 'common_tgid', '__probe_ip'];

const long65 = '12345678901234567890123456789012345678901234567890123456789012345';

describe('kprobe_events: probe definitions', () => {
  it('defaults the group to "kprobes" and the event to p_SYM_OFFS', () => {
    const c = add('p vfs_read');
    expect(c).toMatchObject({
      kind: 'add',
      type: 'p',
      group: KPROBE_DEFAULT_GROUP,
      event: 'p_vfs_read_0',
      symbol: 'vfs_read',
      offset: 0,
      args: [],
    });
    expect(c.maxactive).toBeUndefined();
    expect(add('r vfs_read').event).toBe('r_vfs_read_0');
    expect(add('p vfs_read+16').event).toBe('p_vfs_read_16');
  });

  it('kprobe/kprobe_eventname.tc: naming with EVENT and GRP/EVENT, and dot functions', () => {
    expect(add('p:event1 vfs_read')).toMatchObject({ group: 'kprobes', event: 'event1' });
    expect(add('p:kprobes2/event2 vfs_read')).toMatchObject({ group: 'kprobes2', event: 'event2' });
    // PROBE_NAME=`echo $FUNC | tr ".:" "_"`
    expect(add('p vfs_read.isra.0').event).toBe('p_vfs_read_isra_0_0');
  });

  it('kprobe/kprobe_module.tc: MOD:SYM keeps the module and sanitizes the generated name', () => {
    const c = add('p trace_printk:trace_printk_irq_work');
    expect(c.symbol).toBe('trace_printk:trace_printk_irq_work');
    expect(c.event).toBe('p_trace_printk_trace_printk_irq_work_0');
    expect(add('p:kprobes1/event1 trace_printk:trace_printk_irq_work')).toMatchObject({
      group: 'kprobes1',
      event: 'event1',
    });
  });

  it('accepts GRP.EVENT, a bare GRP/ (generated name) and "-" in group names', () => {
    expect(add('p:grp.ev vfs_read')).toMatchObject({ group: 'grp', event: 'ev' });
    expect(add('p:grp/ vfs_read')).toMatchObject({ group: 'grp', event: 'p_vfs_read_0' });
    expect(add('p:my-group/ev vfs_read')).toMatchObject({ group: 'my-group', event: 'ev' });
  });

  it('kprobe/kretprobe_maxactive.tc: r[MAXACTIVE][:EVENT]', () => {
    expect(add('r:myprobeaccept inet_csk_accept')).toMatchObject({
      type: 'r',
      event: 'myprobeaccept',
    });
    expect(add('r10:myprobeaccept inet_csk_accept')).toMatchObject({ maxactive: 10 });
    expect(add('r inet_csk_accept').event).toBe('r_inet_csk_accept_0');
    expect(add('r10 inet_csk_accept')).toMatchObject({
      maxactive: 10,
      event: 'r_inet_csk_accept_0',
    });
    expect(errno('a:myprobeaccept inet_csk_accept')).toBe('EINVAL');
    expect(errno('r1000000:myprobeaccept inet_csk_accept')).toBe('EINVAL');
    expect(errno('r10fuzz:myprobeaccept inet_csk_accept')).toBe('EINVAL');
  });

  it('parses MAXACTIVE with kstrtouint base 0 and bounds it to 1..4096', () => {
    expect(add('r0x10 vfs_read').maxactive).toBe(16);
    expect(add('r4096 vfs_read').maxactive).toBe(4096);
    expect(errno('r4097 vfs_read')).toBe('EINVAL');
    expect(errno('r0 vfs_read')).toBe('EINVAL');
  });

  it('ignores junk between the type letter and ":" that is not a number', () => {
    expect(add('pfoo vfs_read').event).toBe('p_vfs_read_0');
    expect(add('rxyz:ev vfs_read')).toMatchObject({ type: 'r', event: 'ev' });
  });

  it('SYM%return makes a return probe', () => {
    expect(add('p vfs_read%return')).toMatchObject({ type: 'r', event: 'r_vfs_read_0' });
    expect(add('p:ev vfs_read+0%return')).toMatchObject({ type: 'r', offset: 0 });
    expect(errno('p vfs_read%ret')).toBe('EINVAL');
    expect(errno('p vfs_read+4%return')).toBe('EINVAL');
  });

  it('kprobe/probepoint.tc: symbol, address and symbol+offset probe points', () => {
    expect(add('p:testprobe tracefs_create_dir')).toMatchObject({ symbol: 'tracefs_create_dir' });
    const a = add('p:testprobe 0xffffffff81234560');
    expect(a.symbol).toBe('');
    expect(a.address).toBe(0xffffffff81234560n);
    expect(add('p:testprobe tracefs_create_dir+0x40').offset).toBe(64);
    // A negative offset (to the previous symbol) is rejected.
    expect(errno('p:testprobe tracefs_create_dir-64')).toBe('EINVAL');
    // So is anything above UINT_MAX.
    expect(errno('p:testprobe tracefs_create_dir+0x100000000')).toBe('EINVAL');
  });

  it('names an address probe p_0x<address> (the kernel would print a hashed %p)', () => {
    expect(add('p 0xffffffff81000000').event).toBe('p_0xffffffff81000000');
    expect(add('r 4096').event).toBe('r_0x0000000000001000');
  });

  it('truncates generated names to 63 characters', () => {
    const sym = 'a'.repeat(80);
    expect(add(`p ${sym}`).event).toBe(`p_${sym}`.slice(0, 63));
  });

  it('formats probes the way kprobe_events shows them (trace_kprobe_show)', () => {
    expect(formatKprobeEvent(add('p vfs_read'))).toBe('p:kprobes/p_vfs_read_0 vfs_read');
    expect(formatKprobeEvent(add('p:g/e vfs_read+16 %ax x=+8($stack):u32'))).toBe(
      'p:g/e vfs_read+16 arg1=%ax x=+8($stack):u32',
    );
    expect(formatKprobeEvent(add('r10:myprobeaccept inet_csk_accept $retval'))).toBe(
      'r10:kprobes/myprobeaccept inet_csk_accept arg1=$retval',
    );
    expect(formatKprobeEvent(add('p:t 0xffffffff81000000'))).toBe('p:kprobes/t 0xffffffff81000000');
  });
});

describe('kprobe_events: kprobe/kprobe_syntax_errors.tc', () => {
  const cases: [string, string][] = [
    ['p100 vfs_read', 'MAXACT_NO_KPROBE'],
    ['r1a111 vfs_read', 'BAD_MAXACT'],
    ['r100000 vfs_read', 'MAXACT_TOO_BIG'],
    ['p hoge-fuga', 'BAD_PROBE_ADDR (bad syntax)'],
    ['p hoge+1000-1000', 'BAD_PROBE_ADDR (bad syntax)'],
    ['r vfs_read+10', 'BAD_RETPROBE'],
    ['p:/bar vfs_read', 'NO_GROUP_NAME'],
    [`p:${long65}/bar vfs_read`, 'GROUP_TOO_LONG'],
    ['p:foo.1/bar vfs_read', 'BAD_GROUP_NAME'],
    ['p: vfs_read', 'NO_EVENT_NAME'],
    [`p:foo/${long65} vfs_read`, 'EVENT_TOO_LONG'],
    ['p:foo/bar.1 vfs_read', 'BAD_EVENT_NAME'],
    ['p vfs_read $retval', 'RETVAL_ON_PROBE'],
    ['p vfs_read $stack10000', 'BAD_STACK_NUM'],
    ['p vfs_read $arg10000', 'BAD_ARG_NUM'],
    ['p vfs_read $none_var', 'BAD_VAR'],
    ['p vfs_read %none_reg', 'BAD_REG_NAME'],
    ['p vfs_read @12345678abcde', 'BAD_MEM_ADDR'],
    ['p vfs_read @+10', 'FILE_ON_KPROBE'],
    ['p vfs_read arg1=\\^x', 'BAD_IMM'],
    ['p vfs_read arg1=\\"abcd', 'IMMSTR_NO_CLOSE'],
    ['p vfs_read +0@0)', 'DEREF_NEED_BRACE'],
    ['p vfs_read +0ab1(@0)', 'BAD_DEREF_OFFS'],
    ['p vfs_read +0(+0(@0)', 'DEREF_OPEN_BRACE'],
    ['p vfs_read +0($comm)', 'COMM_CANT_DEREF'],
    ['p vfs_read &1', 'BAD_FETCH_ARG'],
    ['p vfs_read +0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(@0))))))))))))))', 'TOO_MANY_OPS'],
    ['p vfs_read +0(@11):u8[10', 'ARRAY_NO_CLOSE'],
    ['p vfs_read +0(@11):u8[10]a', 'BAD_ARRAY_SUFFIX'],
    ['p vfs_read +0(@11):u8[10a]', 'BAD_ARRAY_NUM'],
    ['p vfs_read +0(@11):u8[256]', 'ARRAY_TOO_BIG'],
    ['p vfs_read @11:unknown_type', 'BAD_TYPE'],
    ['p vfs_read $stack0:string', 'BAD_STRING'],
    ['p vfs_read @11:b10@a/16', 'BAD_BITFIELD'],
    ['p vfs_read arg123456789012345678901234567890=@11', 'ARG_NAME_TOO_LONG'],
    ['p vfs_read =@11', 'NO_ARG_NAME'],
    ['p vfs_read var.1=@11', 'BAD_ARG_NAME'],
    ['p vfs_read var1=@11 var1=@12', 'USED_ARG_NAME'],
    [
      'p vfs_read +1234567(+1234567(+1234567(+1234567(+1234567(+1234567(@1234))))))',
      'ARG_TOO_LONG',
    ],
    ['p vfs_read arg1=', 'NO_ARG_BODY'],
  ];
  for (const [line, what] of cases) {
    it(`rejects ${what}: ${line.length > 60 ? `${line.slice(0, 57)}...` : line}`, () => {
      expect(errno(line)).toBe('EINVAL');
      const r = parseKprobeLine(line);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
    });
  }

  it('accepts the names just inside the limits', () => {
    expect(add(`p:${'g'.repeat(63)}/e vfs_read`).group).toHaveLength(63);
    expect(errno(`p:${'g'.repeat(64)}/e vfs_read`)).toBe('EINVAL');
    // v6.8 checks len > MAX_EVENT_NAME_LEN, so a 64-character event name is still fine.
    expect(add(`p:g/${'e'.repeat(64)} vfs_read`).event).toHaveLength(64);
  });

  it('reports an unknown probe symbol through the caller (BAD_PROBE_ADDR (enoent))', () => {
    // 'p non_exist_func' parses: kallsyms is the caller's business.
    expect(add('p non_exist_func').symbol).toBe('non_exist_func');
    expect(isKnownSymbol('non_exist_func')).toBe(false);
    expect(KPROBE_UNKNOWN_SYMBOL_ERRNO).toBe('ENOENT');
  });

  it('with a kallsyms hook, an unknown SYM fails first, as in v6.8', () => {
    const opts = { isKnownSymbol };
    const code = (line: string): string => {
      const r = parseKprobeLine(line, opts);
      return r.ok ? 'ok' : r.code;
    };
    expect(code('p non_exist_func')).toBe('ENOENT');
    // Checked before the event name and the fetch arguments...
    expect(code('p:foo/bar.1 non_exist_func')).toBe('ENOENT');
    expect(code('p non_exist_func %bogus')).toBe('ENOENT');
    // ...and kprobe_on_func_entry() cannot say BAD_RETPROBE for a symbol it cannot find.
    expect(code('r non_exist_func+10')).toBe('ENOENT');
    expect(code('r vfs_read+10')).toBe('EINVAL');
    // MOD:SYM is not counted in v6.8 (the module may not be loaded yet).
    expect(code('p trace_printk:trace_printk_irq_work')).toBe('ok');
    expect(code('p vfs_read')).toBe('ok');
    // Errors found before the symbol lookup still win.
    expect(code('p non_exist_func+abc')).toBe('EINVAL');
    expect(code('p100 non_exist_func')).toBe('EINVAL');
  });
});

describe('kprobe_events: kprobe/kprobe_args_syntax.tc', () => {
  const good = [
    '%ax',
    '@_sdata',
    '@0xffffffff82000000',
    '@_sdata+10',
    '@_sdata-10',
    '$stack',
    '$stack0',
    '$stack1',
    '$comm',
    '+0(%ax)',
    '-0(%ax)',
    '+10($stack)',
    '+0($stack1)',
    '+10(@_sdata-10)',
    '+0(+10(+20($stack)))',
    'varname=%ax',
    '%ax:x16',
    '$comm:string',
    '+0($stack):string',
  ];
  for (const arg of good) {
    it(`accepts ${arg}`, () => {
      expect(errno(`p vfs_read ${arg}`)).toBe('ok');
    });
  }

  const bad = [
    '%ex',
    '$stackp',
    '$stack0+10',
    '$stack1-10',
    '+(%ax)',
    '(%ax+10)',
    '-(%ax)',
    '(%ax)',
    '+10($comm)',
    'varname=varname2=%ax',
    '%ax::x16',
    '%ax:y16',
    'x16:%ax',
    '$comm:x64',
    '$stack:string',
    '%ax:string',
  ];
  for (const arg of bad) {
    it(`rejects ${arg}`, () => {
      expect(errno(`p vfs_read ${arg}`)).not.toBe('ok');
    });
  }

  it('$retval only on return probes', () => {
    expect(errno('r vfs_read $retval')).toBe('ok');
    expect(errno('p vfs_read $retval')).toBe('EINVAL');
  });

  it('accepts +0(%ax)+10: parse_probe_arg() uses strrchr(")") and drops what follows', () => {
    // The .tc lists this under test_badarg, but `! echo ...` never fails a `set -e` script, and
    // the kernel code accepts it.
    expect(errno('p vfs_read +0(%ax)+10')).toBe('ok');
  });

  it('leaves @SYM resolution to registration (traceprobe_update_arg -> ENOENT)', () => {
    const c = add('p vfs_read @deaqswdefr x=+8(@_sdata+16):u32 @0x10 @jiffies');
    expect(referencedSymbols(c)).toEqual(['deaqswdefr', '_sdata', 'jiffies']);
    expect(referencedSymbols(c).filter((s) => !isKnownSymbol(s))).toEqual(['deaqswdefr']);
    expect(errno('p vfs_read @_sdata+abc')).toBe('EINVAL');
  });
});

describe('kprobe_events: more fetch arguments', () => {
  it('names unnamed arguments argN and keeps the text as comm', () => {
    expect(add('p vfs_read %ax y=%bx $comm').fetchArgs).toEqual([
      { name: 'arg1', comm: '%ax' },
      { name: 'y', comm: '%bx' },
      { name: 'arg3', comm: '$comm' },
    ]);
    // A generated name can collide with an explicit one.
    expect(errno('p vfs_read %ax arg1=%bx')).toBe('EINVAL');
    expect(errno('p vfs_read common_pid=%ax')).toBe('EINVAL');
  });

  it('supports types, bitfields, arrays, user derefs and immediates', () => {
    for (const arg of [
      '%ax:s32',
      '%ax:char',
      '%ax:symbol',
      '%ax:b4@2/32',
      '+0(%ax):u8[10]',
      '+0(%ax):string[2]',
      '+u0(%ax):ustring',
      '%di:symstr',
      '\\1',
      '\\-1',
      '\\0x10:x8',
      's=\\"foo"',
      '$COMM',
    ]) {
      expect(errno(`p vfs_read ${arg}`), arg).toBe('ok');
    }
    for (const arg of ['%ax:b40@0/32', '%ax:b4@2/24', '%ax:u8[2]', '$stack:symstr', '\\x']) {
      expect(errno(`p vfs_read ${arg}`), arg).toBe('EINVAL');
    }
  });

  it('$argN needs a function-entry probe (v6.8)', () => {
    expect(errno('p vfs_read $arg1 $arg2:u32')).toBe('ok');
    expect(errno('p vfs_read+4 $arg1')).toBe('EINVAL');
    expect(errno('r vfs_read $arg1')).toBe('EINVAL');
    expect(errno('p 0xffffffff81000000 $arg1')).toBe('EINVAL');
    expect(errno('p vfs_read $argfoo')).toBe('EINVAL');
  });

  it('BTF-only syntax fails without vmlinux BTF', () => {
    expect(errno('p vfs_read $arg*')).toBe('EINVAL');
    expect(errno('p vfs_read file')).toBe('EOPNOTSUPP');
    expect(errno('r vfs_read file')).toBe('EINVAL');
  });

  it('$retval needs a symbol-based return probe', () => {
    expect(errno('r 0xffffffff81000000 $retval')).toBe('EINVAL');
  });

  it('dynevent/dynevent_limitations.tc: 128 arguments are fine, 129 are E2BIG', () => {
    const args = (n: number): string => Array.from({ length: n }, (_, i) => `\\${i + 1}`).join(' ');
    expect(add(`p vfs_read ${args(128)}`).fetchArgs).toHaveLength(128);
    expect(errno(`p vfs_read ${args(129)}`)).toBe('E2BIG');
    // The count is checked before the arguments themselves.
    expect(errno(`p vfs_read ${args(128)} %bogus`)).toBe('E2BIG');
  });
});

describe('kprobe_events: removal and line handling', () => {
  it('kprobe/kretprobe_maxactive.tc and kprobe_module.tc: -:EVENT and -:GRP/EVENT', () => {
    expect(parseKprobeLine('-:myprobeaccept')).toEqual({
      ok: true,
      value: { kind: 'remove', group: undefined, event: 'myprobeaccept' },
    });
    expect(parseKprobeLine('-:kprobes1/event1')).toEqual({
      ok: true,
      value: { kind: 'remove', group: 'kprobes1', event: 'event1' },
    });
  });

  it('keeps extra words of a removal as a command-head match', () => {
    expect(parseKprobeLine('-:ev vfs_read arg1=%ax')).toEqual({
      ok: true,
      value: { kind: 'remove', group: undefined, event: 'ev', matchArgs: ['vfs_read', 'arg1=%ax'] },
    });
  });

  it('rejects malformed removals', () => {
    for (const line of ['-', '-foo', '-:', ' -:foo']) {
      expect(errno(line), line).toBe('EINVAL');
    }
  });

  it('accepts -:GRP/ with an empty name (dyn_event_release: it then matches nothing)', () => {
    expect(parseKprobeLine('-:grp/')).toEqual({
      ok: true,
      value: { kind: 'remove', group: 'grp', event: '' },
    });
  });

  it('rejects lines that are not kprobe commands', () => {
    expect(errno('p')).toBe('EINVAL');
    expect(errno('p:foo')).toBe('EINVAL');
    expect(errno('x vfs_read')).toBe('EINVAL');
    // A uprobe target (path and ':') is ECANCELED in the kprobe parser -> EINVAL.
    expect(errno('p /bin/sh:10')).toBe('EINVAL');
  });

  it('returns null for blank and comment-only lines and strips trailing comments', () => {
    expect(parseKprobeLine('')).toEqual({ ok: true, value: null });
    expect(parseKprobeLine('   \t')).toEqual({ ok: true, value: null });
    expect(parseKprobeLine('# p vfs_read')).toEqual({ ok: true, value: null });
    expect(add('p vfs_read # %bogus').args).toEqual([]);
  });

  it('splitCommands splits on newlines and strips comments (trace_parse_run_command)', () => {
    expect(splitCommands('p a\n# c\n-:x\n')).toEqual(['p a', '', '-:x']);
    expect(splitCommands('p a #c\np b')).toEqual(['p a ', 'p b']);
    expect(splitCommands('')).toEqual([]);
    expect(splitCommands('\n')).toEqual(['']);
  });

  it('splitCommandBuffer enforces WRITE_BUFSIZE per line', () => {
    const ok4094 = 'x'.repeat(4094);
    expect(splitCommandBuffer(`${ok4094}\nq`)).toEqual({ lines: [ok4094, 'q'], tooLong: false });
    expect(splitCommandBuffer(`a\n${'x'.repeat(4095)}\nq`)).toEqual({
      lines: ['a'],
      tooLong: true,
    });
    // The last line may use the whole chunk.
    expect(splitCommandBuffer('x'.repeat(4095)).tooLong).toBe(false);
    expect(splitCommandBuffer('x'.repeat(4096)).tooLong).toBe(true);
  });
});

describe('properties', () => {
  it('never throws on arbitrary lines', () => {
    const kprobeish = fc
      .array(
        fc.constantFrom(
          'p',
          'r',
          '-',
          ':',
          '/',
          '.',
          '%',
          '$',
          '@',
          '+',
          '(',
          ')',
          ' ',
          '=',
          'a',
          '1',
          'vfs_read',
          'stack',
          'retval',
          'return',
          '\\',
          '"',
          '[',
          ']',
          'x',
          '0x',
        ),
        { maxLength: 30 },
      )
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), kprobeish), (s) => {
        const r = parseKprobeLine(s);
        if (r.ok && r.value?.kind === 'add') formatKprobeEvent(r.value);
        splitCommands(s);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('format(parse(line)) is a fixed point that parses back to the same probe', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);
    const sym = fc.constantFrom('vfs_read', 'do_sys_openat2', 'schedule', 'tcp_sendmsg');
    const argBody = fc.constantFrom('%ax', '$stack0', '+8(%di):u32', '$comm', '\\42', '@jiffies');
    const probe = fc.record({
      ret: fc.boolean(),
      group: name,
      event: name,
      sym,
      offset: fc.integer({ min: 0, max: 4096 }),
      maxactive: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: undefined }),
      args: fc.uniqueArray(fc.tuple(name, argBody), { selector: (t) => t[0], maxLength: 5 }),
    });
    fc.assert(
      fc.property(probe, (p) => {
        const head = p.ret ? `r${p.maxactive ?? ''}` : 'p';
        const place = p.ret ? p.sym : `${p.sym}+${p.offset}`;
        const args = p.args.filter(([n]) => !RESERVED.includes(n)).map(([n, b]) => `${n}=${b}`);
        const line = [`${head}:${p.group}/${p.event}`, place, ...args].join(' ');
        const first = add(line);
        const text = formatKprobeEvent(first);
        const again = add(text);
        expect(formatKprobeEvent(again)).toBe(text);
        expect(again).toMatchObject({
          type: first.type,
          group: first.group,
          event: first.event,
          symbol: first.symbol,
          offset: first.offset,
          fetchArgs: first.fetchArgs,
        });
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
