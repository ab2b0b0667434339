#!/usr/bin/env node
/**
 * Generates src/trace/catalog-data.ts, the bundled tracefs event catalog.
 *
 *   node scripts/gen-catalog.mjs [--input <available_events>] [--output <catalog-data.ts>]
 *
 * Input: a `system:event` per line dump of /sys/kernel/tracing/available_events. The default is
 * /work/shared/data/available_events.txt, a real x86-64 Linux 5.1x dump (May 2022) from the
 * public repository sdelaughter/libbpf-bootstrap, file `available_events`, commit
 * 7e20439d4a1c6d7c89d48ede5c8551cbe0a257c7 (BSD-3-Clause).
 *
 * Output depends only on the grouped event list (systems in order of first appearance, events in
 * dump order within a system) and on the tables below, so it is byte-for-byte deterministic: no
 * dates, paths, hashes or map iteration order leak into it.
 *
 * Field definitions are transcribed from the kernel's TRACE_EVENT() definitions in
 * include/trace/events/{sched,irq,raw_syscalls,timer,signal,kmem,block,workqueue}.h of the v6.6
 * era, and laid out here the way include/trace/trace_events.h lays out
 * `struct trace_event_raw_<call>` on x86-64: after the 8-byte `struct trace_entry` (common_*),
 * every field at its natural alignment. Print formats are the strings the kernel prints after
 * `print fmt: `, i.e. `"<fmt>", <args>` where the args are the TP_printk() arguments after macro
 * expansion and stringification (`__entry` -> `REC`, constants such as TASK_REPORT_MAX or the GFP
 * flags expanded the way the C preprocessor does it), with TRACE_DEFINE_ENUM() names replaced by
 * their values as trace_event_eval_update() does at boot.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_INPUT = '/work/shared/data/available_events.txt';
const DEFAULT_OUTPUT = resolve(HERE, '..', 'src', 'trace', 'catalog-data.ts');

/**
 * x86-64 C types used by the bundled definitions: [size, alignment, is_signed_type()].
 * `char` is unsigned: the kernel builds with -funsigned-char since v6.2, so `char` arrays and
 * `__data_loc char[]` report signed:0 (they reported signed:1 on x86 before that).
 */
const C_TYPES = {
  char: [1, 1, 0],
  int: [4, 4, 1],
  pid_t: [4, 4, 1],
  'unsigned int': [4, 4, 0],
  dev_t: [4, 4, 0],
  'enum hrtimer_mode': [4, 4, 0],
  long: [8, 8, 1],
  s64: [8, 8, 1],
  'unsigned long': [8, 8, 0],
  u64: [8, 8, 0],
  sector_t: [8, 8, 0],
  size_t: [8, 8, 0],
  'void *': [8, 8, 0],
  'const void *': [8, 8, 0],
};

/** sizeof(struct trace_entry): the common_* fields occupy bytes 0..7. */
const TRACE_ENTRY_SIZE = 8;
/** TASK_COMM_LEN */
const COMM = 16;

// TP_STRUCT__entry() members, in declaration order.
/** `__field(type, name)` */
const field = (type, name) => ({ kind: 'field', type, name });
/** `__array(type, name, len)` */
const array = (type, name, len) => ({ kind: 'array', type, name, len });
/** `__string(name, src)`, i.e. `__dynamic_array(char, name, ...)` */
const string = (name) => ({ kind: 'dynamic', type: 'char', name });
/** `__dynamic_array(type, name, len)` */
const dynArray = (type, name) => ({ kind: 'dynamic', type, name });

/**
 * Lays out TP_STRUCT__entry() members like the compiler lays out struct trace_event_raw_<call>
 * and describes them the way the define_fields stage of include/trace/trace_events.h does:
 * arrays as type `T[len]` (printed by f_show() as `T name[len]`), dynamic arrays as a u32
 * `__data_loc T[]` (offset << 16 | length) slot.
 * @returns rows [type, name, offset, size, signed] as printed in the format file.
 */
