/**
 * Shared machinery of the fuzz tests: arbitraries for malformed input to every entry point of
 * the facade, a runner that applies one generated operation to a mount and classifies what
 * came back, and the leak check (close everything, shrink, compare with a fresh mount holding
 * the same instances and kprobes).
 *
 * The contract checked, from README.md / docs/getting-started.md and the kernel:
 * - a call whose JS arguments are what the API takes either succeeds or throws an FsError
 *   whose code is one the kernel could return for that system call (ALLOWED below);
 * - a call with an argument of the wrong JS type (or out of range: a mode above 0o7777, a uid
 *   of -5 or 1.5) throws a TypeError with code 'ERR_INVALID_ARG_TYPE' before any system call;
 * - nothing else, ever: no plain Error, no KernelBugError, no TypeError from deep inside.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  createCatalog,
  defaultCatalog,
  FsError,
  KernelBugError,
  mount,
  type Counters,
  type Cred,
  type EventCatalog,
  type Op,
  type OpenFile,
  type Tracefs,
} from '../../src/index';

// ---- the mount under test ----------------------------------------------------------------------

const real = defaultCatalog();
const layout = (system: string, name: string) => {
  const e = real.findSystem(system)!.events.find((x) => x.name === name)!;
  return { name, fields: e.fields, printFmt: e.printFmt };
};

/** A small catalog with real layouts, so that filters and triggers have fields to parse. */
export const CATALOG: EventCatalog = createCatalog([
  {
    name: 'sched',
    events: [layout('sched', 'sched_switch'), layout('sched', 'sched_process_fork')],
  },
  { name: 'irq', events: [layout('irq', 'irq_handler_entry')] },
  { name: 'kmem', events: [layout('kmem', 'kfree')] },
]);

export function freshMount(): Tracefs {
  return mount({ catalog: CATALOG });
}

// ---- paths -----------------------------------------------------------------------------------

const EVENT_FILES = ['enable', 'filter', 'trigger', 'format', 'id'];
const EVENT_DIRS = [
  'sched/sched_switch',
  'sched/sched_process_fork',
  'irq/irq_handler_entry',
  'kmem/kfree',
  'kprobes/p1',
  'kprobes/p_vfs_read_0',
  'grp/e1',
];
const PER_INSTANCE = [
  '',
  'set_event',
  'tracing_on',
  'current_tracer',
  'available_tracers',
  'events',
  'events/enable',
  'events/header_page',
  'events/header_event',
  'events/sched',
  'events/sched/enable',
  'events/sched/filter',
  'events/kprobes',
  'events/kprobes/enable',
  'events/kprobes/filter',
  ...EVENT_DIRS.map((d) => `events/${d}`),
  ...EVENT_DIRS.flatMap((d) => EVENT_FILES.map((f) => `events/${d}/${f}`)),
];
const INSTANCES = ['instances/a', 'instances/b'];

/** Paths that name something (or almost): the root's files, events, instances. */
export const GOOD_PATHS: readonly string[] = [
  '.',
  '/',
  'available_events',
  'kprobe_events',
  'instances',
  ...PER_INSTANCE.map((p) => p.replace(/\/$/, '')).filter((p) => p !== ''),
  ...INSTANCES,
  ...INSTANCES.flatMap((i) => PER_INSTANCE.filter((p) => p !== '').map((p) => `${i}/${p}`)),
];

const goodPath = fc.constantFrom(...GOOD_PATHS);

