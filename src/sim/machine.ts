/**
 * One simulated machine: a fresh mount, a simulated CPU per task, an optional memory-pressure
 * CPU that runs the dcache shrinker, and the bookkeeping of a run (trace, results, the first
 * violation). The scheduler outside decides which runnable CPU takes the next step; a step
 * resumes that CPU's current operation until its next interleaving point.
 */
import { checkInvariants } from '../check/invariants';
import { TracefsMount, type Tracefs } from '../facade';
import type { VariantName } from '../eventfs/variants/index';
import { createCatalog, type EventCatalog } from '../trace/catalog';
import { KernelBugError, ViolationSignal, type Violation } from '../vfs/errors';
import type { File } from '../vfs/file';
import { Task, type KOp, type Yield } from '../vfs/sched';
import { sysClose } from '../vfs/syscalls';
import { ROOT_CRED } from '../vfs/types';
import { describeOp, runOp, type Op, type OpResult } from './ops';

/** When invariants are checked during a run. */
export type InvariantMode = 'step' | 'end' | 'off';

/** A simulation: what to mount, what runs on each CPU. */
export interface SimConfig {
  /** eventfs implementation; default 'fixed'. */
  readonly variant?: VariantName;
  /** Runs on the mount before the CPUs start (synchronous facade). */
  readonly setup?: (fs: Tracefs) => void;
  /** One program per CPU (at most 9; a memory-pressure CPU comes after them). */
  readonly tasks: readonly (readonly Op[])[];
  /** Add a CPU that runs the dcache shrinker (`shrinks` times) whenever it is scheduled. */
  readonly memoryPressure?: boolean;
  /** How many shrinks the memory-pressure CPU performs (default 2). */
  readonly shrinks?: number;
  /** Catalog to mount; default: {@link SIM_CATALOG}. */
  readonly catalog?: EventCatalog;
  /** Invariant checking: after every step (default), at the end only, or never. */
  readonly invariants?: InvariantMode;
  /** A run longer than this is reported as a livelock (default 20,000 steps). */
  readonly maxSteps?: number;
}

/**
 * The default catalog of simulations: small, so that a schedule costs microseconds, with the
 * systems the thread's scenarios touch.
 */
export const SIM_CATALOG: EventCatalog = createCatalog([
  { name: 'sched', events: [{ name: 'sched_switch' }, { name: 'sched_wakeup' }] },
  { name: 'irq', events: [{ name: 'irq_handler_entry' }] },
]);

/** One interleaving step, for timelines. */
export interface TraceStep {
  readonly step: number;
  readonly cpu: number;
  /** Where the CPU got to in this step: the interleaving point it stopped at (or its result). */
  readonly site: string;
  readonly what: string;
  /** The op the CPU was running. */
  readonly op: string;
}

class Cpu {
  opIndex = 0;
  gen: KOp<OpResult> | null = null;
  pending: Yield | null = null;
  current = '';
  done = false;
  readonly results: OpResult[] = [];
  readonly open: File[] = [];
  readonly task: Task;

  constructor(
    readonly id: number,
    readonly ops: readonly Op[],
    readonly pressure: boolean,
  ) {
    this.task = new Task(id + 1, pressure ? `kswapd${id}` : `cpu${id}`);
  }
}

export class Machine {
  readonly fs: TracefsMount;
  readonly cpus: Cpu[];
  readonly trace: TraceStep[] = [];
  violation: Violation | null = null;
  steps = 0;
  private readonly invariants: InvariantMode;
  private readonly maxSteps: number;

  constructor(cfg: SimConfig) {
    this.fs = new TracefsMount({
      variant: cfg.variant ?? 'fixed',
      catalog: cfg.catalog ?? SIM_CATALOG,
    });
    try {
      cfg.setup?.(this.fs);
    } catch (e) {
      // The kernel failed before the CPUs started: the run is over before it began.
      if (!(e instanceof KernelBugError)) throw e;
      this.violation = { ...e.violation, step: 0 };
    }
    this.cpus = cfg.tasks.map((ops, i) => new Cpu(i, ops, false));
    for (const c of this.cpus) if (c.ops.length === 0) c.done = true;
    if (cfg.memoryPressure === true) {
      const shrinks: Op[] = Array.from({ length: cfg.shrinks ?? 2 }, () => ({
        op: 'shrink' as const,
      }));
      this.cpus.push(new Cpu(this.cpus.length, shrinks, true));
    }
    this.invariants = cfg.invariants ?? 'step';
    this.maxSteps = cfg.maxSteps ?? 20_000;
  }

  /** True once every CPU finished or a violation stopped the run. */
  get over(): boolean {
    return this.violation !== null || this.cpus.every((c) => c.done);
  }