function layout(members) {
  let offset = TRACE_ENTRY_SIZE;
  return members.map((m) => {
    const ct = C_TYPES[m.type];
    if (ct === undefined) throw new Error(`unknown C type ${m.type}`);
    const [elemSize, align, signed] = ct;
    let type = m.type;
    let name = m.name;
    let size = elemSize;
    let fieldAlign = align;
    if (m.kind === 'array') {
      name = `${m.name}[${m.len}]`;
      size = elemSize * m.len;
    } else if (m.kind === 'dynamic') {
      type = `__data_loc ${m.type}[]`;
      size = 4;
      fieldAlign = 4;
    }
    offset = Math.ceil(offset / fieldAlign) * fieldAlign;
    const row = [type, name, offset, size, signed];
    offset += size;
    return row;
  });
}

// ---------------------------------------------------------------------------------------------
// Print formats. Each is checked against the length of the kernel's print_fmt_<class>[] string
// (taken from compiled x86-64 kernels of the same era) to catch transcription slips.

/** TASK_REPORT from include/linux/sched.h (values printed as 0x%08x since v5.14). */
const TASK_REPORT =
  '(0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040)';
const TASK_REPORT_MAX = `((${TASK_REPORT} + 1) << 1)`;
const TASK_STATE_FLAGS = [
  ['0x00000001', 'S'],
  ['0x00000002', 'D'],
  ['0x00000004', 'T'],
  ['0x00000008', 't'],
  ['0x00000010', 'X'],
  ['0x00000020', 'Z'],
  ['0x00000040', 'P'],
  ['0x00000080', 'I'],
]
  .map(([v, s]) => `{ ${v}, "${s}" }`)
  .join(', ');

const SCHED_SWITCH_FMT =
  '"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d", ' +
  'REC->prev_comm, REC->prev_pid, REC->prev_prio, ' +
  `(REC->prev_state & (${TASK_REPORT_MAX} - 1)) ? ` +
  `__print_flags(REC->prev_state & (${TASK_REPORT_MAX} - 1), "|", ${TASK_STATE_FLAGS}) : "R", ` +
  `REC->prev_state & ${TASK_REPORT_MAX} ? "+" : "", ` +
  'REC->next_comm, REC->next_pid, REC->next_prio';