/** A string made of path-ish pieces: names, dots, slashes, odd bytes. */
const pathPiece = fc.oneof(
  fc.constantFrom('', '.', '..', '...', ' ', 'events', 'sched', 'instances', 'a', 'enable', '*'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

/** Malformed strings, by the families the brief asks for. */
export const badPath: fc.Arbitrary<string> = fc.oneof(
  // '.', '..', '//' and a trailing '/' around a good path
  fc
    .tuple(
      goodPath,
      fc.constantFrom('/', '//', './', '/.', '/..', '/../', '/./', '/'),
      fc.boolean(),
    )
    .map(([p, s, front]) => (front ? `${s}${p}` : `${p}${s}`)),
  // long '..' chains, in front of or behind a good path, or inside it
  fc
    .tuple(goodPath, fc.integer({ min: 1, max: 1400 }), fc.constantFrom(0, 1, 2))
    .map(([p, n, where]) =>
      where === 0
        ? `${'../'.repeat(n)}${p}`
        : where === 1
          ? `${p}${'/..'.repeat(n)}`
          : `${p}/${'x/../'.repeat(Math.min(n, 800))}`,
    ),
  // a NUL byte somewhere
  fc
    .tuple(goodPath, fc.nat())
    .map(([p, i]) => `${p.slice(0, i % (p.length + 1))}\0${p.slice(i % (p.length + 1))}`),
  // 4 KB names and paths around PATH_MAX (4096 bytes with the NUL)
  fc.constantFrom(
    'a'.repeat(4096),
    'a'.repeat(4095),
    `${'a/'.repeat(2047)}a`,
    `events/${'b'.repeat(4089)}`,
    `${'./'.repeat(2047)}.`,
    '/'.repeat(4095),
    'é'.repeat(2048),
  ),
  // components of 255, 256 and 300 bytes, ASCII and multi-byte
  fc
    .tuple(
      fc.constantFrom('', 'events/', 'instances/', 'events/sched/', 'instances/a/events/'),
      fc.constantFrom(255, 256, 300),
      fc.constantFrom('x', 'é', '😀'),
    )
    .map(([dir, bytes, ch]) => {
      const unit = new TextEncoder().encode(ch).length;
      return `${dir}${ch.repeat(Math.ceil(bytes / unit))}`;
    }),
  // pieces joined with slashes
  fc.array(pathPiece, { maxLength: 6 }).map((a) => a.join('/')),
  fc.constant(''),
);

export const anyPath: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: goodPath },
  { weight: 3, arbitrary: badPath },
);

/** Not strings at all. */
export const nonString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(undefined, null, true, false, Symbol('path'), 10n, new String('events')),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  fc.func(fc.string()),
);

// ---- credentials, modes, ids -----------------------------------------------------------------

const id = fc.integer({ min: 0, max: 70000 });
const badId = fc.constantFrom<unknown>(
  -5,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 32,
  0xffffffff,
  '0',
  null,
  undefined,
  Symbol('id'),
  10n,
);

/** A credential the API takes: undefined (root), or { uid, gid, groups? } of valid ids. */
export const goodCred: fc.Arbitrary<Cred | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant({ uid: 0, gid: 0, groups: [1000] }) },
  { weight: 1, arbitrary: fc.record({ uid: id, gid: id }) },
  { weight: 1, arbitrary: fc.record({ uid: id, gid: id, groups: fc.array(id, { maxLength: 4 }) }) },
  // accounts that own things in the generated state (chown to 1000, remount uid=1000, ...)
  {
    weight: 2,
    arbitrary: fc.record({
      uid: fc.constantFrom(0, 1000, 1001),
      gid: fc.constantFrom(0, 1000, 1001),
      groups: fc.constantFrom([], [1000], [0, 1001]),
    }),
  },
);

/** Credentials of the wrong shape: negative or fractional ids, groups that are not arrays, ... */
export const badCred: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ uid: badId, gid: id }),
  fc.record({ uid: id, gid: badId }),
  fc.record({
    uid: id,
    gid: id,
    groups: fc.oneof(
      fc.array(
        badId.filter((x) => x !== undefined),
        { minLength: 1, maxLength: 3 },
      ),
      fc.constantFrom<unknown>('x', 5, null, { 0: 1 }),
    ),
  }),
  fc.constantFrom<unknown>(null, 0, 'root', Symbol('cred'), [], {}),
);

export const anyCred: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: goodCred },
  { weight: 1, arbitrary: badCred },
);

export const goodMode = fc.integer({ min: 0, max: 0o7777 });
export const anyMode: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: goodMode },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.integer({ min: 0o10000, max: 0o177777 }),
      fc.integer({ min: -0o7777, max: -1 }),
      fc.constantFrom<unknown>(1.5, Number.NaN, '0755', null, Symbol('mode'), 2 ** 40),
    ),
  },
);

const chownId: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.oneof(fc.constant(-1), id, fc.constantFrom(0, 1000, 1001)) },
  { weight: 1, arbitrary: badId.filter((x) => x !== -1) },
);

// ---- what gets written -------------------------------------------------------------------------

