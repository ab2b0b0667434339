/**
 * Exploring interleavings: seeded random walks, PCT (Burckhardt et al., "A Randomized Scheduler
 * with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010) and preemption-bounded depth-first
 * search (Musuvathi & Qadeer's CHESS). Every run is described by a schedule string (the CPU that
 * took each step) that `replay` runs again exactly; failing schedules are shrunk to the fewest
 * deviations from the non-preemptive default that still fail the same way.
 */
import type { Violation } from '../vfs/errors';
import { Machine, type SimConfig, type TraceStep } from './machine';
import { checkOp, type OpResult } from './ops';
import { Rng } from './rng';

/** How to pick interleavings. */
export type Strategy =
  | { readonly kind: 'random'; readonly seed: number; readonly runs: number }
  | { readonly kind: 'pct'; readonly seed: number; readonly runs: number; readonly depth: number }
  | { readonly kind: 'dfs'; readonly preemptionBound?: number; readonly maxSchedules?: number };

/** A failing interleaving. */
export interface Failure {
  readonly violation: Violation;
  /** Replay it with {@link replay}. */
  readonly schedule: string;
  readonly trace: readonly TraceStep[];
  /** Context switches away from a CPU that could have continued. */
  readonly preemptions: number;
}

/** What {@link explore} found. */
export interface ExploreResult {
  /** Schedules run. */
  readonly schedules: number;
  /** True when a dfs exhausted its bounded space. */
  readonly complete: boolean;
  readonly failures: readonly Failure[];
}

/** Options of {@link explore}. */
export interface ExploreConfig extends SimConfig {
  readonly strategy?: Strategy;
  /** Stop after this many failures (default 1). */
  readonly maxFailures?: number;
  /** Shrink failing schedules (default true). */
  readonly shrink?: boolean;
  /** Called every so often with the number of schedules run (for progress displays). */
  readonly onProgress?: (schedules: number) => void;
}

/** What {@link replay} reports. */
export interface ReplayResult {
  readonly violation: Violation | null;
  readonly trace: readonly TraceStep[];
  readonly results: readonly (readonly OpResult[])[];
  /** The schedule actually run (the given one, completed by the default policy if short). */
  readonly schedule: string;
}

/** Picks the CPU for the next step. */
export type Chooser = (
  m: Machine,
  runnable: readonly number[],
  last: number | null,
  step: number,
) => number;

/** The non-preemptive default: keep running the last CPU while it can, else the lowest one. */
export function defaultChoice(runnable: readonly number[], last: number | null): number {
  return last !== null && runnable.includes(last) ? last : runnable[0]!;
}

/** One finished run: the machine as it ended, the choices made, the preemptions among them. */
export interface Run {
  readonly machine: Machine;
  readonly choices: number[];
  readonly preemptions: number;
}

/**
 * Run one schedule to its end: `choose` picks the CPU for each step; `onStep` sees the machine
 * after every step (and once before the first, with step -1).
 */
export function execute(
  cfg: SimConfig,
  choose: Chooser,
  onStep?: (m: Machine, step: number) => void,
): Run {
  const m = new Machine(cfg);
  const choices: number[] = [];
  let last: number | null = null;
  let preemptions = 0;
  onStep?.(m, -1);
  while (!m.over) {
    const r = m.runnable();
    if (r.length === 0) {
      m.deadlock();
      break;
    }
    const c = choose(m, r, last, choices.length);
    if (last !== null && c !== last && r.includes(last)) preemptions++;
    choices.push(c);
    m.step(c);
    last = c;
    onStep?.(m, choices.length - 1);
  }
  m.finish();
  return { machine: m, choices, preemptions };
}

/** The chooser that follows a schedule string, then the default policy. */
export function followSchedule(schedule: string): Chooser {
  const want = decodeSchedule(schedule);
  return (_m, r, last, step) => {
    const c = want[step];
    if (c === undefined) return defaultChoice(r, last);
    if (!r.includes(c)) {
      throw new RangeError(
        `schedule does not fit this configuration: CPU ${c} cannot run at step ${step}`,
      );
    }
    return c;
  };
}

/** Encode choices: one character per step ('0'-'9'). */
export function encodeSchedule(choices: readonly number[]): string {
  return choices.join('');
}

