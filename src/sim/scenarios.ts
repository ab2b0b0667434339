/**
 * The failures discussed in the thread, as scenarios: what runs on which CPU, and which
 * variants are expected to fail how. Nothing here says *how* a variant fails; the simulator
 * finds it by running the modelled code.
 */
import type { VariantName } from '../eventfs/variants/index';
import type { ViolationKind } from '../vfs/errors';
import type { Strategy } from './explore';
import type { SimConfig } from './machine';

/** A named scenario from the thread. */
export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** Who said what in the thread, and when. */
  readonly thread: string;
  /** Everything but the variant. */
  readonly config: Omit<SimConfig, 'variant'>;
  /** The variants that fail it, with the kinds of violation that count as the thread's failure. */
  readonly failsOn: Partial<Readonly<Record<VariantName, readonly ViolationKind[]>>>;
  /** How to search (default: dfs with preemption bound 2). */
  readonly strategy?: Strategy;
}

const KPROBE_ADD = { op: 'appendFile', path: 'kprobe_events', data: 'p:sched schedule\n' } as const;
const KPROBE_DEL = { op: 'appendFile', path: 'kprobe_events', data: '-:sched\n' } as const;

const list: readonly Scenario[] = [
  {
    name: 'robot-oops',
    title: 'two CPUs stat one cold directory: uninitialised ti->private',
    thread:
      'kernel test robot, 2024-01-29 02:58: "BUG: unable to handle page fault ... RIP: set_top_events_ownership"; ' +
      'Linus, 04:36: "It just needs just the right timing, where one CPU happens to do a stat() just as another one creates the directory."',
    config: {
      tasks: [[{ op: 'stat', path: 'events/sched' }], [{ op: 'stat', path: 'events/sched' }]],
      invariants: 'end',
    },
    failsOn: {
      '852e46e239': ['uninitialized-read'],
      'rfc-lookup': ['deadlock'],
      'rfc-lookup-nolock': ['bug'],
    },
  },
  {
    name: 'transient-negative',
    title: 'a concurrent lookup sees the negative dentry simple_lookup() hashed: spurious ENOENT',
    thread:
      'Linus, 2024-01-29 19:51: "So if you have two concurrent lookups, one will do that simple_lookup(), and the other will then - ' +
      'depending on timing - either see the negative dentry and return -ENOENT, or ..."',
    config: {
      tasks: [
        [{ op: 'stat', path: 'events/irq', expect: 'ok' }],
        [{ op: 'readdir', path: 'events/irq', expect: 'ok' }],
      ],
      invariants: 'off',
    },
    failsOn: {
      '852e46e239': ['unexpected-result'],
      'rfc-lookup': ['deadlock'],
      'rfc-lookup-nolock': ['bug'],
    },
    strategy: { kind: 'dfs', preemptionBound: 2 },
  },
  {
    name: 'eviction-race',
    title: 'memory pressure evicts a dentry while a lookup reuses it through ei->d_children[]',
    thread:
      'Linus, 2024-01-30 01:50: "d_iput() of an old dentry isn\'t actually serialized with ->d_lookup() in any way ... ' +
      'the tracefs code then desperately tries to use the old dentry pointer that just isn\'t _valid_ any more"',
    config: {
      setup: (fs) => {
        fs.stat('events/sched/sched_switch/enable');
      },
      tasks: [[{ op: 'stat', path: 'events/sched/sched_switch/enable', expect: 'ok' }]],
      memoryPressure: true,
      shrinks: 1,
      invariants: 'end',
    },
    failsOn: {
      '852e46e239': ['use-after-free', 'unexpected-result', 'invariant'],
      'rfc-lookup': ['deadlock'],
      'rfc-lookup-nolock': ['bug'],
    },
  },
  {
    name: 'first-lookup-deadlock',
    title: 'the first lookup takes eventfs_mutex twice',
    thread:
      'Linus, 2024-01-29 22:19: "there\'s an immediate deadlock on eventfs_mutex, because I missed removing it from eventfs_find_events() when the callers now already hold it"',
    config: { tasks: [[{ op: 'readdir', path: 'events/sched' }]] },
    failsOn: {
      '852e46e239': ['invariant'],
      'rfc-lookup': ['deadlock'],
      'rfc-lookup-nolock': ['bug'],
    },
  },
  {
    name: 'lookup-d_instantiate',
    title: '->lookup calls d_instantiate() on the dentry under lookup: kernel BUG at fs/dcache.c',
    thread:
      'Steven, 2024-01-29 22:22: "But crashes with just a: # ls /sys/kernel/tracing/events ... kernel BUG at fs/dcache.c:1876!"',
    config: {
      tasks: [
        [{ op: 'stat', path: 'events/sched/sched_switch' }],
        [{ op: 'stat', path: 'events/irq' }],
      ],
    },
    failsOn: {
      '852e46e239': ['invariant', 'uninitialized-read'],
      'rfc-lookup': ['deadlock'],
      'rfc-lookup-nolock': ['bug'],
    },
  },
  {
    name: 'lookup-before-create',
    title: 'a lookup before the kprobe exists leaves a negative dentry that hides it afterwards',
    thread:
      "Linus, 2024-01-30 03:56: \"it's enough to just have 'lookup' create a negative dentry by trying to look up 'events/kprobes/' before actually trying to create that kprobe_events\"",
    config: {
      tasks: [
        [
          { op: 'readdir', path: 'events/kprobes', expect: 'ENOENT' },
          KPROBE_ADD,
          { op: 'readdir', path: 'events/kprobes', expect: 'ok' },
        ],
        [{ op: 'stat', path: 'events/sched' }],
      ],
    },
    failsOn: {
      '852e46e239': ['invariant', 'uninitialized-read'],
      'rfc-lookup': ['deadlock', 'invariant'],
      'rfc-lookup-nolock': ['bug', 'invariant'],
      'rfc-lookup-d_add': ['unexpected-result', 'invariant'],
    },
  },
  {
    name: 'create-delete-create',
    title: 'create, delete, recreate a kprobe: listed by readdir but not stat-able (d?????????)',
    thread:
      'Steven, 2024-01-29 23:15: "It fails on creating a kprobe, deleting it, and then recreating it. Even though the directory is there, it can\'t be accessed."',
    config: {
      tasks: [
        [
          KPROBE_ADD,
          { op: 'readdir', path: 'events/kprobes', expect: 'ok' },
          KPROBE_DEL,
          { op: 'readdir', path: 'events/kprobes', expect: 'ENOENT' },
          KPROBE_ADD,
          { op: 'readdir', path: 'events', expect: 'ok' },
          { op: 'stat', path: 'events/kprobes', expect: 'ok' },
        ],
      ],
    },
    failsOn: {
      '852e46e239': ['invariant'],
      'rfc-lookup': ['deadlock'],
      'rfc-lookup-nolock': ['bug'],
      'rfc-lookup-d_add': ['unexpected-result', 'invariant'],
      'rfc-kref': ['unexpected-result'],
    },
  },
  {
    name: 'stale-after-remove',
    title: 'a removed event directory stays reachable through its cached dentry',
    thread:
      'Linus, 2024-01-30 09:12: "you end up with the same problem later when you do the eventfs_remove_dir(). Again the eventfs data structure changes, but we don\'t have a reliable dentry that we can invalidate."',
    config: {
      tasks: [
        [
          { op: 'appendFile', path: 'kprobe_events', data: 'p:myprobe schedule\n' },
          { op: 'stat', path: 'events/kprobes/myprobe', expect: 'ok' },
          { op: 'appendFile', path: 'kprobe_events', data: '-:myprobe\n' },
          { op: 'stat', path: 'events/kprobes/myprobe', expect: 'ENOENT' },
        ],
        [{ op: 'stat', path: 'events/sched' }],
      ],
    },
    failsOn: {
      '852e46e239': ['invariant', 'uninitialized-read'],
      'rfc-lookup': ['deadlock'],
      'rfc-lookup-nolock': ['bug'],
      'rfc-kref': ['unexpected-result'],
    },
  },
];

/** The thread's failures by name. */
export const scenarios: Readonly<Record<string, Scenario>> = Object.freeze(
  Object.fromEntries(list.map((s) => [s.name, s])),
);

/** Scenario names in the order the thread meets them. */
export const scenarioNames: readonly string[] = Object.freeze(list.map((s) => s.name));
