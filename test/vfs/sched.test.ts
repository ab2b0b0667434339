import { describe, expect, it } from 'vitest';
import { ViolationSignal } from '../../src/vfs/errors';
import { Mutex, runSync, RwSem, step, Task, type KOp, type Yield } from '../../src/vfs/sched';
import { violationOf } from './toyfs';

/** Advance a generator once and return the point it yielded (fails if it finished). */
function nextPoint<R>(op: KOp<R>): Yield {
  const r = op.next();
  if (r.done === true) throw new Error('operation finished instead of yielding');
  return r.value;
}

function blockReady(y: Yield): boolean {
  if (y.kind !== 'block') throw new Error(`expected a block point, got ${y.kind}`);
  return y.ready();
}

describe('step', () => {
  it('builds a non-blocking interleaving point', () => {
    expect(step('site', 'what')).toEqual({ kind: 'step', site: 'site', what: 'what' });
  });
});

describe('runSync', () => {
  it('drives steps and ready blocks to the return value', () => {
    function* op(): KOp<number> {
      yield step('a', 'one');
      yield { kind: 'block', site: 'b', what: 'two', on: null, ready: () => true };
      yield step('c', 'three');
      return 42;
    }
    expect(runSync(op())).toBe(42);
  });

  it('propagates exceptions thrown by the operation', () => {
    // eslint-disable-next-line require-yield
    function* op(): KOp<void> {
      throw new RangeError('boom');
    }
    expect(() => {
      runSync(op());
    }).toThrow(RangeError);
  });

  it('reports a block point that can never become ready as a deadlock', () => {
    function* op(): KOp<void> {
      yield {
        kind: 'block',
        site: 'wait_here',
        what: 'wait_event(x)',
        on: null,
        ready: () => false,
      };
    }
    const v = violationOf(() => {
      runSync(op());
    });
    expect(v.kind).toBe('deadlock');
    expect(v.site).toBe('wait_here');
    expect(v.message).toBe('task blocked forever in wait_event(x)');
  });

  it('names the holders of the lock a deadlocked task waits for', () => {
    const m = new Mutex('big_lock');
    const a = new Task(1, 'alpha');
    const b = new Task(2, 'beta');
    runSync(m.lock(a, 'first'));
    const v = violationOf(() => {
      runSync(m.lock(b, 'second'));
    });
    expect(v.kind).toBe('deadlock');
    expect(v.site).toBe('second');
    expect(v.message).toBe('task blocked forever in mutex_lock(big_lock) (held by alpha)');
    // b never got it.
    expect(m.owner).toBe(a);
    expect(b.held).toEqual([]);
  });
});

describe('Mutex', () => {
  it('locks and unlocks, tracking the owner and Task.held', () => {
    const m = new Mutex('m');
    const t = new Task(1, 't');
    expect(m.holders()).toEqual([]);
    runSync(m.lock(t, 'x'));
    expect(m.owner).toBe(t);
    expect(m.holders()).toEqual([t]);
    expect(t.held).toEqual([m]);
    m.unlock(t, 'x');
    expect(m.owner).toBeNull();
    expect(m.holders()).toEqual([]);
    expect(t.held).toEqual([]);
  });

  it('yields a block point that is ready only while the mutex is free', () => {
    const m = new Mutex('m');
    const a = new Task(1, 'a');
    const b = new Task(2, 'b');
    const la = m.lock(a, 'la');
    const ya = nextPoint(la);
    expect(ya.kind).toBe('block');
    expect(ya.site).toBe('la');
    expect(ya.what).toBe('mutex_lock(m)');
    expect(ya.kind === 'block' && ya.on).toBe(m);
    expect(blockReady(ya)).toBe(true);
    // Nothing is taken until the task is resumed past the point.
    expect(m.owner).toBeNull();
    expect(la.next().done).toBe(true);
    expect(m.owner).toBe(a);

    const lb = m.lock(b, 'lb');
    const yb = nextPoint(lb);
    expect(blockReady(yb)).toBe(false);
    m.unlock(a, 'ua');
    expect(blockReady(yb)).toBe(true);
    expect(lb.next().done).toBe(true);
    expect(m.owner).toBe(b);
    expect(b.held).toEqual([m]);
    expect(a.held).toEqual([]);
  });

  it('reports recursive locking as a deadlock (lockdep) before yielding', () => {
    const m = new Mutex('event_mutex');
    const t = new Task(7, 'worker');
    runSync(m.lock(t, 'outer'));
    const op = m.lock(t, 'inner');
    const v = violationOf(() => op.next());
    expect(v.kind).toBe('deadlock');
    expect(v.site).toBe('inner');
    expect(v.message).toContain('possible recursive locking detected');
    expect(v.message).toContain('worker');
    expect(v.message).toContain('event_mutex');
    expect(t.held).toEqual([m]);
  });

  it('reports unlock by a non-owner as a bug, leaving the owner alone', () => {
    const m = new Mutex('m');
    const a = new Task(1, 'a');
    const b = new Task(2, 'b');
    runSync(m.lock(a, 'x'));
    const v = violationOf(() => {
      m.unlock(b, 'bad_unlock');
    });
    expect(v.kind).toBe('bug');
    expect(v.site).toBe('bad_unlock');
    expect(v.message).toContain('DEBUG_LOCKS_WARN_ON');
    expect(m.owner).toBe(a);
    expect(a.held).toEqual([m]);
  });

  it('reports unlock of a free mutex as a bug', () => {
    const m = new Mutex('m');
    expect(
      violationOf(() => {
        m.unlock(new Task(1, 'a'), 'u');
      }).kind,
    ).toBe('bug');
  });

  it('throws ViolationSignal carrying the violation', () => {
    const m = new Mutex('m');
    try {
      m.unlock(new Task(1, 'a'), 'u');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ViolationSignal);
      expect(e).toBeInstanceOf(Error);
      const s = e as ViolationSignal;
      expect(s.name).toBe('ViolationSignal');
      expect(s.message).toBe(s.violation.message);
    }
  });
});