/** Decode a schedule string. Throws TypeError on anything but CPU digits. */
export function decodeSchedule(s: string): number[] {
  if (typeof s !== 'string' || !/^[0-9]*$/.test(s)) {
    throw new TypeError('a schedule is a string of CPU digits, one per step');
  }
  return Array.from(s, Number);
}

function checkConfig(cfg: SimConfig): void {
  if (typeof cfg !== 'object' || (cfg as unknown) === null)
    throw new TypeError('config must be an object');
  if (!Array.isArray(cfg.tasks)) throw new TypeError('config.tasks must be an array of op arrays');
  const cpus = cfg.tasks.length + (cfg.memoryPressure === true ? 1 : 0);
  if (cfg.tasks.length === 0 || cpus > 10)
    throw new TypeError('between 1 and 9 tasks (10 CPUs with memory pressure)');
  cfg.tasks.forEach((ops, i) => {
    if (!Array.isArray(ops)) throw new TypeError(`tasks[${i}] must be an array of ops`);
    ops.forEach((op, j) => checkOp(op, `tasks[${i}][${j}]`));
  });
}

function failureOf(run: Run): Failure | null {
  const v = run.machine.violation;
  if (v === null) return null;
  return {
    violation: v,
    schedule: encodeSchedule(run.choices),
    trace: run.machine.trace,
    preemptions: run.preemptions,
  };
}

/** Replay a schedule string exactly; past its end the default policy finishes the run. */
export function replay(cfg: SimConfig, schedule: string): ReplayResult {
  checkConfig(cfg);
  const run = execute(cfg, followSchedule(schedule));
  return {
    violation: run.machine.violation,
    trace: run.machine.trace,
    results: run.machine.results(),
    schedule: encodeSchedule(run.choices),
  };
}

/** Same failure for shrinking purposes: same kind at the same site. */
function sameFailure(a: Violation, b: Violation | null): boolean {
  return b !== null && a.kind === b.kind && a.site === b.site;
}

/**
 * Shrink a failing schedule: express it as deviations from the default policy, then drop every
 * deviation whose removal keeps the same failure (greedy, to a fixpoint).
 */
export function shrinkFailure(cfg: SimConfig, f: Failure): Failure {
  const target = f.violation;
  // Deviations: (step, cpu) where the schedule differs from the default choice.
  const base = decodeSchedule(f.schedule);
  let devs: [number, number][] = [];
  execute(cfg, (_m, r, last, step) => {
    const c = base[step] ?? defaultChoice(r, last);
    if (c !== defaultChoice(r, last)) devs.push([step, c]);
    return r.includes(c) ? c : defaultChoice(r, last);
  });
  const runWith = (ds: readonly [number, number][]): Run => {
    const map = new Map(ds);
    return execute(cfg, (_m, r, last, step) => {
      const c = map.get(step);
      return c !== undefined && r.includes(c) ? c : defaultChoice(r, last);
    });
  };
  let best = f;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < devs.length; i++) {
      const cand = devs.filter((_, j) => j !== i);
      const run = runWith(cand);
      const v = run.machine.violation;
      if (sameFailure(target, v)) {
        devs = cand;
        best = failureOf(run)!;
        changed = true;
        i--;
      }
    }
  }
  // Greedy removal can stop at a local minimum: search systematically with fewer preemptions.
  for (let bound = 0; bound < best.preemptions; bound++) {
    let found: Failure | null = null;
    dfs(cfg, bound, SHRINK_BUDGET, (run) => {
      const g = failureOf(run);
      if (g !== null && sameFailure(target, g.violation)) found = g;
      return found !== null;
    });
    if (found !== null) {
      best = found;
      break;
    }
  }
  return best.preemptions <= f.preemptions ? best : f;
}

/** Schedules a shrink may try per preemption bound. */
const SHRINK_BUDGET = 20_000;