/** `((__force gfp_t)<bits>)` after expansion (include/linux/gfp_types.h). */
const gfp = (bits) => `(( gfp_t)${bits})`;
const G = {
  DMA: gfp('0x01u'),
  HIGHMEM: gfp('0x02u'),
  DMA32: gfp('0x04u'),
  MOVABLE: gfp('0x08u'),
  RECLAIMABLE: gfp('0x10u'),
  HIGH: gfp('0x20u'),
  IO: gfp('0x40u'),
  FS: gfp('0x80u'),
  ZERO: gfp('0x100u'),
  DIRECT_RECLAIM: gfp('0x400u'),
  KSWAPD_RECLAIM: gfp('0x800u'),
  WRITE: gfp('0x1000u'),
  NOWARN: gfp('0x2000u'),
  RETRY_MAYFAIL: gfp('0x4000u'),
  NOFAIL: gfp('0x8000u'),
  NORETRY: gfp('0x10000u'),
  MEMALLOC: gfp('0x20000u'),
  COMP: gfp('0x40000u'),
  NOMEMALLOC: gfp('0x80000u'),
  HARDWALL: gfp('0x100000u'),
  THISNODE: gfp('0x200000u'),
  ACCOUNT: gfp('0x400000u'),
  ZEROTAGS: gfp('0x800000u'),
  SKIP_KASAN: gfp('0'),
  RECLAIM: gfp('(0x400u|0x800u)'),
};
const GFP_KERNEL = `(${G.RECLAIM} | ${G.IO} | ${G.FS})`;
const GFP_USER = `(${G.RECLAIM} | ${G.IO} | ${G.FS} | ${G.HARDWALL})`;
const GFP_HIGHUSER = `(${GFP_USER} | ${G.HIGHMEM})`;
const GFP_HIGHUSER_MOVABLE = `(${GFP_HIGHUSER} | ${G.MOVABLE} | ${G.SKIP_KASAN})`;
const GFP_TRANSHUGE_LIGHT = `((${GFP_HIGHUSER_MOVABLE} | ${G.COMP} | ${G.NOMEMALLOC} | ${G.NOWARN}) & ~${G.RECLAIM})`;
/** __def_gfpflag_names (include/trace/events/mmflags.h), without the KASAN_HW_TAGS extras. */
const GFP_NAMES = [
  ['GFP_TRANSHUGE', `(${GFP_TRANSHUGE_LIGHT} | ${G.DIRECT_RECLAIM})`],
  ['GFP_TRANSHUGE_LIGHT', GFP_TRANSHUGE_LIGHT],
  ['GFP_HIGHUSER_MOVABLE', GFP_HIGHUSER_MOVABLE],
  ['GFP_HIGHUSER', GFP_HIGHUSER],
  ['GFP_USER', GFP_USER],
  ['GFP_KERNEL_ACCOUNT', `(${GFP_KERNEL} | ${G.ACCOUNT})`],
  ['GFP_KERNEL', GFP_KERNEL],
  ['GFP_NOFS', `(${G.RECLAIM} | ${G.IO})`],
  ['GFP_ATOMIC', `(${G.HIGH}|${G.KSWAPD_RECLAIM})`],
  ['GFP_NOIO', `(${G.RECLAIM})`],
  ['GFP_NOWAIT', `(${G.KSWAPD_RECLAIM} | ${G.NOWARN})`],
  ['GFP_DMA', G.DMA],
  ['__GFP_HIGHMEM', G.HIGHMEM],
  ['GFP_DMA32', G.DMA32],
  ['__GFP_HIGH', G.HIGH],
  ['__GFP_IO', G.IO],
  ['__GFP_FS', G.FS],
  ['__GFP_NOWARN', G.NOWARN],
  ['__GFP_RETRY_MAYFAIL', G.RETRY_MAYFAIL],
  ['__GFP_NOFAIL', G.NOFAIL],
  ['__GFP_NORETRY', G.NORETRY],
  ['__GFP_COMP', G.COMP],
  ['__GFP_ZERO', G.ZERO],
  ['__GFP_NOMEMALLOC', G.NOMEMALLOC],
  ['__GFP_MEMALLOC', G.MEMALLOC],
  ['__GFP_HARDWALL', G.HARDWALL],
  ['__GFP_THISNODE', G.THISNODE],
  ['__GFP_RECLAIMABLE', G.RECLAIMABLE],
  ['__GFP_MOVABLE', G.MOVABLE],
  ['__GFP_ACCOUNT', G.ACCOUNT],
  ['__GFP_WRITE', G.WRITE],
  ['__GFP_RECLAIM', G.RECLAIM],
  ['__GFP_DIRECT_RECLAIM', G.DIRECT_RECLAIM],
  ['__GFP_KSWAPD_RECLAIM', G.KSWAPD_RECLAIM],
  ['__GFP_ZEROTAGS', G.ZEROTAGS],
];
/** show_gfp_flags(REC->gfp_flags) */
const SHOW_GFP_FLAGS =
  '(REC->gfp_flags) ? __print_flags(REC->gfp_flags, "|", ' +
  GFP_NAMES.map(([name, value]) => `{( unsigned long)${value}, "${name}"}`).join(', ') +
  ' ) : "none"';

/** MAJOR()/MINOR() of a dev_t (include/linux/kdev_t.h, MINORBITS 20). */
const MAJOR_MINOR_DEV =
  '((unsigned int) ((REC->dev) >> 20)), ((unsigned int) ((REC->dev) & ((1U << 20) - 1)))';