const ident = fc.oneof(
  fc.constantFrom('p1', 'e1', 'myprobe', 'p_vfs_read_0', 'x', '_', 'a-b', 'A9'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/),
  fc.string({ maxLength: 10 }),
  fc.constantFrom('a'.repeat(64), 'a'.repeat(65), '1abc', 'a.b', ''),
);
const symbol = fc.oneof(
  fc.constantFrom(
    'vfs_read',
    'schedule',
    'kernel_clone',
    'do_exit',
    'inet_csk_accept',
    'nosuch_func',
    'vfs_read+3',
    'vfs_read+0',
    'vfs_read-1',
    'vfs_read%return',
    'vfs_read+8%return',
    '0xffffffff81000000',
    '0x',
    'mod:vfs_read',
    'ext4:ext4_sync_fs',
    '',
  ),
  fc.string({ maxLength: 10 }),
);
const fetchArg = fc.oneof(
  fc.constantFrom(
    '$stack',
    '$stack0',
    '$stack2049',
    '$retval',
    '$comm',
    '$arg1',
    '$arg*',
    '%ax',
    '%di',
    '%zz',
    '+0(%di):string',
    '+8(%si):u32',
    '-4($stack)',
    '+0(+0(+0(%ax)))',
    '@_sdata',
    '@jiffies:u64',
    '@nosuch',
    '@0xffff',
    '\\1',
    '\\-7',
    '\\"abc"',
    '\\"',
    '%ax:b4@4/32',
    '%ax:u8[4]',
    '%ax:u8[65]',
    '%ax:x64',
    '%ax:symbol',
    '%ax:char',
    '$comm:string',
    'hoge',
    '&1',
    '+0(',
    ')',
  ),
  fc
    .tuple(ident, fc.constantFrom('%ax', '$stack', '+0(%di):string', '\\1'))
    .map(([n, a]) => `${n}=${a}`),
  fc.string({ maxLength: 12 }),
);

/** Lines for kprobe_events: valid fragments and garbage, sometimes several in one write. */
export const kprobeLine: fc.Arbitrary<string> = fc.oneof(
  // mostly well-formed: a probe that registers, on the events the paths above name
  fc
    .tuple(
      fc.constantFrom('p', 'r', 'r10'),
      fc.constantFrom('p1', 'grp/e1', 'kprobes/p1', 'grp/', ''),
      fc.constantFrom('vfs_read', 'schedule', 'do_exit', 'kernel_clone'),
      fc.array(
        fc.constantFrom('$stack', '%ax', 'x=%di:u32', '+0(%si):string', '$comm', '\\7', '@jiffies'),
        { maxLength: 3 },
      ),
    )
    .map(([t, name, sym, args]) => [name === '' ? t : `${t}:${name}`, sym, ...args].join(' ')),
  fc
    .tuple(
      fc.constantFrom('p', 'r', 'r10', 'r4096', 'r4097', 'p5', 'a', '', '!p', 'P', 'pr'),
      fc.option(
        fc.oneof(
          ident,
          fc.tuple(ident, ident).map(([g, e]) => `${g}/${e}`),
          ident.map((g) => `${g}/`),
          ident.map((e) => `kprobes/${e}`),
          ident.map((e) => `grp/${e}`),
        ),
      ),
      symbol,
      fc.array(fetchArg, { maxLength: 4 }),
      fc.constantFrom(' ', '\t', '  ', ' \t '),
    )
    .map(([t, name, sym, args, ws]) => [name === null ? t : `${t}:${name}`, sym, ...args].join(ws)),
  fc
    .tuple(
      fc.option(fc.constantFrom('kprobes/', 'grp/', '*/', '/')),
      ident,
      fc.array(symbol, { maxLength: 2 }),
    )
    .map(([g, e, rest]) => [`-:${g ?? ''}${e}`, ...rest].join(' ')),
  fc.constantFrom(
    'p:p1 vfs_read',
    'p:grp/e1 schedule',
    'r:p1 vfs_read',
    '-:p1',
    '-:grp/e1',
    '#c',
    '',
  ),
  fc.string({ maxLength: 30 }),
);
const kprobeText = fc.oneof(
  { weight: 4, arbitrary: kprobeLine },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(kprobeLine, { minLength: 2, maxLength: 4 }), fc.boolean())
      .map(([ls, nl]) => ls.join('\n') + (nl ? '\n' : '')),
  },
);

