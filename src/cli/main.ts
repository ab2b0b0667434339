/**
 * The `tracefs-sim` command: `demo` (what `npm start` runs), `scenarios`, `explore` and
 * `replay` over the thread's scenarios and variants (with `--html`/`--svg` pictures of the
 * interleaving), and `shell`, an interactive shell over a mounted tree.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  isVariantName,
  variants,
  VARIANT_DESCRIPTIONS,
  type VariantName,
} from '../eventfs/variants/index';
import { explore, replay, type Strategy } from '../sim/explore';
import { renderTimelineHtml, replayWithSnapshots, type TimelineInput } from '../sim/html';
import type { SimConfig } from '../sim/machine';
import { formatFailure, formatTimeline, formatViolation } from '../sim/report';
import { scenarioNames, scenarios, type Scenario } from '../sim/scenarios';
import { runDemo } from './demo';
import { runShell, ShellUsageError } from './shell';
import { renderTimelineSvg } from '../sim/svg';

const USAGE = `usage: tracefs-sim <command> [options]

commands:
  demo                         mount the default tree, walk the thread's sequences, reproduce
                               the robot's oops on 852e46e239 and show the fixed code clean
  scenarios                    list the thread's scenarios and the variants
  explore --scenario NAME      search interleavings for a failure
          [--variant V] [--strategy dfs|random|pct] [--seed N] [--runs N] [--depth N]
          [--bound N] [--max N] [--memory-pressure] [--json]
          [--html FILE] [--svg FILE]
                               (--html/--svg: a picture of the first failure found)
  replay --scenario NAME SCHEDULE [--variant V] [--json] [--html FILE] [--svg FILE]
                               run exactly that interleaving again
  shell [--variant V] [--uid N] [--gid N] [--mode OCTAL]
                               an interactive shell over a mounted default tree
                               (ls, cd, cat, echo > / >>, mkdir, stat, find, tree, ...;
                               reads a script from stdin when it is not a terminal)
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
      html: { type: 'string' },
      svg: { type: 'string' },
    },
  });
  const s = pickScenario(values.scenario);
  const variant = pickVariant(values.variant);
  const pictures = picturesOf(values);
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
  const cfg: SimConfig = {
    ...s.config,
    variant,
    ...(values['memory-pressure'] === true ? { memoryPressure: true } : {}),
  };
  const r = explore({
    ...cfg,
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
  if (pictures.html !== undefined || pictures.svg !== undefined) {
    const f = r.failures[0];
    if (f === undefined) err('no failure found: the pictures show the default interleaving');
    writePictures(pictures, cfg, f?.schedule ?? '', s.name, err);
  }
  return r.failures.length === 0 ? 0 : 1;
}

interface Pictures {
  readonly html?: string | undefined;
  readonly svg?: string | undefined;
}

function picturesOf(values: { html?: string; svg?: string }): Pictures {
  for (const k of ['html', 'svg'] as const) {
    if (values[k] === '') throw new UsageError(`--${k} takes a file name`);
  }
  return { html: values.html, svg: values.svg };
}

/** Replay `schedule` with snapshots and write the requested pictures of it. */
function writePictures(
  pictures: Pictures,
  cfg: SimConfig,
  schedule: string,
  scenario: string,
  err: Out,
): void {
  const run = replayWithSnapshots(cfg, schedule);
  const input: TimelineInput = { ...run, variant: cfg.variant ?? 'fixed', scenario };
  if (pictures.html !== undefined) {
    writeFileSync(pictures.html, renderTimelineHtml(input));
    err(`wrote ${pictures.html} (${run.trace.length} steps, schedule ${run.schedule})`);
  }
  if (pictures.svg !== undefined) {
    writeFileSync(pictures.svg, renderTimelineSvg(input));
    err(`wrote ${pictures.svg} (${run.trace.length} steps, schedule ${run.schedule})`);
  }
}

function cmdReplay(args: string[], out: Out, err: Out): number {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      scenario: { type: 'string' },
      variant: { type: 'string' },
      json: { type: 'boolean' },
      html: { type: 'string' },
      svg: { type: 'string' },
    },
  });
  const s = pickScenario(values.scenario);
  const variant = pickVariant(values.variant);
  const pictures = picturesOf(values);
  const schedule = positionals[0];
  if (schedule === undefined) throw new UsageError('replay needs a schedule string');
  const r = replay({ ...s.config, variant }, schedule);
  if (pictures.html !== undefined || pictures.svg !== undefined)
    writePictures(pictures, { ...s.config, variant }, schedule, s.name, err);
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

function main(argv: readonly string[]): number | Promise<number> {
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
        return cmdReplay(rest, out, err);
      case 'shell':
        return runShell(rest, {
          stdin: process.stdin,
          stdout: process.stdout,
          stderr: process.stderr,
        }).catch((e: unknown) => usageFailure(e, err));
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (e) {
    return usageFailure(e, err);
  }
}

/** A usage error prints the usage and exits 2; anything else is a crash. */
function usageFailure(e: unknown, err: Out): number {
  if (
    e instanceof UsageError ||
    e instanceof ShellUsageError ||
    (e instanceof TypeError && 'code' in e) ||
    e instanceof RangeError
  ) {
    err(`tracefs-sim: ${e.message}`);
    err(USAGE);
    return 2;
  }
  throw e;
}

// `tracefs-sim ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const status = main(process.argv.slice(2));
if (typeof status === 'number') process.exitCode = status;
else {
  status.then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
