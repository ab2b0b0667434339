import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatFilter,
  parseFilter,
  parseFilterExpression,
  type FilterFieldSpec,
  type FilterNode,
  type FilterParseResult,
} from '../../src/trace/filter-parse';

/** events/sched/sched_switch/format */
const schedSwitch: FilterFieldSpec[] = [
  { name: 'prev_comm', type: 'char[16]' },
  { name: 'prev_pid', type: 'pid_t' },
  { name: 'prev_prio', type: 'int' },
  { name: 'prev_state', type: 'long' },
  { name: 'next_comm', type: 'char[16]' },
  { name: 'next_pid', type: 'pid_t' },
  { name: 'next_prio', type: 'int' },
];

/** events/signal/signal_generate/format */
const signalGenerate: FilterFieldSpec[] = [
  { name: 'sig', type: 'int' },
  { name: 'errno', type: 'int' },
  { name: 'code', type: 'int' },
  { name: 'comm[16]', type: 'char[16]' },
  { name: 'pid', type: 'pid_t' },
];

/** events/kmem/kmem_cache_free/format */
const kmemCacheFree: FilterFieldSpec[] = [
  { name: 'call_site', type: 'unsigned long', signed: false, size: 8 },
  { name: 'ptr', type: 'const void *' },
  { name: 'name', type: '__data_loc char[]' },
];

/** events/ipi/ipi_send_cpumask/format */
const ipiSendCpumask: FilterFieldSpec[] = [
  { name: 'cpumask', type: '__data_loc cpumask_t' },
  { name: 'callsite', type: 'void *' },
];

function ok(expr: string, fields: FilterFieldSpec[] = schedSwitch): FilterNode {
  const r = parseFilter(expr, fields);
  if (!r.ok) throw new Error(`${expr}: ${r.code} ${r.reason}`);
  if (r.value.kind !== 'filter') throw new Error(`${expr}: cleared`);
  return r.value.root;
}

function bad(
  expr: string,
  fields: FilterFieldSpec[] = schedSwitch,
): Extract<FilterParseResult, { ok: false }> {
  const r = parseFilter(expr, fields);
  if (r.ok) throw new Error(`${expr}: unexpectedly accepted`);
  return r;
}