/** decode_hrtimer_mode(): the HRTIMER_MODE_* enums have no TRACE_DEFINE_ENUM, so stay names. */
const HRTIMER_MODES = [
  ['ABS', 'ABS'],
  ['REL', 'REL'],
  ['ABS_PINNED', 'ABS|PINNED'],
  ['REL_PINNED', 'REL|PINNED'],
  ['ABS_SOFT', 'ABS|SOFT'],
  ['REL_SOFT', 'REL|SOFT'],
  ['ABS_PINNED_SOFT', 'ABS|PINNED|SOFT'],
  ['REL_PINNED_SOFT', 'REL|PINNED|SOFT'],
  ['ABS_HARD', 'ABS|HARD'],
  ['REL_HARD', 'REL|HARD'],
  ['ABS_PINNED_HARD', 'ABS|PINNED|HARD'],
  ['REL_PINNED_HARD', 'REL|PINNED|HARD'],
]
  .map(([e, s]) => `{ HRTIMER_MODE_${e}, "${s}" }`)
  .join(', ');

/** show_softirq_name(): *_SOFTIRQ are TRACE_DEFINE_ENUM()ed, so the kernel prints values. */
const SOFTIRQ_NAMES = [
  'HI',
  'TIMER',
  'NET_TX',
  'NET_RX',
  'BLOCK',
  'IRQ_POLL',
  'TASKLET',
  'SCHED',
  'HRTIMER',
  'RCU',
]
  .map((s, i) => `{ ${i}, "${s}" }`)
  .join(', ');

/**
 * Event classes (DECLARE_EVENT_CLASS / TRACE_EVENT): TP_STRUCT__entry members and print fmt.
 * `fmtLen` is the length of the kernel's print_fmt_<class>[] string as found in compiled
 * v5.1x-v6.6 kernels (sched_switch: +4 per TASK_* constant for the 0x%08x spelling; softirq:
 * after the *_SOFTIRQ names are replaced by their values; irq_handler_entry and sys_exit: no
 * compiled reference was at hand, so counted by hand); the generator refuses to run if a
 * transcribed print fmt does not have that length.
 */
