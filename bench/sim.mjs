// Simulator benchmarks (issue 3): schedules per second, time to first failure for every
// (scenario, historical variant, strategy), and the time a dfs with preemption bound 2 takes to
// exhaust each scenario on the fixed eventfs. Runs on the built package: `npm run bench:sim`.
// Prints a markdown table; nothing here is part of `npm test`.
import { explore, scenarios, scenarioNames, variants } from '../dist/index.js';

const now = () => performance.now();
const fmt = (ms) => (ms < 1 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

function throughput(cfg, strategy, minMs = 1500) {
  // Warm up, then run whole explorations until minMs has passed.
  explore({ ...cfg, strategy });
  let n = 0;
  const t0 = now();
  while (now() - t0 < minMs) n += explore({ ...cfg, strategy }).schedules;
  return (n / (now() - t0)) * 1000;
}

const lines = [];
const out = (s) => {
  lines.push(s);
  console.log(s);
};

out('## Schedules per second');
out('');
out('| workload | CPUs | strategy | schedules/s |');
out('|---|---|---|---|');
const three = {
  tasks: [
    [{ op: 'stat', path: 'events/sched' }],
    [{ op: 'stat', path: 'events/sched' }],
    [{ op: 'stat', path: 'events/sched/sched_switch' }],
  ],
};
for (const [label, inv] of [
  ['3 cold stats, invariants every step', 'step'],
  ['3 cold stats, invariants at the end', 'end'],
]) {
  const cfg = { ...three, variant: 'fixed', invariants: inv };
  out(
    `| ${label} | 3 | dfs bound 2 | ${throughput(cfg, { kind: 'dfs', preemptionBound: 2 }).toFixed(0)} |`,
  );
  out(
    `| ${label} | 3 | random | ${throughput(cfg, { kind: 'random', seed: 1, runs: 2000 }).toFixed(0)} |`,
  );
}

out('');
out('## Time to first failure (historical variants)');
out('');
out('| scenario | variant | strategy | schedules | ms | kind |');
out('|---|---|---|---|---|---|');
const strategies = [
  ['dfs b2', { kind: 'dfs', preemptionBound: 2 }],
  ['random', { kind: 'random', seed: 1, runs: 20000 }],
  ['pct d2', { kind: 'pct', seed: 1, runs: 20000, depth: 2 }],
  ['pct d3', { kind: 'pct', seed: 1, runs: 20000, depth: 3 }],
];
let worst = 0;
for (const name of scenarioNames) {
  const s = scenarios[name];
  for (const v of variants) {
    if (!(v in s.failsOn)) continue;
    for (const [label, strategy] of strategies) {
      const t0 = now();
      const r = explore({ ...s.config, variant: v, strategy, shrink: false });
      const ms = now() - t0;
      const f = r.failures[0];
      if (f !== undefined && label === 'dfs b2') worst = Math.max(worst, ms);
      out(
        `| ${name} | ${v} | ${label} | ${r.schedules} | ${fmt(ms)} | ${f ? f.violation.kind : 'not found'} |`,
      );
    }
  }
}

out('');
out('## Exhaustive dfs (preemption bound 2) on the fixed eventfs');
out('');
out('| scenario | CPUs | schedules | complete | ms |');
out('|---|---|---|---|---|');
let slowest = 0;
for (const name of scenarioNames) {
  const s = scenarios[name];
  const t0 = now();
  const r = explore({
    ...s.config,
    variant: 'fixed',
    strategy: { kind: 'dfs', preemptionBound: 2 },
  });
  const ms = now() - t0;
  slowest = Math.max(slowest, ms);
  out(
    `| ${name} | ${s.config.tasks.length + (s.config.memoryPressure ? 1 : 0)} | ${r.schedules} | ${r.complete} | ${fmt(ms)} |`,
  );
}
const t0 = now();
const r3 = explore({ ...three, variant: 'fixed', strategy: { kind: 'dfs', preemptionBound: 2 } });
out(`| 3 cold stats | 3 | ${r3.schedules} | ${r3.complete} | ${fmt(now() - t0)} |`);
out('');
out(
  `slowest first failure with dfs b2: ${fmt(worst)} ms; slowest exhaustive scenario: ${fmt(slowest)} ms`,
);