const setEventText = fc.oneof(
  fc.constantFrom(
    'sched:*',
    '*:*',
    '!*:*',
    'sched',
    '!sched',
    'sched:sched_switch',
    'irq:',
    ':irq_handler_entry',
    ':',
    '*',
    'kprobes',
    'kprobes:p1',
    'grp:e1',
    'nosuch',
    'a:b:c',
    ' sched:sched_switch  irq ',
    '!',
    '\n',
  ),
  fc
    .array(fc.constantFrom('sched', 'irq', '!kmem', 'sched:sched_switch', 'x:y', '*:*'), {
      maxLength: 4,
    })
    .map((a) => a.join(' ')),
  fc.string({ maxLength: 140 }),
);
const filterText = fc.oneof(
  fc.constantFrom(
    '0',
    'common_pid == 1',
    'prev_pid > 0 && next_pid < 5',
    'prev_comm ~ "ba*"',
    'prev_comm == "x" || !(next_prio >= 3)',
    'child_pid == 0',
    'call_site.function == vfs_read',
    'call_site.function == 0xffffffff81000000',
    'common_pid & 1',
    'CPU == 0',
    'common_cpu & 0x3',
    'cpumask & 1-3',
    'nosuch == 1',
    'common_pid ==',
    '((((common_pid == 1))))',
    '('.repeat(40) + 'common_pid == 1' + ')'.repeat(40),
    '"unterminated',
    '&&',
    'common_pid == 1 &&',
    '!',
  ),
  fc
    .array(
      fc.constantFrom(
        'common_pid',
        '==',
        '!=',
        '1',
        '"a"',
        '&&',
        '||',
        '(',
        ')',
        '!',
        '~',
        'prev_pid',
        '>',
        '<=',
      ),
      { maxLength: 10 },
    )
    .map((a) => a.join(' ')),
  fc.string({ maxLength: 40 }),
);
const triggerText = fc.oneof(
  fc.constantFrom(
    'traceon',
    'traceoff',
    'traceoff:5',
    'traceon:1 if common_pid == 1',
    '!traceon',
    '!traceoff:unlimited',
    'stacktrace',
    'stacktrace:foo',
    'snapshot',
    'enable_event:sched:sched_switch',
    'disable_event:irq:irq_handler_entry:3',
    '!enable_event:sched:sched_switch',
    'enable_event:kprobes:p1',
    'enable_event:nosys:noevent',
    'enable_hist:sched:sched_switch',
    'hist:keys=common_pid',
    'traceon if nosuch == 1',
    'traceon+1',
    '',
    '\n',
  ),
  fc.string({ maxLength: 40 }),
);
const enableText = fc.oneof(
  fc.constantFrom('0', '1', '2', '-1', ' 1', '1 ', '01', '0x1', '', 'X', '1\n\n'),
  fc.string({ maxLength: 6 }),
);
const numberText = fc.oneof(
  fc.constantFrom('0', '1', '42', '-1', '0x10', '18446744073709551615', '18446744073709551616', ''),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.string({ maxLength: 8 }),
);
const tracerText = fc.oneof(
  fc.constantFrom('nop', 'function', 'function_graph', 'wakeup', 'blk', ' nop ', 'nop\n', ''),
  fc.string({ maxLength: 120 }),
);

const MB = 1 << 20;
/** 1 MB writes, built once. */
export const HUGE: readonly string[] = [
  'a'.repeat(MB),
  '1'.repeat(MB),
  '\n'.repeat(MB),
  `p:big vfs_read ${'x'.repeat(MB)}`,
  '#'.repeat(MB),
  'sched:sched_switch '.repeat(Math.floor(MB / 19)),
  '!sched '.repeat(Math.floor(MB / 7)),
  'common_pid == 1 && '.repeat(Math.floor(MB / 19)),
  `traceon if ${'common_pid == 1 || '.repeat(Math.floor(MB / 19))}`,
  '-:p1\n'.repeat(Math.floor(MB / 5)),
];

/** Text for a write, with the file it is meant for (garbage goes anywhere). */
export const writeTarget: fc.Arbitrary<{ path: string; data: string }> = fc.oneof(
  fc.record({ path: fc.constant('kprobe_events'), data: kprobeText }),
  fc.record({
    path: fc.constantFrom('set_event', 'instances/a/set_event'),
    data: setEventText,
  }),
  fc.record({
    path: fc.constantFrom(
      'events/sched/sched_switch/filter',
      'events/sched/filter',
      'events/kmem/kfree/filter',
      'instances/a/events/sched/sched_process_fork/filter',
      'events/kprobes/p1/filter',
    ),
    data: filterText,
  }),
  fc.record({
    path: fc.constantFrom(
      'events/sched/sched_process_fork/trigger',
      'events/irq/irq_handler_entry/trigger',
      'instances/a/events/sched/sched_switch/trigger',
      'events/kprobes/p1/trigger',
    ),
    data: triggerText,
  }),
  fc.record({
    path: fc.constantFrom(
      'events/enable',
      'events/sched/enable',
      'events/sched/sched_switch/enable',
      'events/kprobes/enable',
      'events/kprobes/p1/enable',
      'instances/a/events/enable',
      'instances/b/events/irq/irq_handler_entry/enable',
    ),
    data: enableText,
  }),
  fc.record({
    path: fc.constantFrom('tracing_on', 'instances/a/tracing_on'),
    data: numberText,
  }),
  fc.record({
    path: fc.constantFrom('current_tracer', 'instances/b/current_tracer'),
    data: tracerText,
  }),
  fc.record({ path: anyPath, data: fc.string({ maxLength: 40 }) }),
  fc.record({
    path: fc.constantFrom(
      'kprobe_events',
      'set_event',
      'tracing_on',
      'current_tracer',
      'events/sched/sched_switch/filter',
      'events/sched/filter',
      'events/sched/sched_process_fork/trigger',
      'events/enable',
      'available_events',
    ),
    data: fc.constantFrom(...HUGE),
  }),
);

