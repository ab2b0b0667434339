// Soak test (issue "Performance and robustness", part 1): a long run of random operations on one
// mount with the default catalog, across the top instance and several instances under
// instances/, with a seeded PRNG so every run with the same arguments does the same thing.
//
//   npm run bench:soak                       (builds, then 10^6 operations)
//   node bench/soak.mjs [OPS] [--seed=N] [--shrink-every=N] [--check-every=N]
//
// Operations: stat, readdir, read (open+read+close), write of enable files, a miss (ENOENT),
// kprobe add/remove, instance mkdir/rmdir; shrink() every --shrink-every operations.
// Checked as it runs:
//  - before each shrink, live dentries never exceed the pinned ones plus the path components
//    looked up since the last shrink (each can add at most one dentry);
//  - after each shrink, dentries, inodes and eventfs inodes are exactly what the current set
//    of instances and kprobes pins (nothing leaks across shrinks);
//  - every --check-every operations, fs.checkInvariants() is empty;
//  - at the end, with every kprobe and instance removed and a shrink, the counters are back to
//    the freshly mounted baseline and the invariants hold.
// Prints progress lines and a markdown summary; exits 1 on any failure. Writes nothing.
import os from 'node:os';
import { defaultCatalog, FsError, KernelBugError, mount } from '../dist/index.js';

// ---- arguments ---------------------------------------------------------------------------------

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
};
const positional = args.find((x) => /^\d+(e\d+)?$/.test(x));
const OPS = positional === undefined ? 1_000_000 : Number(positional);
const SEED = opt('seed', 20240126);
const SHRINK_EVERY = opt('shrink-every', 5000);
const CHECK_EVERY = opt('check-every', 100_000);
const INSTANCE_NAMES = ['i0', 'i1', 'i2', 'i3'];
const PROBE_NAMES = Array.from({ length: 12 }, (_, i) => `p${i}`);
const MAX_PROBES = 6;
const SYMBOLS = ['schedule', 'do_sys_openat2', 'vfs_read', 'vfs_write', 'do_exit', 'vfs_open'];
for (const [k, v] of Object.entries({ OPS, SEED, SHRINK_EVERY, CHECK_EVERY })) {
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`bad ${k}: ${v}`);
}

// ---- seeded PRNG (mulberry32) ------------------------------------------------------------------

let state = SEED >>> 0;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

// ---- model of what exists ----------------------------------------------------------------------

const fs = mount();
const catalog = defaultCatalog();
const events = catalog.systems.flatMap((s) => s.events.map((e) => [s.name, e.name]));
const systems = catalog.systems.map((s) => s.name);
const instances = new Set(); // names under instances/
const probes = new Set(); // live kprobe event names (group kprobes)

fs.shrink();
const baseline = fs.counters();
// What one instance pins (its directory and control files), measured once.
fs.mkdir('instances/probe-size');
fs.shrink();
const withOne = fs.counters();
fs.rmdir('instances/probe-size');
fs.shrink();
const perInstance = {
  dentries: withOne.dentries - baseline.dentries,
  inodes: withOne.inodes - baseline.inodes,
  eventfsInodes: withOne.eventfsInodes - baseline.eventfsInodes,
};

function expectedPinned() {
  const k = instances.size;
  const eisPerTree = baseline.eventfsInodes + (probes.size > 0 ? probes.size + 1 : 0);
  return {
    dentries: baseline.dentries + k * perInstance.dentries,
    negativeDentries: 0,
    inodes: baseline.inodes + k * perInstance.inodes,
    eventfsInodes: (k + 1) * eisPerTree,
  };
}

// ---- operations --------------------------------------------------------------------------------

const kinds = ['stat', 'readdir', 'read', 'write', 'miss', 'kprobe', 'instance', 'shrink'];
const count = Object.fromEntries(kinds.map((k) => [k, 0]));
const timeMs = Object.fromEntries(kinds.map((k) => [k, 0]));
const expectedErrors = new Map();
const failures = [];
let touched = 0; // path components looked up since the last shrink

function comps(path) {
  let n = 1;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}

function prefix() {
  if (instances.size === 0 || rand() < 0.4) return '';
  return `instances/${pick([...instances])}/`;
}

function eventDir(p) {
  if (probes.size > 0 && rand() < 0.05) return `${p}events/kprobes/${pick([...probes])}`;
  const [s, e] = pick(events);
  return `${p}events/${s}/${e}`;
}

function anyPath() {
  const p = prefix();
  const r = rand();
  if (r < 0.55) return `${eventDir(p)}/${pick(['enable', 'filter', 'trigger', 'format', 'id'])}`;
  if (r < 0.7) return eventDir(p);
  if (r < 0.8) return `${p}events/${pick(systems)}`;
  if (r < 0.9) return `${p}events/${pick(systems)}/${pick(['enable', 'filter'])}`;
  return `${p}${pick(['events', 'events/enable', 'events/header_page', 'set_event', 'tracing_on', 'current_tracer'])}`;
}