const CLASSES = {
  sched_switch: {
    header: 'sched.h',
    members: [
      array('char', 'prev_comm', COMM),
      field('pid_t', 'prev_pid'),
      field('int', 'prev_prio'),
      field('long', 'prev_state'),
      array('char', 'next_comm', COMM),
      field('pid_t', 'next_pid'),
      field('int', 'next_prio'),
    ],
    fmt: SCHED_SWITCH_FMT,
    fmtLen: 819,
  },
  sched_wakeup_template: {
    header: 'sched.h',
    members: [
      array('char', 'comm', COMM),
      field('pid_t', 'pid'),
      field('int', 'prio'),
      field('int', 'target_cpu'),
    ],
    fmt: '"comm=%s pid=%d prio=%d target_cpu=%03d", REC->comm, REC->pid, REC->prio, REC->target_cpu',
    fmtLen: 89,
  },
  sched_process_template: {
    header: 'sched.h',
    members: [array('char', 'comm', COMM), field('pid_t', 'pid'), field('int', 'prio')],
    fmt: '"comm=%s pid=%d prio=%d", REC->comm, REC->pid, REC->prio',
    fmtLen: 56,
  },
  sched_process_fork: {
    header: 'sched.h',
    members: [
      array('char', 'parent_comm', COMM),
      field('pid_t', 'parent_pid'),
      array('char', 'child_comm', COMM),
      field('pid_t', 'child_pid'),
    ],
    fmt: '"comm=%s pid=%d child_comm=%s child_pid=%d", REC->parent_comm, REC->parent_pid, REC->child_comm, REC->child_pid',
    fmtLen: 111,
  },
  sched_process_exec: {
    header: 'sched.h',
    members: [string('filename'), field('pid_t', 'pid'), field('pid_t', 'old_pid')],
    fmt: '"filename=%s pid=%d old_pid=%d", __get_str(filename), REC->pid, REC->old_pid',
    fmtLen: 76,
  },
  sched_migrate_task: {
    header: 'sched.h',
    members: [
      array('char', 'comm', COMM),
      field('pid_t', 'pid'),
      field('int', 'prio'),
      field('int', 'orig_cpu'),
      field('int', 'dest_cpu'),
    ],
    fmt: '"comm=%s pid=%d prio=%d orig_cpu=%d dest_cpu=%d", REC->comm, REC->pid, REC->prio, REC->orig_cpu, REC->dest_cpu',
    fmtLen: 110,
  },
  // v6.8 dropped vruntime from this event; v6.6 still has it.
  sched_stat_runtime: {
    header: 'sched.h',
    members: [
      array('char', 'comm', COMM),
      field('pid_t', 'pid'),
      field('u64', 'runtime'),
      field('u64', 'vruntime'),
    ],
    fmt: '"comm=%s pid=%d runtime=%Lu [ns] vruntime=%Lu [ns]", REC->comm, REC->pid, (unsigned long long)REC->runtime, (unsigned long long)REC->vruntime',
    fmtLen: 141,
  },
  irq_handler_entry: {
    header: 'irq.h',
    members: [field('int', 'irq'), string('name')],
    fmt: '"irq=%d name=%s", REC->irq, __get_str(name)',
    fmtLen: 43,
  },
  irq_handler_exit: {
    header: 'irq.h',
    members: [field('int', 'irq'), field('int', 'ret')],
    fmt: '"irq=%d ret=%s", REC->irq, REC->ret ? "handled" : "unhandled"',
    fmtLen: 61,
  },
  softirq: {
    header: 'irq.h',
    members: [field('unsigned int', 'vec')],
    fmt: `"vec=%u [action=%s]", REC->vec, __print_symbolic(REC->vec, ${SOFTIRQ_NAMES})`,
    fmtLen: 222,
  },
  sys_enter: {
    header: 'raw_syscalls.h',
    members: [field('long', 'id'), array('unsigned long', 'args', 6)],
    fmt: '"NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)", REC->id, REC->args[0], REC->args[1], REC->args[2], REC->args[3], REC->args[4], REC->args[5]',
    fmtLen: 132,
  },
  sys_exit: {
    header: 'raw_syscalls.h',
    members: [field('long', 'id'), field('long', 'ret')],
    fmt: '"NR %ld = %ld", REC->id, REC->ret',
    fmtLen: 33,
  },
  hrtimer_start: {
    header: 'timer.h',
    members: [
      field('void *', 'hrtimer'),
      field('void *', 'function'),
      field('s64', 'expires'),
      field('s64', 'softexpires'),
      field('enum hrtimer_mode', 'mode'),
    ],
    fmt:
      '"hrtimer=%p function=%ps expires=%llu softexpires=%llu mode=%s", REC->hrtimer, REC->function, ' +
      '(unsigned long long) REC->expires, (unsigned long long) REC->softexpires, ' +
      `__print_symbolic(REC->mode, ${HRTIMER_MODES})`,
    fmtLen: 707,
  },
  timer_start: {
    header: 'timer.h',
    members: [
      field('void *', 'timer'),
      field('void *', 'function'),
      field('unsigned long', 'expires'),
      field('unsigned long', 'bucket_expiry'),
      field('unsigned long', 'now'),
      field('unsigned int', 'flags'),
    ],
    fmt:
      '"timer=%p function=%ps expires=%lu [timeout=%ld] bucket_expiry=%lu cpu=%u idx=%u flags=%s", ' +
      'REC->timer, REC->function, REC->expires, (long)REC->expires - REC->now, REC->bucket_expiry, ' +
      'REC->flags & 0x0003FFFF, REC->flags >> 22, ' +
      '__print_flags(REC->flags & (0x00040000 | 0x00080000 | 0x00100000 | 0x00200000), "|", ' +
      '{ 0x00040000, "M" }, { 0x00080000, "D" }, { 0x00100000, "P" }, { 0x00200000, "I" })',
    fmtLen: 395,
  },
  signal_generate: {
    header: 'signal.h',
    members: [
      field('int', 'sig'),
      field('int', 'errno'),
      field('int', 'code'),
      array('char', 'comm', COMM),
      field('pid_t', 'pid'),
      field('int', 'group'),
      field('int', 'result'),
    ],
    fmt: '"sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d", REC->sig, REC->errno, REC->code, REC->comm, REC->pid, REC->group, REC->result',
    fmtLen: 133,
  },
  signal_deliver: {
    header: 'signal.h',
    members: [
      field('int', 'sig'),
      field('int', 'errno'),
      field('int', 'code'),
      field('unsigned long', 'sa_handler'),
      field('unsigned long', 'sa_flags'),
    ],
    fmt: '"sig=%d errno=%d code=%d sa_handler=%lx sa_flags=%lx", REC->sig, REC->errno, REC->code, REC->sa_handler, REC->sa_flags',
    fmtLen: 118,
  },
  // IS_ENABLED(CONFIG_MEMCG_KMEM) is 1 in distribution configs (it is 0 without memcg).
  kmalloc: {
    header: 'kmem.h',
    members: [
      field('unsigned long', 'call_site'),
      field('const void *', 'ptr'),
      field('size_t', 'bytes_req'),
      field('size_t', 'bytes_alloc'),
      field('unsigned long', 'gfp_flags'),
      field('int', 'node'),
    ],
    fmt:
      '"call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d accounted=%s", ' +
      '(void *)REC->call_site, REC->ptr, REC->bytes_req, REC->bytes_alloc, ' +
      `${SHOW_GFP_FLAGS}, REC->node, ` +
      `(1 && (REC->gfp_flags & ( unsigned long)${G.ACCOUNT})) ? "true" : "false"`,
    fmtLen: 3119,
  },
  kfree: {
    header: 'kmem.h',
    members: [field('unsigned long', 'call_site'), field('const void *', 'ptr')],
    fmt: '"call_site=%pS ptr=%p", (void *)REC->call_site, REC->ptr',
    fmtLen: 56,
  },
  // pfn_to_page() with CONFIG_SPARSEMEM_VMEMMAP and a KASLR'd vmemmap_base (x86-64).
  mm_page_alloc: {
    header: 'kmem.h',
    members: [
      field('unsigned long', 'pfn'),
      field('unsigned int', 'order'),
      field('unsigned long', 'gfp_flags'),
      field('int', 'migratetype'),
    ],
    fmt:
      '"page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s", ' +
      'REC->pfn != -1UL ? (((struct page *)vmemmap_base) + (REC->pfn)) : ((void *)0), ' +
      'REC->pfn != -1UL ? REC->pfn : 0, REC->order, REC->migratetype, ' +
      SHOW_GFP_FLAGS,
    fmtLen: 3070,
  },
  block_rq: {
    header: 'block.h',
    members: [
      field('dev_t', 'dev'),
      field('sector_t', 'sector'),
      field('unsigned int', 'nr_sector'),
      field('unsigned int', 'bytes'),
      array('char', 'rwbs', 8),
      array('char', 'comm', COMM),
      dynArray('char', 'cmd'),
    ],
    fmt: `"%d,%d %s %u (%s) %llu + %u [%s]", ${MAJOR_MINOR_DEV}, REC->rwbs, REC->bytes, __get_str(cmd), (unsigned long long)REC->sector, REC->nr_sector, REC->comm`,
    fmtLen: 219,
  },
  block_rq_completion: {
    header: 'block.h',
    members: [
      field('dev_t', 'dev'),
      field('sector_t', 'sector'),
      field('unsigned int', 'nr_sector'),
      field('int', 'error'),
      array('char', 'rwbs', 8),
      dynArray('char', 'cmd'),
    ],
    fmt: `"%d,%d %s (%s) %llu + %u [%d]", ${MAJOR_MINOR_DEV}, REC->rwbs, __get_str(cmd), (unsigned long long)REC->sector, REC->nr_sector, REC->error`,
    fmtLen: 205,
  },
  workqueue_execute: {
    header: 'workqueue.h',
    members: [field('void *', 'work'), field('void *', 'function')],
    fmt: '"work struct %p: function %ps", REC->work, REC->function',
    fmtLen: 56,
  },
};