// ---- operations ----------------------------------------------------------------------------------

/** One generated call. Arguments are `unknown`: they may be of the wrong type on purpose. */
export type FuzzOp =
  | {
      readonly kind: 'stat' | 'readdir' | 'readFile' | 'rmdir';
      readonly path: unknown;
      readonly cred: unknown;
    }
  | {
      readonly kind: 'open';
      readonly path: unknown;
      readonly flags: unknown;
      readonly cred: unknown;
    }
  | {
      readonly kind: 'writeFile' | 'appendFile';
      readonly path: unknown;
      readonly data: unknown;
      readonly cred: unknown;
    }
  | {
      readonly kind: 'mkdir';
      readonly path: unknown;
      readonly mode: unknown;
      readonly cred: unknown;
    }
  | {
      readonly kind: 'chmod';
      readonly path: unknown;
      readonly mode: unknown;
      readonly cred: unknown;
    }
  | {
      readonly kind: 'chown';
      readonly path: unknown;
      readonly uid: unknown;
      readonly gid: unknown;
      readonly cred: unknown;
    }
  | { readonly kind: 'remount'; readonly options: unknown }
  | { readonly kind: 'shrink' }
  | { readonly kind: 'fread'; readonly file: number; readonly len: unknown }
  | { readonly kind: 'fwrite'; readonly file: number; readonly data: unknown }
  | { readonly kind: 'fclose'; readonly file: number };

export type Kind = FuzzOp['kind'];

const mkdirPath = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('instances/a', 'instances/b', 'instances/c') },
  { weight: 2, arbitrary: anyPath },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.string({ maxLength: 8 }).map((s) => `instances/${s}`),
      fc.constantFrom(
        'instances/x'.padEnd(266, 'x'),
        'instances/a/b',
        'instances/.',
        'instances/..',
        'instances/',
      ),
    ),
  },
);
const flags = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('r', 'r+', 'w', 'w+', 'a', 'a+') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('rw', 'x', '', 0, null, 'R') },
);
const mountOptions: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      uid: fc.oneof(id, fc.constantFrom(0, 1000)),
      gid: fc.oneof(id, fc.constantFrom(0, 1000)),
      mode: goodMode,
    },
    { requiredKeys: [] },
  ),
  fc.record({ uid: badId.filter((x) => x !== undefined) }),
  fc.record({ gid: badId.filter((x) => x !== undefined) }),
  fc.record({
    mode: anyMode.filter(
      (m) =>
        !(Number.isInteger(m) && (m as number) >= 0 && (m as number) <= 0o7777) && m !== undefined,
    ),
  }),
  fc.constantFrom<unknown>(null, 5, 'uid=0', undefined, {}),
);

/** An arbitrary op; `strict` leaves out the arguments of the wrong JS type. */
export function fuzzOp(opts: {
  wrongTypes: boolean;
  nonStringPaths?: boolean;
}): fc.Arbitrary<FuzzOp> {
  const path: fc.Arbitrary<unknown> =
    opts.nonStringPaths === true
      ? fc.oneof({ weight: 6, arbitrary: anyPath }, { weight: 1, arbitrary: nonString })
      : anyPath;
  const cred = opts.wrongTypes ? anyCred : goodCred;
  const mode = opts.wrongTypes ? anyMode : goodMode;
  const cid = opts.wrongTypes ? chownId : fc.oneof(fc.constant(-1), id);
  const data: fc.Arbitrary<unknown> = opts.wrongTypes
    ? fc.oneof(
        { weight: 8, arbitrary: fc.string({ maxLength: 30 }) },
        { weight: 1, arbitrary: nonString },
      )
    : fc.string({ maxLength: 30 });
  const fl = opts.wrongTypes ? flags : fc.constantFrom('r', 'r+', 'w', 'w+', 'a', 'a+');
  const len: fc.Arbitrary<unknown> = opts.wrongTypes
    ? fc.oneof(
        fc.constant(undefined),
        fc.nat(5000),
        fc.constantFrom<unknown>(-1, 1.5, '3', null, 1e12),
      )
    : fc.oneof(fc.constant(undefined), fc.nat(5000));
  const write = writeTarget.chain(({ path: p, data: d }) =>
    fc.record({
      kind: fc.constantFrom('writeFile' as const, 'appendFile' as const),
      path: fc.constant<unknown>(p),
      data: fc.constant<unknown>(d),
      cred,
    }),
  );
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constantFrom('stat' as const, 'readdir' as const, 'readFile' as const),
        path,
        cred,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('rmdir' as const),
        path: fc.oneof(mkdirPath, path),
        cred,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('open' as const), path, flags: fl, cred }),
    },
    { weight: 6, arbitrary: write },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom('writeFile' as const, 'appendFile' as const),
        path,
        data,
        cred,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('mkdir' as const), path: mkdirPath, mode, cred }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('chmod' as const), path, mode, cred }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('chown' as const), path, uid: cid, gid: cid, cred }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('remount' as const),
        options: opts.wrongTypes ? mountOptions : mountOptions.filter(isGoodOptions),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'shrink' as const }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('fread' as const), file: fc.nat(7), len }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('fwrite' as const),
        file: fc.nat(7),
        data: fc.oneof(
          data,
          writeTarget.map((w) => w.data),
        ),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('fclose' as const), file: fc.nat(7) }) },
  );
}