function readablePath() {
  const p = prefix();
  const r = rand();
  if (r < 0.75) return `${eventDir(p)}/${pick(['enable', 'filter', 'trigger', 'format', 'id'])}`;
  if (r < 0.9) return `${p}events/${pick(systems)}/${pick(['enable', 'filter'])}`;
  if (r < 0.999) {
    return `${p}${pick(['events/enable', 'events/header_event', 'set_event', 'tracing_on', 'available_tracers'])}`;
  }
  return pick(['available_events', 'kprobe_events']);
}

function dirPath() {
  const p = prefix();
  const r = rand();
  if (r < 0.5) return eventDir(p);
  if (r < 0.8) return `${p}events/${pick(systems)}`;
  if (r < 0.95) return `${p}events`;
  return p === '' ? '/' : p;
}

function expectError(code, e) {
  if (e instanceof FsError && e.code === code) {
    expectedErrors.set(code, (expectedErrors.get(code) ?? 0) + 1);
    return;
  }
  throw e;
}

function opStat() {
  const path = anyPath();
  touched += comps(path);
  fs.stat(path);
}

function opReaddir() {
  const path = dirPath();
  touched += comps(path);
  fs.readdir(path);
}

function opRead() {
  const path = readablePath();
  touched += comps(path);
  fs.readFile(path);
}

function opWrite() {
  const p = prefix();
  const r = rand();
  let path;
  if (r < 0.9) path = `${eventDir(p)}/enable`;
  else if (r < 0.98) path = `${p}events/${pick(systems)}/enable`;
  else path = `${p}events/enable`;
  touched += comps(path);
  fs.writeFile(path, rand() < 0.5 ? '1' : '0');
}

function opMiss() {
  const path = `${prefix()}events/${pick(systems)}/no_such_event_${Math.floor(rand() * 100)}`;
  touched += comps(path);
  try {
    fs.stat(path);
    throw new Error(`stat ${path} succeeded`);
  } catch (e) {
    expectError('ENOENT', e);
  }
}

function opKprobe() {
  const free = PROBE_NAMES.filter((n) => !probes.has(n));
  if (probes.size === 0 || (probes.size < MAX_PROBES && rand() < 0.5)) {
    const name = pick(free);
    fs.appendFile('kprobe_events', `p:${name} ${pick(SYMBOLS)}`);
    probes.add(name);
    return;
  }
  const name = pick([...probes]);
  // An enabled event cannot go (EBUSY): switch it off in every instance first.
  for (const p of ['', ...[...instances].map((i) => `instances/${i}/`)]) {
    const path = `${p}events/kprobes/${name}/enable`;
    touched += comps(path);
    fs.writeFile(path, '0');
  }
  fs.appendFile('kprobe_events', `-:${name}`);
  probes.delete(name);
}

function opInstance() {
  const name = pick(INSTANCE_NAMES);
  if (instances.has(name)) {
    fs.rmdir(`instances/${name}`);
    instances.delete(name);
  } else {
    fs.mkdir(`instances/${name}`);
    instances.add(name);
  }
}

const max = { dentries: 0, inodes: 0, eventfsInodes: 0, beforeShrinkBound: 0 };

function fail(msg) {
  failures.push(msg);
  console.log(`FAIL: ${msg}`);
}

function sameCounters(a, b) {
  return (
    a.dentries === b.dentries &&
    a.negativeDentries === b.negativeDentries &&
    a.inodes === b.inodes &&
    a.eventfsInodes === b.eventfsInodes
  );
}

function doShrink(at) {
  const before = fs.counters();
  const pinned = expectedPinned();
  const bound = pinned.dentries + touched;
  max.dentries = Math.max(max.dentries, before.dentries);
  max.inodes = Math.max(max.inodes, before.inodes);
  max.eventfsInodes = Math.max(max.eventfsInodes, before.eventfsInodes);
  max.beforeShrinkBound = Math.max(max.beforeShrinkBound, bound);
  if (before.dentries > bound) {
    fail(`op ${at}: ${before.dentries} live dentries > bound ${bound}`);
  }
  if (before.negativeDentries !== 0) fail(`op ${at}: ${before.negativeDentries} negative dentries`);
  fs.shrink();
  touched = 0;
  const after = fs.counters();
  if (!sameCounters(after, pinned)) {
    fail(`op ${at}: after shrink ${JSON.stringify(after)}, expected ${JSON.stringify(pinned)}`);
  }
}

// ---- run ---------------------------------------------------------------------------------------

const ops = [
  [0.4, 'stat', opStat],
  [0.55, 'readdir', opReaddir],
  [0.77, 'read', opRead],
  [0.95, 'write', opWrite],
  [0.98, 'miss', opMiss],
  [0.995, 'kprobe', opKprobe],
  [0.9955, 'instance', opInstance],
  [1, 'stat', opStat],
];

for (const n of INSTANCE_NAMES.slice(0, 2)) {
  fs.mkdir(`instances/${n}`);
  instances.add(n);
}