describe('event filters: accepted forms', () => {
  it('numeric predicates with every operator', () => {
    for (const op of ['==', '!=', '<', '<=', '>', '>=', '&']) {
      expect(ok(`prev_pid ${op} 1`)).toMatchObject({ kind: 'pred', field: 'prev_pid', op });
    }
  });

  it('decimal, hex, octal and negative numbers (kstrtoll/kstrtoull base 0)', () => {
    expect(ok('prev_pid == 0x10')).toMatchObject({ value: { kind: 'number', value: 16n } });
    expect(ok('prev_pid == 010')).toMatchObject({ value: { kind: 'number', value: 8n } });
    expect(ok('prev_prio < -1')).toMatchObject({ value: { kind: 'number', value: -1n } });
  });

  it('trigger/trigger-filter.tc: the accepted filters, against sched_process_fork', () => {
    const fork: FilterFieldSpec[] = [
      { name: 'parent_comm', type: 'char[16]' },
      { name: 'parent_pid', type: 'pid_t' },
      { name: 'child_comm', type: 'char[16]' },
      { name: 'child_pid', type: 'pid_t' },
    ];
    for (const f of [
      'child_pid == 0',
      'common_pid == 0',
      'common_pid <= 0',
      'common_pid >= 0',
      'parent_pid >= 0 && child_pid >= 0',
      'parent_pid >= 0 || child_pid >= 0',
    ]) {
      expect(parseFilter(f, fork).ok, f).toBe(true);
    }
  });

  it('Documentation/trace/events.rst examples (with the quotes the parser requires)', () => {
    expect(ok('common_preempt_count > 4')).toMatchObject({ field: 'common_preempt_count' });
    const root = ok('((sig >= 10 && sig < 15) || sig == 17) && comm != "bash"', signalGenerate);
    expect(root).toMatchObject({
      kind: 'and',
      operands: [
        {
          kind: 'or',
          operands: [
            {
              kind: 'and',
              operands: [
                { field: 'sig', op: '>=' },
                { field: 'sig', op: '<' },
              ],
            },
            { field: 'sig', op: '==' },
          ],
        },
        { field: 'comm', op: '!=', value: { kind: 'string', value: 'bash' } },
      ],
    });
    for (const g of ['"*sh"', '"sh*"', '"*sh*"', '"ba*sh"']) {
      expect(ok(`prev_comm ~ ${g}`)).toMatchObject({ op: '~', value: { kind: 'string' } });
    }
  });

  it('string fields: char[N], __data_loc char[], single quotes, the comm pseudo-field', () => {
    expect(ok("prev_comm == 'bash'")).toMatchObject({ value: { value: 'bash', quote: "'" } });
    expect(ok('name == "kmalloc-64"', kmemCacheFree)).toMatchObject({ field: 'name' });
    expect(ok('COMM == "bash"')).toMatchObject({ field: 'COMM' });
    expect(ok('comm ~ "!ba*"')).toMatchObject({ value: { negate: true } });
    expect(ok('ptr.ustring == "x"', [{ name: 'ptr', type: 'char *' }])).toMatchObject({
      ustring: true,
    });
  });

  it('&& binds tighter than ||; ! applies to the next term', () => {
    expect(ok('prev_pid == 1 || prev_pid == 2 && next_pid == 3')).toMatchObject({
      kind: 'or',
      operands: [{ kind: 'pred' }, { kind: 'and' }],
    });
    expect(ok('!prev_pid == 1 && next_pid == 2')).toMatchObject({
      kind: 'and',
      operands: [{ kind: 'not', operand: { field: 'prev_pid' } }, { field: 'next_pid' }],
    });
    expect(ok('!(prev_pid == 1 || next_pid == 2)')).toMatchObject({
      kind: 'not',
      operand: { kind: 'or' },
    });
    expect(ok('!!prev_pid == 1')).toMatchObject({ kind: 'pred' });
  });

  it('filter/event-filter-function.tc: FIELD.function == SYMBOL or ADDRESS', () => {
    expect(ok('call_site.function == kmem_cache_free', kmemCacheFree)).toMatchObject({
      function: true,
      value: { kind: 'function', symbol: 'kmem_cache_free' },
    });
    expect(ok('call_site.function == 0xffffffff81234560', kmemCacheFree)).toMatchObject({
      value: { kind: 'function', address: 0xffffffff81234560n },
    });
  });

  it('CPUS{} on cpumask, cpu and numeric fields', () => {
    expect(ok('cpumask & CPUS{17-42}', ipiSendCpumask)).toMatchObject({
      value: { kind: 'cpus', list: '17-42' },
    });
    expect(ok('cpu == CPUS{0,2-3}')).toMatchObject({ field: 'cpu' });
    expect(ok('prev_pid != CPUS{0-15:2/4}')).toMatchObject({ op: '!=' });
    expect(ok('cpumask & CPUS{all}', ipiSendCpumask)).toMatchObject({ op: '&' });
  });

  it('"0" clears, with any surrounding whitespace', () => {
    expect(parseFilter('0', schedSwitch)).toEqual({ ok: true, value: { kind: 'clear' } });
    expect(parseFilter(' 0 \n', schedSwitch)).toEqual({ ok: true, value: { kind: 'clear' } });
    expect(formatFilter({ kind: 'clear' })).toBe('none\n');
  });

  it('the file echoes the written text minus trailing whitespace', () => {
    const r = parseFilter('  prev_pid==1\t&&  next_pid>2 \n', schedSwitch);
    expect(r.ok).toBe(true);
    if (r.ok) expect(formatFilter(r.value)).toBe('  prev_pid==1\t&&  next_pid>2\n');
  });

  it('accepts and ignores a dangling && / || / ! at the very end', () => {
    expect(ok('prev_pid == 1 &&')).toMatchObject({ kind: 'pred', field: 'prev_pid' });
    expect(ok('prev_pid == 1 || ')).toMatchObject({ kind: 'pred' });
    expect(ok('prev_pid == 1 && !')).toMatchObject({ kind: 'pred' });
  });

  it('finds event fields before generic and common ones', () => {
    const withCpu: FilterFieldSpec[] = [{ name: 'cpu', type: 'char[8]' }];
    expect(ok('cpu == "x"', withCpu)).toMatchObject({ value: { kind: 'string' } });
    expect(bad('cpu == 1', withCpu).reason).toBe('Expecting string field');
  });
});