/** Explore interleavings of the tasks; see {@link Strategy}. */
export function explore(cfg: ExploreConfig): ExploreResult {
  checkConfig(cfg);
  const strategy = cfg.strategy ?? { kind: 'dfs', preemptionBound: 2 };
  const maxFailures = cfg.maxFailures ?? 1;
  const failures: Failure[] = [];
  const seen = new Set<string>();
  let schedules = 0;
  const record = (run: Run): boolean => {
    schedules++;
    if (cfg.onProgress !== undefined && schedules % 1000 === 0) cfg.onProgress(schedules);
    const f = failureOf(run);
    if (f === null) return false;
    const key = `${f.violation.kind}@${f.violation.site}`;
    if (seen.has(key)) return false;
    seen.add(key);
    failures.push(cfg.shrink === false ? f : shrinkFailure(cfg, f));
    return failures.length >= maxFailures;
  };

  switch (strategy.kind) {
    case 'random': {
      const rng = new Rng(strategy.seed);
      for (let i = 0; i < strategy.runs; i++) {
        const r = rng.fork(i);
        if (record(execute(cfg, (_m, run) => run[r.int(run.length)]!))) break;
      }
      return { schedules, complete: false, failures };
    }
    case 'pct': {
      const rng = new Rng(strategy.seed);
      // k: the length of a default run estimates the steps a run takes.
      const k = Math.max(1, execute(cfg, (_m, r, last) => defaultChoice(r, last)).choices.length);
      const n = cfg.tasks.length + (cfg.memoryPressure === true ? 1 : 0);
      const d = Math.max(1, strategy.depth);
      for (let i = 0; i < strategy.runs; i++) {
        const r = rng.fork(i);
        // Random distinct initial priorities >= d; change point j lowers the running CPU to j.
        const prio = shuffle(
          Array.from({ length: n }, (_, j) => d + j),
          r,
        );
        const changes = new Map<number, number>();
        for (let j = 1; j < d; j++) changes.set(r.int(k), d - j);
        const run = execute(cfg, (_m, run, _last, step) => {
          let best = run[0]!;
          for (const c of run) if (prio[c]! > prio[best]!) best = c;
          const lower = changes.get(step);
          if (lower !== undefined) {
            prio[best] = lower;
            for (const c of run) if (prio[c]! > prio[best]!) best = c;
          }
          return best;
        });
        if (record(run)) break;
      }
      return { schedules, complete: false, failures };
    }
    case 'dfs': {
      const bound = strategy.preemptionBound ?? 2;
      const max = strategy.maxSchedules ?? 1_000_000;
      // Iterative deepening: the first failure found has the fewest preemptions.
      for (let b = 0; b <= bound; b++) {
        const res = dfs(cfg, b, max - schedules, record);
        if (res === 'stopped') return { schedules, complete: false, failures };
        if (res === 'budget') return { schedules, complete: false, failures };
      }
      return { schedules, complete: true, failures };
    }
  }
}

function shuffle<T>(a: T[], r: Rng): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

interface Frame {
  readonly remaining: number[];
  readonly preBefore: number;
  readonly last: number | null;
  readonly lastRunnable: boolean;
}

/** Stateless preemption-bounded DFS: re-execute from scratch along a prefix, then the default. */
function dfs(
  cfg: SimConfig,
  bound: number,
  budget: number,
  record: (run: Run) => boolean,
): 'complete' | 'stopped' | 'budget' {
  const frames: Frame[] = [];
  let prefix: number[] = [];
  for (let n = 0; ; n++) {
    if (n >= budget) return 'budget';
    let pre = 0;
    const run = execute(cfg, (_m, r, last, depth) => {
      let c: number;
      if (depth < prefix.length) c = prefix[depth]!;
      else {
        c = defaultChoice(r, last);
        const lastRunnable = last !== null && r.includes(last);
        frames[depth] = { remaining: r.filter((x) => x !== c), preBefore: pre, last, lastRunnable };
      }
      if (last !== null && c !== last && r.includes(last)) pre++;
      return c;
    });
    if (record(run)) return 'stopped';
    frames.length = run.choices.length;
    let next: number[] | null = null;
    for (let d = run.choices.length - 1; d >= 0 && next === null; d--) {
      const f = frames[d]!;
      while (f.remaining.length > 0) {
        const alt = f.remaining.shift()!;
        const cost = f.lastRunnable && alt !== f.last ? 1 : 0;
        if (f.preBefore + cost <= bound) {
          next = [...run.choices.slice(0, d), alt];
          frames.length = d + 1;
          break;
        }
      }
    }
    if (next === null) return 'complete';
    prefix = next;
  }
}