console.log(
  `soak: ${OPS} operations, seed ${SEED}, shrink every ${SHRINK_EVERY}, invariants every ${CHECK_EVERY}; node ${process.version}, ${os.availableParallelism()} CPUs`,
);
console.log(
  `baseline ${JSON.stringify(baseline)}; one instance pins ${JSON.stringify(perInstance)}`,
);
const now = () => performance.now();
const loadStart = os.loadavg()[0];
const t0 = now();
let checkMs = 0;
let lastReport = t0;
let lastOps = 0;
try {
  for (let i = 1; i <= OPS; i++) {
    const r = rand();
    let j = 0;
    while (r >= ops[j][0]) j++;
    const [, kind, fn] = ops[j];
    const s = now();
    fn();
    timeMs[kind] += now() - s;
    count[kind]++;
    if (i % SHRINK_EVERY === 0) {
      const s2 = now();
      doShrink(i);
      timeMs.shrink += now() - s2;
      count.shrink++;
    }
    if (i % CHECK_EVERY === 0 || i === OPS) {
      const s3 = now();
      const v = fs.checkInvariants();
      if (v.length > 0) fail(`op ${i}: ${v.length} invariant violations, first: ${v[0].message}`);
      const c = fs.counters();
      checkMs += now() - s3;
      const t = now();
      console.log(
        `${String(i).padStart(9)} ops  ${((t - t0) / 1000).toFixed(1).padStart(6)} s  ${Math.round(
          ((i - lastOps) / (t - lastReport)) * 1000,
        )
          .toString()
          .padStart(
            7,
          )} ops/s  live: dentries ${c.dentries}, inodes ${c.inodes}, eventfs inodes ${c.eventfsInodes}; instances ${instances.size}, kprobes ${probes.size}; invariants ${v.length === 0 ? 'hold' : 'BROKEN'}`,
      );
      lastReport = now();
      lastOps = i;
    }
  }
} catch (e) {
  if (e instanceof KernelBugError)
    fail(`kernel bug: ${e.violation.kind} in ${e.violation.site}: ${e.violation.message}`);
  else fail(`unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
}
const runMs = now() - t0;

// Tear everything down: the counters must come back to the freshly mounted baseline.
try {
  for (const name of [...probes]) {
    for (const p of ['', ...[...instances].map((i) => `instances/${i}/`)]) {
      fs.writeFile(`${p}events/kprobes/${name}/enable`, '0');
    }
    fs.appendFile('kprobe_events', `-:${name}`);
    probes.delete(name);
  }
  for (const name of [...instances]) {
    fs.rmdir(`instances/${name}`);
    instances.delete(name);
  }
} catch (e) {
  fail(`teardown: ${e instanceof Error ? e.message : String(e)}`);
}
fs.shrink();
const final = fs.counters();
if (!sameCounters(final, baseline)) {
  fail(`after removing everything: ${JSON.stringify(final)}, baseline ${JSON.stringify(baseline)}`);
}
const finalViolations = fs.checkInvariants();
if (finalViolations.length > 0) fail(`final invariants: ${finalViolations[0].message}`);

// ---- summary -----------------------------------------------------------------------------------

const opsDone = kinds.filter((k) => k !== 'shrink').reduce((n, k) => n + count[k], 0);
console.log('');
console.log(`## Soak: ${opsDone} operations, seed ${SEED}`);
console.log('');
console.log('| figure | value |');
console.log('|---|---|');
console.log(
  `| wall time | ${(runMs / 1000).toFixed(1)} s (1-min load average ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end) |`,
);
console.log(`| throughput, everything included | ${Math.round((opsDone / runMs) * 1000)} ops/s |`);
console.log(
  `| throughput, without shrinks and invariant checks | ${Math.round((opsDone / (runMs - timeMs.shrink - checkMs)) * 1000)} ops/s |`,
);
console.log(
  `| max live dentries (sampled before each shrink) | ${max.dentries} (bound at that point <= ${max.beforeShrinkBound}) |`,
);
console.log(`| max live inodes | ${max.inodes} |`);
console.log(`| max live eventfs inodes | ${max.eventfsInodes} |`);
console.log(
  `| after removing every kprobe and instance + shrink | ${JSON.stringify(final)} (baseline ${JSON.stringify(baseline)}) |`,
);
console.log(
  `| shrinks / invariant checks | ${count.shrink} (${(timeMs.shrink / 1000).toFixed(2)} s in all) / ${Math.ceil(OPS / CHECK_EVERY) + 1} (${checkMs.toFixed(0)} ms in all, with counters()) |`,
);
console.log(
  `| expected errors | ${[...expectedErrors].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'} |`,
);
console.log(`| failures | ${failures.length === 0 ? 'none' : failures.length} |`);
console.log('');
console.log('| operation | count | mean |');
console.log('|---|---|---|');
for (const k of kinds) {
  if (count[k] === 0) continue;
  const us = (timeMs[k] * 1000) / count[k];
  console.log(
    `| ${k} | ${count[k]} | ${us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`} |`,
  );
}
if (failures.length > 0) {
  console.log('');
  for (const f of failures.slice(0, 20)) console.log(`- ${f}`);
  process.exitCode = 1;
}
