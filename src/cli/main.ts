/**
 * The `tracefs-sim` command: `demo` (what `npm start` runs), `scenarios`, `explore` and
 * `replay` over the thread's scenarios and variants.
 */
import { parseArgs } from 'node:util';
import {
  isVariantName,
  variants,
  VARIANT_DESCRIPTIONS,
  type VariantName,
} from '../eventfs/variants/index';
import { explore, replay, type Strategy } from '../sim/explore';
import { formatFailure, formatTimeline, formatViolation } from '../sim/report';
import { scenarioNames, scenarios, type Scenario } from '../sim/scenarios';
import { runDemo } from './demo';

const USAGE = `usage: tracefs-sim <command> [options]

commands:
  demo                         mount the default tree, walk the thread's sequences, reproduce
                               the robot's oops on 852e46e239 and show the fixed code clean
  scenarios                    list the thread's scenarios and the variants
  explore --scenario NAME      search interleavings for a failure
          [--variant V] [--strategy dfs|random|pct] [--seed N] [--runs N] [--depth N]
          [--bound N] [--max N] [--memory-pressure] [--json]
  replay --scenario NAME SCHEDULE [--variant V] [--json]
                               run exactly that interleaving again
  help                         this text

variants: ${variants.join(', ')}`;

type Out = (line: string) => void;

function num(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a non-negative integer`);
  return n;
}

class UsageError extends Error {}

function pickScenario(name: string | undefined): Scenario {
  if (name === undefined) throw new UsageError('--scenario is required');
  const s = scenarios[name];
  if (s === undefined)
    throw new UsageError(`no scenario '${name}' (try: ${scenarioNames.join(', ')})`);
  return s;
}

function pickVariant(v: string | undefined): VariantName {
  const name = v ?? 'fixed';
  if (!isVariantName(name))
    throw new UsageError(`no variant '${name}' (try: ${variants.join(', ')})`);
  return name;
}

function cmdScenarios(out: Out): number {
  out('scenarios:');
  for (const name of scenarioNames) {
    const s = scenarios[name]!;
    const fails = Object.keys(s.failsOn).join(', ') || 'none';
    out(`  ${name.padEnd(22)} ${s.title}`);
    out(`  ${''.padEnd(22)} fails on: ${fails}`);
  }
  out('');
  out('variants:');
  for (const v of variants) out(`  ${v.padEnd(18)} ${VARIANT_DESCRIPTIONS[v]}`);
  return 0;
}

function cmdExplore(args: string[], out: Out, err: Out): number {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      scenario: { type: 'string' },
      variant: { type: 'string' },
      strategy: { type: 'string' },
      seed: { type: 'string' },
      runs: { type: 'string' },
      depth: { type: 'string' },
      bound: { type: 'string' },
      max: { type: 'string' },
      'memory-pressure': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const s = pickScenario(values.scenario);
  const variant = pickVariant(values.variant);
  let strategy: Strategy;
  switch (values.strategy ?? 'dfs') {
    case 'dfs':
      strategy = {
        kind: 'dfs',
        preemptionBound: num(values.bound, 'bound', 2),
        maxSchedules: num(values.max, 'max', 1_000_000),
      };
      break;
    case 'random':
      strategy = {
        kind: 'random',
        seed: num(values.seed, 'seed', 1),
        runs: num(values.runs, 'runs', 1000),
      };
      break;
    case 'pct':
      strategy = {
        kind: 'pct',
        seed: num(values.seed, 'seed', 1),
        runs: num(values.runs, 'runs', 1000),
        depth: num(values.depth, 'depth', 2),
      };
      break;
    default:
      throw new UsageError('--strategy is dfs, random or pct');
  }
  const t0 = Date.now();
  const r = explore({
    ...s.config,
    variant,
    ...(values['memory-pressure'] === true ? { memoryPressure: true } : {}),
    strategy,
    onProgress: (n) => {
      if (values.json !== true) err(`... ${n} schedules`);
    },
  });
  const ms = Date.now() - t0;
  if (values.json === true) {
    out(JSON.stringify({ scenario: s.name, variant, strategy, ms, ...r }, null, 2));
  } else {
    out(
      `${s.name} on ${variant}: ${r.schedules} schedules in ${ms} ms, ${r.complete ? 'search exhausted' : 'search not exhausted'}`,
    );
    if (r.failures.length === 0) out('no failure found');
    for (const f of r.failures) {
      out('');
      out(formatFailure(f, variant, s.name));
    }
  }
  return r.failures.length === 0 ? 0 : 1;
}

function cmdReplay(args: string[], out: Out): number {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      scenario: { type: 'string' },
      variant: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const s = pickScenario(values.scenario);
  const variant = pickVariant(values.variant);
  const schedule = positionals[0];
  if (schedule === undefined) throw new UsageError('replay needs a schedule string');
  const r = replay({ ...s.config, variant }, schedule);
  if (values.json === true) {
    out(JSON.stringify({ scenario: s.name, variant, ...r }, null, 2));
  } else {
    if (r.violation !== null) out(formatViolation(r.violation, variant));
    else out(`no violation: ${s.name} on ${variant} ran clean along this schedule`);
    out('');
    out(formatTimeline(r.trace));
    out('');
    r.results.forEach((rs, cpu) => {
      out(`CPU${cpu}: ${rs.map((x) => `${x.op.op} ${x.op.path ?? ''} -> ${x.result}`).join('; ')}`);
    });
  }
  return r.violation === null ? 0 : 1;
}

function main(argv: readonly string[]): number {
  const out: Out = (line) => {
    process.stdout.write(`${line}\n`);
  };
  const err: Out = (line) => {
    process.stderr.write(`${line}\n`);
  };
  const [cmd = 'demo', ...rest] = argv;
  try {
    switch (cmd) {
      case 'demo':
        return runDemo(out);
      case 'scenarios':
        return cmdScenarios(out);
      case 'explore':
        return cmdExplore(rest, out, err);
      case 'replay':
        return cmdReplay(rest, out);
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (e) {
    if (
      e instanceof UsageError ||
      (e instanceof TypeError && 'code' in e) ||
      e instanceof RangeError
    ) {
      err(`tracefs-sim: ${e.message}`);
      err(USAGE);
      return 2;
    }
    throw e;
  }
}

// `tracefs-sim ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = main(process.argv.slice(2));
