/**
 * The simulator's machinery: schedule strings, replay's contract, shrinking, strategies'
 * bookkeeping, memory pressure, expectations, and input validation.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeSchedule,
  encodeSchedule,
  explore,
  replay,
  scenarios,
  shrinkFailure,
  type Op,
} from '../../src/index';

const cold2: Op[][] = [
  [{ op: 'stat', path: 'events/sched' }],
  [{ op: 'stat', path: 'events/sched' }],
];

describe('schedule strings', () => {
  it('encode and decode one digit per step', () => {
    expect(encodeSchedule([0, 1, 1, 0])).toBe('0110');
    expect(decodeSchedule('0110')).toEqual([0, 1, 1, 0]);
    expect(() => decodeSchedule('01a')).toThrow(TypeError);
  });

  it('replay completes a short schedule with the non-preemptive default', () => {
    const r = replay({ tasks: cold2 }, '1');
    expect(r.violation).toBeNull();
    // CPU1 ran first and kept running until it finished.
    expect(r.trace[0]!.cpu).toBe(1);
    expect(r.schedule.startsWith('1')).toBe(true);
    expect(r.results.map((x) => x.map((y) => y.result))).toEqual([['ok'], ['ok']]);
  });

  it('replay refuses a schedule that does not fit', () => {
    expect(() => replay({ tasks: [[{ op: 'stat', path: 'events' }]] }, '5')).toThrow(RangeError);
  });
});

describe('explore', () => {
  it('dfs with bound 0 runs only the non-preemptive interleavings', () => {
    const r = explore({ tasks: cold2, strategy: { kind: 'dfs', preemptionBound: 0 } });
    expect(r.complete).toBe(true);
    // Which CPU starts is a free choice, after that nobody is preempted.
    expect(r.schedules).toBe(2);
  });

  it('a larger bound explores more and still completes', () => {
    const a = explore({ tasks: cold2, strategy: { kind: 'dfs', preemptionBound: 1 } });
    const b = explore({ tasks: cold2, strategy: { kind: 'dfs', preemptionBound: 2 } });
    expect(a.complete && b.complete).toBe(true);
    expect(b.schedules).toBeGreaterThan(a.schedules);
  });

  it('maxSchedules cuts a search short and says so', () => {
    const r = explore({
      tasks: cold2,
      strategy: { kind: 'dfs', preemptionBound: 2, maxSchedules: 10 },
    });
    expect(r.complete).toBe(false);
    expect(r.schedules).toBeLessThanOrEqual(10);
  });

  it('reports progress', () => {
    const seen: number[] = [];
    explore({
      tasks: cold2,
      strategy: { kind: 'random', seed: 3, runs: 2500 },
      onProgress: (n) => seen.push(n),
    });
    expect(seen).toEqual([1000, 2000]);
  });

  it('an op whose outcome differs from `expect` is an unexpected-result violation', () => {
    const r = explore({ tasks: [[{ op: 'stat', path: 'events/nope', expect: 'ok' }]] });
    expect(r.failures[0]?.violation).toMatchObject({
      kind: 'unexpected-result',
      site: 'stat',
      cpu: 0,
    });
  });

  it('a memory-pressure CPU runs the shrinker as an extra CPU', () => {
    const r = replay(
      {
        setup: (fs) => void fs.stat('events/sched/sched_switch/enable'),
        tasks: [[]],
        memoryPressure: true,
      },
      '1',
    );
    expect(r.results[1]!.map((x) => x.op.op)).toEqual(['shrink', 'shrink']);
    expect(r.results[1]![0]!.value).toBeGreaterThan(0);
  });

  it('a kernel failure during setup is the run’s failure', () => {
    const r = explore({
      variant: 'rfc-lookup',
      setup: (fs) => void fs.stat('events/sched'),
      tasks: [[]],
    });
    expect(r.failures[0]?.violation.kind).toBe('deadlock');
  });

  it('validates its input', () => {
    expect(() => explore({ tasks: [] })).toThrow(TypeError);
    expect(() => explore({ tasks: [[{ op: 'frobnicate' } as unknown as Op]] })).toThrow(TypeError);
    expect(() => explore({ tasks: [[{ op: 'stat' }]] })).toThrow(/path/);
    expect(() =>
      explore({ tasks: [[{ op: 'stat', path: 'x', expect: 'EWHATEVER' as never }]] }),
    ).toThrow(TypeError);
    expect(() => explore({ tasks: Array.from({ length: 11 }, () => []) })).toThrow(TypeError);
  });
});

describe('shrinking', () => {
  it('keeps the failure and never adds preemptions', () => {
    const s = scenarios['robot-oops']!;
    const raw = explore({
      ...s.config,
      variant: '852e46e239',
      strategy: { kind: 'random', seed: 11, runs: 500 },
      shrink: false,
    }).failures[0]!;
    const small = shrinkFailure({ ...s.config, variant: '852e46e239' }, raw);
    expect(small.violation.kind).toBe(raw.violation.kind);
    expect(small.violation.site).toBe(raw.violation.site);
    expect(small.preemptions).toBeLessThanOrEqual(raw.preemptions);
    // The robot's race needs exactly one preemption.
    expect(small.preemptions).toBe(1);
    expect(replay({ ...s.config, variant: '852e46e239' }, small.schedule).violation).toEqual(
      small.violation,
    );
  });
});