describe('RwSem', () => {
  it('lets readers share it and keeps a writer out until all readers left', () => {
    const s = new RwSem('i_rwsem');
    const r1 = new Task(1, 'r1');
    const r2 = new Task(2, 'r2');
    const w = new Task(3, 'w');
    runSync(s.lockShared(r1, 'r1'));
    const g2 = s.lockShared(r2, 'r2');
    const y2 = nextPoint(g2);
    expect(y2.what).toBe('down_read(i_rwsem)');
    expect(blockReady(y2)).toBe(true);
    expect(g2.next().done).toBe(true);
    expect(s.holders()).toEqual([r1, r2]);

    const gw = s.lock(w, 'w');
    const yw = nextPoint(gw);
    expect(yw.what).toBe('down_write(i_rwsem)');
    expect(blockReady(yw)).toBe(false);
    s.unlock(r1, 'u1');
    expect(blockReady(yw)).toBe(false);
    expect(s.holders()).toEqual([r2]);
    s.unlock(r2, 'u2');
    expect(blockReady(yw)).toBe(true);
    expect(gw.next().done).toBe(true);
    expect(s.holders()).toEqual([w]);
    expect(w.held).toEqual([s]);
  });

  it('keeps readers and other writers out while a writer holds it', () => {
    const s = new RwSem('sem');
    const w = new Task(1, 'w');
    const r = new Task(2, 'r');
    const w2 = new Task(3, 'w2');
    runSync(s.lock(w, 'w'));
    const gr = s.lockShared(r, 'r');
    const yr = nextPoint(gr);
    const gw2 = s.lock(w2, 'w2');
    const yw2 = nextPoint(gw2);
    expect(blockReady(yr)).toBe(false);
    expect(blockReady(yw2)).toBe(false);
    const v = violationOf(() => {
      runSync(s.lockShared(new Task(4, 'late'), 'late'));
    });
    expect(v.kind).toBe('deadlock');
    expect(v.message).toContain('held by w');
    s.unlock(w, 'uw');
    expect(w.held).toEqual([]);
    expect(blockReady(yr)).toBe(true);
    expect(blockReady(yw2)).toBe(true);
    expect(gr.next().done).toBe(true);
    // A reader got in first: the writer must wait again.
    expect(blockReady(yw2)).toBe(false);
  });

  it('reports recursive read or write acquisition as a deadlock', () => {
    const s = new RwSem('sem');
    const t = new Task(1, 't');
    runSync(s.lockShared(t, 'a'));
    expect(violationOf(() => s.lockShared(t, 'b').next()).kind).toBe('deadlock');
    expect(violationOf(() => s.lock(t, 'c').next()).kind).toBe('deadlock');
    s.unlock(t, 'a');
    runSync(s.lock(t, 'd'));
    const v = violationOf(() => s.lockShared(t, 'e').next());
    expect(v.kind).toBe('deadlock');
    expect(v.site).toBe('e');
    expect(v.message).toContain('possible recursive locking detected');
  });

  it('reports release by a task that does not hold it as a bug', () => {
    const s = new RwSem('sem');
    const a = new Task(1, 'a');
    const b = new Task(2, 'b');
    runSync(s.lockShared(a, 'a'));
    const v = violationOf(() => {
      s.unlock(b, 'bad');
    });
    expect(v.kind).toBe('bug');
    expect(v.site).toBe('bad');
    expect(s.holders()).toEqual([a]);
  });
});

describe('Task.held', () => {
  it('records locks in acquisition order and removes the one released', () => {
    const t = new Task(1, 't');
    expect(t.id).toBe(1);
    expect(t.name).toBe('t');
    const a = new Mutex('a');
    const b = new RwSem('b');
    const c = new Mutex('c');
    runSync(a.lock(t, 'x'));
    runSync(b.lockShared(t, 'x'));
    runSync(c.lock(t, 'x'));
    expect(t.held.map((l) => l.name)).toEqual(['a', 'b', 'c']);
    b.unlock(t, 'x');
    expect(t.held.map((l) => l.name)).toEqual(['a', 'c']);
    a.unlock(t, 'x');
    expect(t.held.map((l) => l.name)).toEqual(['c']);
    c.unlock(t, 'x');
    expect(t.held).toEqual([]);
  });

  it('is per task', () => {
    const a = new Task(1, 'a');
    const b = new Task(2, 'b');
    const s = new RwSem('s');
    runSync(s.lockShared(a, 'x'));
    runSync(s.lockShared(b, 'x'));
    expect(a.held).toEqual([s]);
    expect(b.held).toEqual([s]);
    s.unlock(a, 'x');
    expect(a.held).toEqual([]);
    expect(b.held).toEqual([s]);
  });
});