// ---- what the API takes --------------------------------------------------------------------------

const isId = (v: unknown, minusOne: boolean): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= (minusOne ? -1 : 0) && v <= 0xfffffffe;
const isMode = (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o7777;

export function isGoodCred(c: unknown): boolean {
  if (c === undefined) return true;
  if (typeof c !== 'object' || c === null) return false;
  const r = c as { uid?: unknown; gid?: unknown; groups?: unknown };
  if (!isId(r.uid, false) || !isId(r.gid, false)) return false;
  if (r.groups === undefined) return true;
  return Array.isArray(r.groups) && r.groups.every((g) => isId(g, false));
}

export function isGoodOptions(o: unknown): boolean {
  if (o === undefined) return true;
  if (typeof o !== 'object' || o === null) return false;
  const r = o as Record<string, unknown>;
  return (
    (r.uid === undefined || isId(r.uid, false)) &&
    (r.gid === undefined || isId(r.gid, false)) &&
    (r.mode === undefined || isMode(r.mode))
  );
}

/** Which arguments of `op` are of a type or range the API refuses ('path' kept apart). */
export function wrongArgs(op: FuzzOp): { path: boolean; other: boolean } {
  const path = 'path' in op && typeof op.path !== 'string';
  let other = 'cred' in op && !isGoodCred(op.cred);
  switch (op.kind) {
    case 'open':
      other ||=
        op.flags !== undefined && !['r', 'r+', 'w', 'w+', 'a', 'a+'].includes(op.flags as string);
      break;
    case 'writeFile':
    case 'appendFile':
      other ||= typeof op.data !== 'string';
      break;
    case 'mkdir':
      other ||= op.mode !== undefined && !isMode(op.mode);
      break;
    case 'chmod':
      other ||= !isMode(op.mode);
      break;
    case 'chown':
      other ||= !isId(op.uid, true) || !isId(op.gid, true);
      break;
    case 'remount':
      other ||= !isGoodOptions(op.options);
      break;
    case 'fread':
      other ||= !(
        op.len === undefined ||
        (typeof op.len === 'number' && Number.isInteger(op.len) && op.len >= 0)
      );
      break;
    case 'fwrite':
      other ||= typeof op.data !== 'string';
      break;
    default:
      break;
  }
  return { path, other };
}

// ---- errnos ----------------------------------------------------------------------------------------

/** Path walk (getname, link_path_walk, may_lookup); EINVAL for a NUL byte (docs/semantics.md). */
const WALK = ['ENOENT', 'ENOTDIR', 'EACCES', 'ENAMETOOLONG', 'EINVAL'];
/** may_open, O_CREAT without ->create, EISDIR, the ->open of tracing files. */
const OPEN = [...WALK, 'EISDIR', 'ENODEV', 'EBUSY'];
/** ->read of tracing files: write-only files (EINVAL), events removed under an open file. */
const READ = ['EINVAL', 'ENODEV', 'EBADF', 'EISDIR'];
/**
 * ->write of tracing files: parser errors (EINVAL, E2BIG, ERANGE, and EPERM/ENOENT/ESRCH/
 * EOPNOTSUPP that leak out of the filter and probe parsers), EEXIST (a probe or trigger that
 * exists), EBUSY (a probe in use), ENOENT (unknown symbol, nothing to remove), ENODEV (removed
 * event or instance, no event id left).
 */
const WRITE = [
  'EINVAL',
  'E2BIG',
  'ERANGE',
  'EPERM',
  'ENOENT',
  'ESRCH',
  'EOPNOTSUPP',
  'EEXIST',
  'EBUSY',
  'ENODEV',
  'EBADF',
];

export const ALLOWED: Readonly<Record<Kind, ReadonlySet<string>>> = {
  stat: new Set(WALK),
  readdir: new Set(WALK),
  open: new Set(OPEN),
  readFile: new Set([...OPEN, ...READ]),
  writeFile: new Set([...OPEN, ...WRITE]),
  appendFile: new Set([...OPEN, ...WRITE]),
  // filename_create: EEXIST; no ->mkdir outside instances/: EPERM; ENODEV never (instance_mkdir
  // has no such path), ENOENT for a parent removed meanwhile.
  mkdir: new Set([...WALK, 'EEXIST', 'EPERM']),
  // do_rmdir: EBUSY for the root and busy instances, EINVAL for '.', ENOTEMPTY for '..'; EPERM
  // outside instances/; ENODEV from instance_rmdir for a name that is no instance.
  rmdir: new Set([...WALK, 'EBUSY', 'ENOTEMPTY', 'EPERM', 'ENODEV']),
  // setattr: EPERM (not the owner); ENODEV for an eventfs entry being removed.
  chmod: new Set([...WALK, 'EPERM', 'ENODEV']),
  chown: new Set([...WALK, 'EPERM', 'ENODEV']),
  remount: new Set(),
  shrink: new Set(),
  fread: new Set(READ),
  fwrite: new Set(WRITE),
  fclose: new Set(['EBADF']),
};

// ---- running -----------------------------------------------------------------------------------------

/** A mount under fuzzing, with the files its ops opened. */
export class Subject {
  readonly files: OpenFile[] = [];
  readonly seen = new Map<string, number>();
  constructor(readonly fs: Tracefs) {}

  private file(i: number): OpenFile | undefined {
    return this.files.length === 0 ? undefined : this.files[i % this.files.length];
  }

  /** Run one op; throws (a vitest assertion) when the outcome breaks the contract. */
  apply(op: FuzzOp): string {
    const wrong = wrongArgs(op);
    if (
      (op.kind === 'fread' || op.kind === 'fwrite' || op.kind === 'fclose') &&
      this.files.length === 0
    )
      return 'skipped';
    let outcome: string;
    try {
      this.call(op);
      outcome = 'ok';
    } catch (e) {
      outcome = classify(e, op, wrong);
    }
    if (wrong.path || wrong.other) {
      expect(outcome, `${describeOp(op)}: wrong argument types must be refused`).toMatch(
        /^TypeError/,
      );
    } else {
      expect(outcome, describeOp(op)).not.toMatch(/^TypeError/);
    }
    const key = `${op.kind}:${outcome}`;
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
    return outcome;
  }

  private call(op: FuzzOp): void {
    const fs = this.fs as unknown as Record<string, (...a: unknown[]) => unknown>;
    switch (op.kind) {
      case 'stat':
      case 'readdir':
      case 'readFile':
      case 'rmdir':
        fs[op.kind]!.call(this.fs, op.path, op.cred);
        return;
      case 'open':
        this.files.push(fs.open!.call(this.fs, op.path, op.flags, op.cred) as OpenFile);
        return;
      case 'writeFile':
      case 'appendFile':
        fs[op.kind]!.call(this.fs, op.path, op.data, op.cred);
        return;
      case 'mkdir':
      case 'chmod':
        fs[op.kind]!.call(this.fs, op.path, op.mode, op.cred);
        return;
      case 'chown':
        fs.chown!.call(this.fs, op.path, op.uid, op.gid, op.cred);
        return;
      case 'remount':
        fs.remount!.call(this.fs, op.options);
        return;
      case 'shrink':
        this.fs.shrink();
        return;
      case 'fread': {
        const f = this.file(op.file);
        if (f !== undefined) (f.read as (l: unknown) => string)(op.len);
        return;
      }
      case 'fwrite': {
        const f = this.file(op.file);
        if (f !== undefined) (f.write as (d: unknown) => number)(op.data);
        return;
      }
      case 'fclose':
        this.file(op.file)?.close();
        return;
    }
  }

  /** Close every file (EBADF for the ones already closed is fine). */
  closeAll(): void {
    for (const f of this.files) {
      try {
        f.close();
      } catch (e) {
        if (!(e instanceof FsError && e.code === 'EBADF')) throw e;
      }
    }
    this.files.length = 0;
  }
}

/** 'ok', 'FsError:CODE' or 'TypeError'; anything else fails the test. */
function classify(e: unknown, op: FuzzOp, wrong: { path: boolean; other: boolean }): string {
  const what = describeOp(op);
  if (e instanceof KernelBugError) {
    expect.fail(
      `${what}: KernelBugError ${e.violation.kind} in ${e.violation.site}: ${e.violation.message}`,
    );
  }
  if (e instanceof FsError) {
    expect(
      ALLOWED[op.kind].has(e.code),
      `${what}: ${e.code} (${e.detail ?? ''}) is not a plausible errno`,
    ).toBe(true);
    return `FsError:${e.code}`;
  }
  if (e instanceof TypeError) {
    const code = (e as TypeError & { code?: unknown }).code;
    // A non-string path is refused with a TypeError without Node's code (src/vfs/path.ts,
    // parsePath; see the report): the code is only required when something else is wrong.
    if (!(wrong.path && !wrong.other)) {
      expect(code, `${what}: TypeError without ERR_INVALID_ARG_TYPE: ${e.message}`).toBe(
        'ERR_INVALID_ARG_TYPE',
      );
    }
    return 'TypeError';
  }
  return expect.fail(`${what}: threw ${String(e)}`);
}

/** A short description of an op, for failure messages. */
export function describeOp(op: FuzzOp): string {
  const args = Object.entries(op)
    .filter(([k]) => k !== 'kind')
    .map(([k, v]) => `${k}=${show(v)}`);
  return `${op.kind}(${args.join(', ')})`;
}

/** Any value as short text (symbols, bigints, null-prototype objects included). */
export function show(v: unknown): string {
  if (typeof v === 'string') {
    return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}...(${v.length} chars)` : v);
  }
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return `[${v.map(show).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}:${show(x)}`)
      .join(',')}}`;
  }
  return String(v);
}

// ---- leaks -------------------------------------------------------------------------------------------

/**
 * The pinned baseline of a mount with the same instances and kprobes as `fs`: a fresh mount of
 * the same catalog, given the same instances and the same kprobe_events lines, then shrunk.
 */
export function baselineOf(fs: Tracefs, catalog: EventCatalog = CATALOG): Counters {
  const b = mount({ catalog });
  for (const e of fs.readdir('instances')) {
    if (e.name !== '.' && e.name !== '..') b.mkdir(`instances/${e.name}`);
  }
  const probes = fs.readFile('kprobe_events');
  if (probes !== '') b.appendFile('kprobe_events', probes);
  expect(b.readFile('kprobe_events')).toBe(probes);
  b.shrink();
  expect(b.checkInvariants()).toEqual([]);
  return b.counters();
}

/** Everything closed and shrunk: the mount holds exactly its pinned objects. */
export function expectNoLeak(fs: Tracefs, catalog: EventCatalog = CATALOG): void {
  expect(fs.checkInvariants()).toEqual([]);
  fs.shrink();
  expect(fs.checkInvariants()).toEqual([]);
  expect(fs.counters()).toEqual(baselineOf(fs, catalog));
}

// ---- the simulator -------------------------------------------------------------------------------------

/** The ops the simulator can run (root only, JS-valid arguments), in its Op shape. */
export function toSimOp(op: FuzzOp): Op | null {
  const w = wrongArgs(op);
  if (w.path || w.other) return null;
  switch (op.kind) {
    case 'stat':
    case 'readdir':
    case 'readFile':
    case 'rmdir':
      return { op: op.kind, path: op.path as string };
    case 'open':
      return { op: 'open', path: op.path as string, flags: op.flags as Op['flags'] };
    case 'writeFile':
    case 'appendFile': {
      const data = op.data as string;
      // The simulator interleaves a step per write; 1 MB texts make a run slow, not different.
      if (data.length > 4096) return null;
      return { op: op.kind, path: op.path as string, data };
    }
    case 'mkdir':
      return {
        op: 'mkdir',
        path: op.path as string,
        mode: (op.mode as number | undefined) ?? 0o755,
      };
    case 'chmod':
      return { op: 'chmod', path: op.path as string, mode: op.mode as number };
    case 'chown':
      return { op: 'chown', path: op.path as string, uid: op.uid as number, gid: op.gid as number };
    case 'shrink':
      return { op: 'shrink' };
    default:
      return null;
  }
}

/** A mount with something in it: an instance, two probes (one in a group of its own). */
export function preparedMount(): Tracefs {
  const fs = freshMount();
  fs.mkdir('instances/a');
  fs.appendFile('kprobe_events', 'p:p1 vfs_read\np:grp/e1 schedule $stack\n');
  return fs;
}

/** What a refused call must leave as it was: the objects and the control files' text. */
export function snapshot(fs: Tracefs): string {
  return JSON.stringify([
    fs.counters(),
    fs.readFile('kprobe_events'),
    fs.readFile('set_event'),
    fs.readFile('tracing_on'),
    fs.readFile('current_tracer'),
    fs.readdir('instances').map((e) => e.name),
    fs.stat('/').mode,
    fs.stat('/').uid,
    fs.stat('/').gid,
  ]);
}
