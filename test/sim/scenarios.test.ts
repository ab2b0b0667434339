/**
 * Every (scenario, variant) pair: the historical variants fail the way the thread describes,
 * the fixed one is clean under an exhausted preemption-bounded search, and every failing
 * schedule replays to the same failure, step for step.
 */
import { describe, expect, it } from 'vitest';
import {
  explore,
  formatFailure,
  replay,
  scenarioNames,
  scenarios,
  variants,
  type ExploreResult,
} from '../../src/index';

const cache = new Map<string, ExploreResult>();
function run(name: string, variant: (typeof variants)[number]): ExploreResult {
  const key = `${name}/${variant}`;
  let r = cache.get(key);
  if (r === undefined) {
    const s = scenarios[name]!;
    r = explore({
      ...s.config,
      variant,
      strategy: s.strategy ?? { kind: 'dfs', preemptionBound: 2 },
      maxFailures: 4,
    });
    cache.set(key, r);
  }
  return r;
}

describe.each(scenarioNames)('scenario %s', (name) => {
  const s = scenarios[name]!;
  it.each(variants)('%s', (variant) => {
    const r = run(name, variant);
    const want = s.failsOn[variant];
    if (want === undefined) {
      expect(r.failures.map((f) => f.violation)).toEqual([]);
      expect(r.complete).toBe(true);
      return;
    }
    const kinds = r.failures.map((f) => f.violation.kind);
    expect(kinds.some((k) => want.includes(k))).toBe(true);
    for (const f of r.failures) {
      // Byte for byte: the same violation, the same trace.
      const again = replay({ ...s.config, variant }, f.schedule);
      expect(again.violation).toEqual(f.violation);
      expect(again.trace).toEqual(f.trace);
      expect(again.schedule).toBe(f.schedule);
      expect(formatFailure(f, variant, name)).toContain(f.schedule);
    }
  });
});

describe('the fixed eventfs', () => {
  it('is clean on every scenario with memory pressure added, dfs bound 2 exhausted', () => {
    for (const name of scenarioNames) {
      const s = scenarios[name]!;
      const r = explore({
        ...s.config,
        variant: 'fixed',
        memoryPressure: true,
        strategy: { kind: 'dfs', preemptionBound: 1 },
      });
      expect(r.failures.map((f) => f.violation)).toEqual([]);
      expect(r.complete).toBe(true);
    }
  });
});

describe('determinism', () => {
  it('same seed, same results (random and pct)', () => {
    const cfg = { ...scenarios['robot-oops']!.config, variant: '852e46e239' as const };
    for (const strategy of [
      { kind: 'random' as const, seed: 7, runs: 200 },
      { kind: 'pct' as const, seed: 7, runs: 200, depth: 3 },
    ]) {
      const a = explore({ ...cfg, strategy, maxFailures: 3 });
      const b = explore({ ...cfg, strategy, maxFailures: 3 });
      expect(a).toEqual(b);
      expect(a.failures.length).toBeGreaterThan(0);
    }
  });

  it('finds the robot oops with every strategy', () => {
    const cfg = { ...scenarios['robot-oops']!.config, variant: '852e46e239' as const };
    for (const strategy of [
      { kind: 'random' as const, seed: 1, runs: 500 },
      { kind: 'pct' as const, seed: 1, runs: 500, depth: 2 },
      { kind: 'dfs' as const, preemptionBound: 1 },
    ]) {
      const r = explore({ ...cfg, strategy });
      expect(r.failures[0]?.violation.kind).toBe('uninitialized-read');
      expect(r.failures[0]?.violation.site).toBe('set_top_events_ownership');
    }
  });
});