describe('event filters: rejected forms, errnos and the error report', () => {
  it('reports an unknown field with the kernel caret and message', () => {
    const r = bad('foo == 1');
    expect(r.code).toBe('EINVAL');
    expect(r.fileText).toBe('foo == 1\n    ^\nparse_error: Field not found\n\n');
  });

  it('trigger/trigger-filter.tc: "a", "common_pid=0", "common_pid==b", "common_pid == child_pid"', () => {
    expect(bad('a').reason).toContain('Field not found');
    const eq = bad('common_pid=0');
    expect(eq.code).toBe('EINVAL');
    expect(eq.fileText).toBe(`common_pid=0\n${' '.repeat(11)}^\nparse_error: Invalid operator\n\n`);
    expect(bad('common_pid==b').reason).toBe('Invalid value (did you forget quotes)?');
    expect(bad('common_pid == child_pid').reason).toBe('Invalid value (did you forget quotes)?');
  });

  it('requires quotes around strings (no unquoted comm != bash since the 4.17 rewrite)', () => {
    expect(bad('prev_comm == bash').reason).toBe('Invalid value (did you forget quotes)?');
  });

  it('checks operators and operand kinds', () => {
    expect(bad('prev_comm > "a"').reason).toBe('Illegal operation for field type');
    expect(bad('prev_pid == "a"').reason).toBe('Expecting numeric field');
    expect(bad('prev_comm == 1').reason).toBe('Expecting string field');
    expect(bad('prev_pid ~ 1').reason).toBe('Illegal operation for field type');
    expect(bad('common_flags == -1').reason).toContain('Illegal integer value');
    expect(bad('prev_pid == 1x').reason).toContain('Illegal integer value');
    expect(bad('prev_pid == 99999999999999999999').reason).toContain('Illegal integer value');
    expect(bad(`prev_pid == ${'9'.repeat(24)}`).reason).toBe('Operand too long');
    expect(bad(`prev_comm == "${'x'.repeat(256)}"`).reason).toBe('Operand too long');
  });

  it('leaks parser-internal negative values as EPERM, ENOENT and ESRCH', () => {
    expect(bad('prev_pid == 1)').code).toBe('EPERM');
    expect(bad('(prev_pid == 1').code).toBe('ENOENT');
    expect(bad('prev_comm == "bash').code).toBe('ESRCH');
    expect(bad('prev_pid == 1 next_pid == 2').code).toBe('EPERM');
    expect(bad('prev_pid == 1 & 2').code).toBe('EPERM');
    const noField = bad('== 1');
    expect(noField.code).toBe('EPERM');
    expect(noField.fileText).toBe('== 1\nError: (0)\n\n');
  });

  it('places the caret for calc_stack() errors', () => {
    expect(bad('prev_pid == 1)').fileText).toBe(
      `prev_pid == 1)\n${' '.repeat(13)}^\nparse_error: Too few '('\n\n`,
    );
    expect(bad('x == 1 && (prev_pid == 1').fileText).toBe(
      `x == 1 && (prev_pid == 1\n${' '.repeat(10)}^\nparse_error: Too many '('\n\n`,
    );
  });

  it('an empty filter, "()" and a lone "!" are EINVAL', () => {
    expect(bad('').code).toBe('EINVAL');
    expect(bad('\n').fileText).toBe('\nError: (0)\n\n');
    expect(bad('()').code).toBe('EINVAL');
    const not = bad('!');
    expect(not.code).toBe('EINVAL');
    expect(not.reason).toBe('No filter found');
  });

  it('.function needs a long-sized field, == or !=, and a known function', () => {
    expect(bad('call_site.function == no_such_func', kmemCacheFree).reason).toContain(
      'Function not found',
    );
    expect(bad('call_site.function > kfree', kmemCacheFree).reason).toBe('Invalid operator');
    expect(bad('prev_pid.function == schedule').reason).toBe('Illegal operation for field type');
  });

  it('CPUS{} errors', () => {
    expect(bad('cpumask == CPUS2', ipiSendCpumask).reason).toBe("Missing '{'");
    expect(bad('cpumask == CPUS{1', ipiSendCpumask).reason).toBe("Missing '}'");
    expect(bad('cpumask == CPUS{}', ipiSendCpumask).reason).toBe('Invalid cpulist');
    expect(bad('cpumask == CPUS{x}', ipiSendCpumask).reason).toBe('Invalid cpulist');
    expect(bad('cpumask == CPUS{3-1}', ipiSendCpumask).reason).toBe('Invalid cpulist');
    expect(bad('cpumask == CPUS{64}', ipiSendCpumask).reason).toBe('Invalid cpulist');
    expect(bad('cpumask > CPUS{1}', ipiSendCpumask).reason).toBe(
      'Illegal operation for field type',
    );
    expect(bad('prev_comm == CPUS{1}').reason).toBe('Illegal operation for field type');
  });

  it('rejects writes of PAGE_SIZE bytes without installing a report', () => {
    const r = bad(`prev_pid == 1 ${' '.repeat(4096)}`);
    expect(r.code).toBe('EINVAL');
    expect(r.fileText).toBeUndefined();
  });

  it('parseFilterExpression (trigger filters) has no "0" shortcut', () => {
    const r = parseFilterExpression('0', schedSwitch);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('Field not found');
  });
});

interface Gen {
  readonly text: string;
  readonly evaluate: (rec: Readonly<Record<string, number>>) => boolean;
}

