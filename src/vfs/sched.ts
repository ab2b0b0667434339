/**
 * The interleaving protocol. Every core operation is a generator that yields at the points where
 * another CPU could run in the kernel it models: taking a lock, publishing a dentry or inode,
 * calling back into a filesystem, freeing. The synchronous facade drives one generator to the
 * end; the simulator (src/sim) interleaves several. Locks are modelled here because blocking is
 * part of the protocol: a blocked task yields a `block` point that is not runnable until its
 * condition holds.
 */
import { violation, ViolationSignal } from './errors';

/** A thread of execution in the model (one per simulated CPU; one for the synchronous facade). */
export class Task {
  /** Locks this task holds now, in acquisition order (lockdep's held_locks). */
  readonly held: Lock[] = [];
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
}

/** An interleaving point. */
export type Yield =
  | { readonly kind: 'step'; readonly site: string; readonly what: string }
  | {
      readonly kind: 'block';
      readonly site: string;
      readonly what: string;
      /** The lock or object waited on, for deadlock reports. */
      readonly on: Lock | null;
      /** The task may continue once this holds. */
      readonly ready: () => boolean;
    };

/** A kernel operation: runs to a result, yielding at interleaving points. */
export type KOp<R> = Generator<Yield, R, void>;

/** An interleaving point where nothing blocks. */
export function step(site: string, what: string): Yield {
  return { kind: 'step', site, what };
}

/** Something a task can hold and others can wait for. */
export interface Lock {
  readonly name: string;
  /** Tasks holding it now. */
  holders(): readonly Task[];
}

/** A sleeping mutex (struct mutex). Recursive locking is a lockdep splat: a `deadlock` violation. */
export class Mutex implements Lock {
  owner: Task | null = null;
  constructor(readonly name: string) {}

  holders(): readonly Task[] {
    return this.owner === null ? [] : [this.owner];
  }

  /** mutex_lock(): may sleep until the owner releases it. */
  *lock(task: Task, site: string): KOp<void> {
    if (this.owner === task) {
      violation(
        'deadlock',
        site,
        `WARNING: possible recursive locking detected: ${task.name} is trying to acquire ${this.name} it already holds`,
      );
    }
    yield {
      kind: 'block',
      site,
      what: `mutex_lock(${this.name})`,
      on: this,
      ready: () => this.owner === null,
    };
    this.owner = task;
    task.held.push(this);
  }

  /** mutex_unlock(). */
  unlock(task: Task, site: string): void {
    if (this.owner !== task) {
      violation(
        'bug',
        site,
        `DEBUG_LOCKS_WARN_ON(owner != current): ${task.name} unlocks ${this.name} it does not hold`,
      );
    }
    this.owner = null;
    removeHeld(task, this);
  }
}

/** A reader/writer semaphore (an inode's i_rwsem). */
export class RwSem implements Lock {
  private writer: Task | null = null;
  private readonly readers: Task[] = [];
  constructor(readonly name: string) {}

  holders(): readonly Task[] {
    return this.writer === null ? this.readers : [this.writer];
  }

  /** inode_lock_shared(). */
  *lockShared(task: Task, site: string): KOp<void> {
    this.checkRecursion(task, site);
    yield {
      kind: 'block',
      site,
      what: `down_read(${this.name})`,
      on: this,
      ready: () => this.writer === null,
    };
    this.readers.push(task);
    task.held.push(this);
  }

  /** inode_lock(). */
  *lock(task: Task, site: string): KOp<void> {
    this.checkRecursion(task, site);
    yield {
      kind: 'block',
      site,
      what: `down_write(${this.name})`,
      on: this,
      ready: () => this.writer === null && this.readers.length === 0,
    };
    this.writer = task;
    task.held.push(this);
  }

  /** inode_unlock() / inode_unlock_shared(). */
  unlock(task: Task, site: string): void {
    if (this.writer === task) this.writer = null;
    else {
      const i = this.readers.indexOf(task);
      if (i < 0) violation('bug', site, `${task.name} releases ${this.name} it does not hold`);
      this.readers.splice(i, 1);
    }
    removeHeld(task, this);
  }

  private checkRecursion(task: Task, site: string): void {
    if (this.writer === task || this.readers.includes(task)) {
      violation(
        'deadlock',
        site,
        `WARNING: possible recursive locking detected: ${task.name} is trying to acquire ${this.name} it already holds`,
      );
    }
  }
}

function removeHeld(task: Task, lock: Lock): void {
  const i = task.held.lastIndexOf(lock);
  if (i >= 0) task.held.splice(i, 1);
}

/**
 * True for a kernel failure unwinding. An oopsed task runs no more kernel code: cleanup that
 * would take locks, drop references or yield is skipped, as in the kernel, where the oops
 * kills the task where it stands.
 */
export function isOops(e: unknown): boolean {
  return e instanceof ViolationSignal;
}

/** An operation that does nothing. */
// eslint-disable-next-line require-yield
export function* nothing(): KOp<void> {
  return;
}

/**
 * Run `body`, then `cleanup`: also when `body` fails with an ordinary error (the kernel's error
 * paths), never when it oopses.
 */
export function* withCleanup<R>(body: KOp<R>, cleanup: () => KOp<void>): KOp<R> {
  let r: R;
  try {
    r = yield* body;
  } catch (e) {
    if (!isOops(e)) yield* cleanup();
    throw e;
  }
  yield* cleanup();
  return r;
}

/**
 * Run `body` with a lock the caller took: release it after `body`, also when `body` fails with
 * an ordinary error, never when it oopses (the oopsed task may no longer hold it).
 */
export function* thenUnlock<R>(body: KOp<R>, unlock: () => void): KOp<R> {
  let r: R;
  try {
    r = yield* body;
  } catch (e) {
    if (!isOops(e)) unlock();
    throw e;
  }
  unlock();
  return r;
}

/**
 * Drive one operation to completion on its own: the synchronous facade. With no other task to
 * run, a block point whose condition does not hold can never become ready: a deadlock.
 */
export function runSync<R>(op: KOp<R>): R {
  for (;;) {
    const r = op.next();
    if (r.done === true) return r.value;
    const y = r.value;
    if (y.kind === 'block' && !y.ready()) {
      const holders =
        y.on
          ?.holders()
          .map((t) => t.name)
          .join(', ') ?? '';
      violation(
        'deadlock',
        y.site,
        `task blocked forever in ${y.what}${holders ? ` (held by ${holders})` : ''}`,
      );
    }
  }
}