/** Bundled events -> their class (DEFINE_EVENT) or own TRACE_EVENT definition. */
export const BUNDLED_EVENTS = [
  ['sched', 'sched_switch', 'sched_switch'],
  ['sched', 'sched_wakeup', 'sched_wakeup_template'],
  ['sched', 'sched_wakeup_new', 'sched_wakeup_template'],
  ['sched', 'sched_waking', 'sched_wakeup_template'],
  ['sched', 'sched_process_fork', 'sched_process_fork'],
  ['sched', 'sched_process_exec', 'sched_process_exec'],
  ['sched', 'sched_process_exit', 'sched_process_template'],
  ['sched', 'sched_process_free', 'sched_process_template'],
  ['sched', 'sched_migrate_task', 'sched_migrate_task'],
  ['sched', 'sched_stat_runtime', 'sched_stat_runtime'],
  ['irq', 'irq_handler_entry', 'irq_handler_entry'],
  ['irq', 'irq_handler_exit', 'irq_handler_exit'],
  ['irq', 'softirq_entry', 'softirq'],
  ['irq', 'softirq_exit', 'softirq'],
  ['raw_syscalls', 'sys_enter', 'sys_enter'],
  ['raw_syscalls', 'sys_exit', 'sys_exit'],
  ['timer', 'hrtimer_start', 'hrtimer_start'],
  ['timer', 'timer_start', 'timer_start'],
  ['signal', 'signal_generate', 'signal_generate'],
  ['signal', 'signal_deliver', 'signal_deliver'],
  ['kmem', 'kmalloc', 'kmalloc'],
  ['kmem', 'kfree', 'kfree'],
  ['kmem', 'mm_page_alloc', 'mm_page_alloc'],
  ['block', 'block_rq_issue', 'block_rq'],
  ['block', 'block_rq_complete', 'block_rq_completion'],
  ['workqueue', 'workqueue_execute_start', 'workqueue_execute'],
  ['workqueue', 'workqueue_execute_end', 'workqueue_execute'],
];

