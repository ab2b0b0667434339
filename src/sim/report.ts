/**
 * Reports a person can read: a failure printed like a kernel report (what, where, which CPU),
 * the interleaving as a per-CPU timeline, and the schedule string that replays it.
 */
import type { Violation } from '../vfs/errors';
import type { Failure } from './explore';
import type { TraceStep } from './machine';

const TITLES: Readonly<Record<Violation['kind'], string>> = {
  'uninitialized-read': 'KMSAN: uninit-value',
  'use-after-free': 'KASAN: slab-use-after-free',
  'unexpected-result': 'wrong result',
  bug: 'kernel BUG',
  deadlock: 'possible deadlock (lockdep)',
  refcount: 'refcount_t: misuse',
  invariant: 'invariant violated',
};

/** A kernel-report style header for a violation. */
export function formatViolation(v: Violation, variant = 'fixed', op?: string): string {
  const rule = '='.repeat(66);
  const own = /^(BUG|WARNING|kernel BUG|refcount_t)/.test(v.message);
  const lines = [
    rule,
    ...(own ? [] : [`BUG: ${TITLES[v.kind]} in ${v.site}`]),
    v.message,
    `CPU: ${v.cpu ?? '-'} Comm: ${v.cpu === undefined ? 'setup' : `cpu${v.cpu}`}${op ? ` (${op})` : ''} tracefs-sim eventfs=${variant}`,
    `step: ${v.step ?? '-'}`,
    rule,
  ];
  return lines.join('\n');
}

/** The interleaving, one column per CPU. Consecutive steps of one CPU are merged when `compact`. */
export function formatTimeline(
  trace: readonly TraceStep[],
  opts: { width?: number; compact?: boolean } = {},
): string {
  const width = opts.width ?? 38;
  const cpus = Math.max(0, ...trace.map((t) => t.cpu)) + 1;
  const cut = (s: string): string => (s.length > width - 1 ? `${s.slice(0, width - 2)}…` : s);
  const header = ['step ', ...Array.from({ length: cpus }, (_, i) => `CPU${i}`.padEnd(width))].join(
    ' ',
  );
  const out = [header, '-'.repeat(header.length)];
  for (const t of trace) {
    const cols = Array.from({ length: cpus }, (_, i) =>
      (i === t.cpu ? cut(t.what) : '').padEnd(width),
    );
    out.push([String(t.step).padStart(4), ' ', ...cols].join(' ').trimEnd());
  }
  return out.join('\n');
}

/** Everything about a failure: report, timeline, and how to replay it. */
export function formatFailure(f: Failure, variant = 'fixed', scenario?: string): string {
  const last = [...f.trace].reverse().find((t) => t.cpu === f.violation.cpu);
  const replayCmd = scenario
    ? `tracefs-sim replay --variant ${variant} --scenario ${scenario} ${f.schedule}`
    : `replay(config, '${f.schedule}')`;
  return [
    formatViolation(f.violation, variant, last?.op),
    '',
    `Interleaving (${f.trace.length} steps, ${f.preemptions} preemption${f.preemptions === 1 ? '' : 's'}):`,
    formatTimeline(f.trace),
    '',
    `schedule: ${f.schedule}`,
    `replay:   ${replayCmd}`,
  ].join('\n');
}