const intFields: FilterFieldSpec[] = [
  { name: 'a', type: 'int' },
  { name: 'b', type: 'int' },
  { name: 'c', type: 'int' },
];

function evaluate(node: FilterNode, rec: Readonly<Record<string, number>>): boolean {
  switch (node.kind) {
    case 'not':
      return !evaluate(node.operand, rec);
    case 'and':
      return node.operands.every((n) => evaluate(n, rec));
    case 'or':
      return node.operands.some((n) => evaluate(n, rec));
    case 'pred': {
      if (node.value.kind !== 'number') throw new Error('numeric only');
      const x = BigInt(rec[node.field] ?? 0);
      const v = node.value.value;
      switch (node.op) {
        case '==':
          return x === v;
        case '!=':
          return x !== v;
        case '<':
          return x < v;
        case '<=':
          return x <= v;
        case '>':
          return x > v;
        case '>=':
          return x >= v;
        case '&':
          return (x & v) !== 0n;
        case '~':
          throw new Error('no glob on numbers');
      }
    }
  }
}

const space = fc.constantFrom('', ' ', '  ', '\t');

const leaf: fc.Arbitrary<Gen> = fc
  .tuple(
    fc.constantFrom('a', 'b', 'c'),
    fc.constantFrom('==', '!=', '<', '<=', '>', '>=', '&'),
    fc.integer({ min: 0, max: 3 }),
    space,
    space,
  )
  .map(([f, op, v, s1, s2]) => ({
    text: `${f}${s1}${op}${s2}${v}`,
    evaluate: (rec: Readonly<Record<string, number>>) => {
      const x = rec[f] ?? 0;
      switch (op) {
        case '==':
          return x === v;
        case '!=':
          return x !== v;
        case '<':
          return x < v;
        case '<=':
          return x <= v;
        case '>':
          return x > v;
        case '>=':
          return x >= v;
        default:
          return (x & v) !== 0;
      }
    },
  }));

const expr: fc.Memo<Gen> = fc.memo((depth: number): fc.Arbitrary<Gen> => {
  const term: fc.Arbitrary<Gen> = fc
    .tuple(
      depth > 1
        ? fc.oneof(
            leaf,
            expr(depth - 1).map((g) => ({ ...g, text: `(${g.text})` })),
          )
        : leaf,
      fc.integer({ min: 0, max: 2 }),
    )
    .map(([g, nots]) => ({
      text: `${'!'.repeat(nots)}${g.text}`,
      evaluate: (rec: Readonly<Record<string, number>>) =>
        nots % 2 === 1 ? !g.evaluate(rec) : g.evaluate(rec),
    }));
  return fc
    .tuple(term, fc.array(fc.tuple(fc.constantFrom('&&', '||'), space, term), { maxLength: 3 }))
    .map(([first, rest]) => {
      let text = first.text;
      // Split at || into groups of &&: that is the kernel's precedence.
      const groups: Gen[][] = [[first]];
      for (const [op, s, t] of rest) {
        text += ` ${op}${s}${t.text}`;
        if (op === '||') groups.push([t]);
        else groups[groups.length - 1]!.push(t);
      }
      return {
        text,
        evaluate: (rec: Readonly<Record<string, number>>) =>
          groups.some((g) => g.every((t) => t.evaluate(rec))),
      };
    });
});

describe('properties', () => {
  it('never throws on arbitrary text', () => {
    const filterish = fc
      .array(
        fc.constantFrom(
          'prev_pid',
          'prev_comm',
          ' ',
          '==',
          '!',
          '(',
          ')',
          '&&',
          '||',
          '&',
          '|',
          '"',
          "'",
          '1',
          '-',
          '0x',
          '~',
          'CPUS{',
          '}',
          '.function',
          'x',
        ),
        { maxLength: 25 },
      )
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), filterish), (s) => {
        const r = parseFilter(s, schedSwitch);
        if (r.ok) formatFilter(r.value);
        parseFilterExpression(s, schedSwitch);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('parses generated filters with the kernel precedence, and the file echoes them', () => {
    const rec = fc.record({
      a: fc.integer({ min: 0, max: 3 }),
      b: fc.integer({ min: 0, max: 3 }),
      c: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(
        expr(3),
        fc.array(rec, { minLength: 1, maxLength: 4 }),
        space,
        (g, recs, trail) => {
          const r = parseFilter(`${g.text}${trail}\n`, intFields);
          if (!r.ok) throw new Error(`${g.text}: ${r.code} ${r.reason}`);
          expect(formatFilter(r.value)).toBe(`${g.text}\n`);
          if (r.value.kind !== 'filter') throw new Error('cleared');
          for (const x of recs) expect(evaluate(r.value.root, x)).toBe(g.evaluate(x));
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });
});