/** Names the catalog can hold: tracefs directory names, no separators used by the data format. */
const NAME_RE = /^[A-Za-z0-9_.+-]+$/;

/**
 * Parses an available_events dump into systems in order of first appearance.
 * @param {string} text
 * @returns {{ name: string, events: string[] }[]}
 */
export function parseAvailableEvents(text) {
  /** @type {Map<string, string[]>} */
  const systems = new Map();
  const seen = new Set();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const sys = line.slice(0, colon);
    const ev = line.slice(colon + 1);
    if (colon <= 0 || !NAME_RE.test(sys) || !NAME_RE.test(ev)) {
      throw new Error(`line ${i + 1}: not a system:event line: ${JSON.stringify(raw)}`);
    }
    if (seen.has(line)) throw new Error(`line ${i + 1}: duplicate event ${line}`);
    seen.add(line);
    let events = systems.get(sys);
    if (events === undefined) {
      events = [];
      systems.set(sys, events);
    }
    events.push(ev);
  });
  return [...systems].map(([name, events]) => ({ name, events }));
}

/** Builds the bundled definitions, checking each print fmt's length against the kernel's. */
export function bundledDefinitions() {
  return BUNDLED_EVENTS.map(([system, event, cls]) => {
    const c = CLASSES[cls];
    if (c === undefined) throw new Error(`unknown class ${cls}`);
    if (c.fmt.length !== c.fmtLen) {
      throw new Error(`print fmt of ${cls}: ${c.fmt.length} chars, kernel has ${c.fmtLen}`);
    }
    return { system, event, fields: layout(c.members), printFmt: c.fmt, header: c.header };
  });
}

const q = (s) => JSON.stringify(s);

/**
 * The full text of src/trace/catalog-data.ts for an available_events dump. Pure and
 * deterministic.
 * @param {string} availableEvents
 * @returns {string}
 */