  /** CPUs that may take the next step. */
  runnable(): number[] {
    const out: number[] = [];
    for (const c of this.cpus) {
      if (c.done) continue;
      const p = c.pending;
      if (p === null || p.kind === 'step' || p.ready()) out.push(c.id);
    }
    return out;
  }

  /** Whether `cpu` can run now. */
  isRunnable(cpu: number): boolean {
    const c = this.cpus[cpu];
    if (c === undefined || c.done) return false;
    const p = c.pending;
    return p === null || p.kind === 'step' || p.ready();
  }

  /** Let `cpu` run to its next interleaving point. */
  step(cpu: number): void {
    const c = this.cpus[cpu]!;
    const stepNo = this.steps++;
    if (c.gen === null) this.startNext(c);
    const gen = c.gen!;
    const op = c.current;
    // The trace says where the CPU got to in this step: its next interleaving point.
    let what: string;
    let site: string;
    try {
      const r = gen.next();
      if (r.done === true) {
        c.gen = null;
        c.pending = null;
        what = `${op} -> ${r.value.result}`;
        site = 'return';
        this.finishOp(c, r.value, stepNo);
      } else {
        c.pending = r.value;
        what = r.value.what;
        site = r.value.site;
      }
    } catch (e) {
      if (!(e instanceof ViolationSignal)) throw e;
      this.violation = { ...e.violation, cpu, step: stepNo };
      this.trace.push({
        step: stepNo,
        cpu,
        site: e.violation.site,
        what: `!! ${e.violation.kind} in ${e.violation.site}`,
        op,
      });
      return;
    }
    this.trace.push({ step: stepNo, cpu, site, what, op });
    if (this.violation === null && this.invariants === 'step') this.check(cpu, stepNo, false);
    if (this.violation === null && this.steps >= this.maxSteps) {
      this.violation = {
        kind: 'deadlock',
        site: 'scheduler',
        message: `no completion after ${this.steps} steps (livelock)`,
        cpu,
        step: stepNo,
      };
    }
  }

  private startNext(c: Cpu): void {
    const ctx = { task: c.task, cred: ROOT_CRED };
    const op = c.ops[c.opIndex];
    if (op !== undefined) {
      c.current = describeOp(op);
      c.gen = runOp(this.fs, ctx, op, c.open);
      return;
    }
    // The task exits: its open files are closed.
    const f = c.open.shift()!;
    c.current = `close ${f.dentry.name}`;
    c.gen = closeOp(ctx, f);
  }

  private finishOp(c: Cpu, r: OpResult, stepNo: number): void {
    if (c.opIndex < c.ops.length) {
      c.results.push(r);
      c.opIndex++;
      const want = r.op.expect;
      if (want !== undefined && want !== r.result) {
        this.violation = {
          kind: 'unexpected-result',
          site: r.op.op,
          message: `${describeOp(r.op)} returned ${r.result}, expected ${want}`,
          cpu: c.id,
          step: stepNo,
        };
        return;
      }
    }
    if (c.opIndex >= c.ops.length && c.open.length === 0) c.done = true;
  }

  /** Nobody can run but some CPU has not finished: a deadlock. */
  deadlock(): void {
    const blocked = this.cpus
      .filter((c) => !c.done)
      .map((c) => {
        const p = c.pending;
        const holders =
          p?.kind === 'block'
            ? (p.on
                ?.holders()
                .map((t) => t.name)
                .join(', ') ?? '')
            : '';
        return `${c.task.name} in ${p?.what ?? '?'}${holders ? ` (held by ${holders})` : ''}`;
      });
    this.violation = {
      kind: 'deadlock',
      site: this.cpus.find((c) => !c.done)?.pending?.site ?? 'scheduler',
      message: `deadlock: every CPU is blocked: ${blocked.join('; ')}`,
      step: this.steps,
    };
  }

  /** Invariants at the end of a clean run. */
  finish(): void {
    if (this.violation === null && this.invariants !== 'off')
      this.check(undefined, this.steps, true);
  }

  private check(cpu: number | undefined, step: number, quiescent: boolean): void {
    const problems = checkInvariants({
      tracefs: this.fs.tracefs,
      eventfs: this.fs.eventfs,
      locks: [this.fs.eventfs.mutex, this.fs.tracing.eventMutex],
      quiescent,
    });
    const first = problems[0];
    if (first !== undefined)
      this.violation = cpu === undefined ? { ...first, step } : { ...first, cpu, step };
  }

  /** Results per CPU (the memory-pressure CPU last). */
  results(): OpResult[][] {
    return this.cpus.map((c) => c.results);
  }
}

function* closeOp(ctx: { task: Task; cred: typeof ROOT_CRED }, f: File): KOp<OpResult> {
  yield* sysClose(ctx, f);
  return { op: { op: 'open', path: f.dentry.name }, result: 'ok' };
}