export function generateCatalogData(availableEvents) {
  const systems = parseAvailableEvents(availableEvents);
  const present = new Set(systems.flatMap((s) => s.events.map((e) => `${s.name}:${e}`)));
  const defs = bundledDefinitions();
  for (const d of defs) {
    if (!present.has(`${d.system}:${d.event}`)) {
      throw new Error(`bundled definition for ${d.system}:${d.event}, not in the event list`);
    }
  }
  const eventCount = systems.reduce((n, s) => n + s.events.length, 0);
  const headers = [...new Set(defs.map((d) => d.header))].join(', ');
  const out = [];
  out.push(
    '/**',
    ' * Bundled tracefs event catalog data. GENERATED by scripts/gen-catalog.mjs: do not edit by hand.',
    ' *',
    ' * Event list: a real dump of /sys/kernel/tracing/available_events from an x86-64 Linux 5.1x',
    ' * machine (May 2022). Source: public repository sdelaughter/libbpf-bootstrap, file',
    ' * `available_events`, commit 7e20439d4a1c6d7c89d48ede5c8551cbe0a257c7, BSD-3-Clause licence',
    ' * (a list of kernel tracepoint names).',
    ' *',
    ' * Field definitions: transcribed from the TRACE_EVENT() definitions of the Linux kernel',
    ' * (v6.6 era, GPL-2.0) in include/trace/events/:',
    ` *   ${headers}`,
    ' * and laid out for x86-64: event fields start at offset 8, after struct trace_entry, at',
    ' * natural alignment. Events not listed in FIELD_DEFS have no bundled definition (see',
    ' * defaultFieldsFor() in catalog.ts).',
    ' */',
    '',
    '/** One bundled field as its format-file line prints it: [type, name, offset, size, signed]. */',
    'export type RawField = readonly [string, string, number, number, 0 | 1];',
    '',
    '/** One bundled event definition: [system, event, fields, print fmt]. */',
    'export type RawEventDef = readonly [string, string, readonly RawField[], string];',
    '',
    `/** Number of events in EVENT_LIST. */`,
    `export const EVENT_COUNT = ${eventCount};`,
    '',
    '/**',
    ' * The event list: one `system:event event ...` entry per system, systems in order of first',
    ' * appearance in the dump, events in dump order.',
    ' */',
    'export const EVENT_LIST: readonly string[] = [',
  );
  for (const s of systems) out.push(`  ${q(`${s.name}:${s.events.join(' ')}`)},`);
  out.push('];', '', '/** Real field definitions for well-known events, in catalog order. */');
  out.push('export const FIELD_DEFS: readonly RawEventDef[] = [');
  const order = new Map();
  systems.forEach((s) => s.events.forEach((e) => order.set(`${s.name}:${e}`, order.size)));
  const sorted = [...defs].sort(
    (a, b) => order.get(`${a.system}:${a.event}`) - order.get(`${b.system}:${b.event}`),
  );
  for (const d of sorted) {
    out.push(`  [`, `    ${q(d.system)},`, `    ${q(d.event)},`, `    [`);
    for (const [type, name, offset, size, signed] of d.fields) {
      out.push(`      [${q(type)}, ${q(name)}, ${offset}, ${size}, ${signed}],`);
    }
    out.push(`    ],`, `    ${q(d.printFmt)},`, `  ],`);
  }
  out.push('];', '');
  return out.join('\n');
}

function main(argv) {
  let input = DEFAULT_INPUT;
  let output = DEFAULT_OUTPUT;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if ((a === '--input' || a === '--output') && v !== undefined) {
      if (a === '--input') input = v;
      else output = v;
      i++;
    } else {
      throw new Error(`usage: gen-catalog.mjs [--input <available_events>] [--output <file.ts>]`);
    }
  }
  const text = generateCatalogData(readFileSync(input, 'utf8'));
  writeFileSync(output, text);
  process.stdout.write(`wrote ${output} (${Buffer.byteLength(text)} bytes)\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
