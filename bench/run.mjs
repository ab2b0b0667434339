// File-system benchmarks (issue "Performance and robustness", part 1): the synchronous API of a
// mounted tracefs against memfs and against a plain Map-of-Maps walk over the same tree, cold
// lookups against warm ones, readdir of large eventfs directories, instance creation against an
// eagerly built tree, and the heap an instance costs. Everything is measured in one run and
// reported as ratios in a markdown table on stdout; absolute times are supporting detail.
//
//   npm run bench:fs          (builds, then `node bench/run.mjs`)
//   node bench/run.mjs        (on an existing build; --quick shortens every time budget)
//
// The heap part runs in a child process started as `node --expose-gc bench/run.mjs
// --heap-child N`, so this script itself needs no flags. Nothing is written to disk.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { memfs } from 'memfs';
import { Bench } from 'tinybench';
import { createCatalog, mount } from '../dist/index.js';

const DEEP = 'events/sched/sched_switch/enable';
const BIG_EVENTS = 1000;
const HEAP_INSTANCES = 4;

// ---- trees -------------------------------------------------------------------------------------

/** Every name below `dir` (relative to the mount root; '' is the root), depth first. */
function enumerate(fs, dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdir(d === '' ? '/' : d)) {
      if (e.name === '.' || e.name === '..') continue;
      const p = d === '' ? e.name : `${d}/${e.name}`;
      out.push({ path: p, dir: e.type === 'dir' });
      if (e.type === 'dir') walk(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * A memfs volume holding the same names as the mount below `dir` (directories as directories,
 * files with the text a read of them returns now, '' for write-only files).
 */
function memfsLike(fs, entries) {
  const json = {};
  for (const { path, dir } of entries) {
    if (dir) {
      json[path] = null;
      continue;
    }
    let text = '';
    try {
      text = fs.readFile(path);
    } catch {
      // kprobe_events & co. are readable; a file without ->read stays empty.
    }
    json[path] = text;
  }
  return memfs(json, '/').fs;
}

/** The same tree as nested Maps: { stat, children }; the walk is the practical limit. */
function mapLike(fs, entries) {
  const node = (st) => ({
    stat: { ino: st.ino, mode: st.mode, uid: st.uid, gid: st.gid, nlink: st.nlink, size: 0 },
    children: st.isDirectory() ? new Map() : null,
  });
  const root = node(fs.stat('/'));
  for (const { path } of entries) {
    const parts = path.split('/');
    let n = root;
    for (let i = 0; i < parts.length - 1; i++) n = n.children.get(parts[i]);
    n.children.set(parts.at(-1), node(fs.stat(path)));
  }
  return root;
}

function mapStat(root, path) {
  let n = root;
  for (const c of path.split('/')) {
    n = n.children?.get(c);
    if (n === undefined) throw new Error(`ENOENT ${path}`);
  }
  return n.stat;
}

function bigCatalog() {
  const events = [];
  for (let i = 0; i < BIG_EVENTS; i++) events.push({ name: `e${String(i).padStart(4, '0')}` });
  return createCatalog([{ name: 'big', events }]);
}

// ---- heap (child process, --expose-gc) ---------------------------------------------------------

function heapChild(n) {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('the heap child needs --expose-gc');
  const settle = () => {
    for (let i = 0; i < 6; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  const fs = mount();
  const relEntries = [{ path: 'events', dir: true }, ...enumerate(fs, 'events')];
  const rel = relEntries.map((e) => e.path);
  fs.shrink();
  const names = Array.from({ length: n }, (_, i) => `instances/h${i}`);
  // Allocated before the baseline so the path strings are not counted.
  const paths = names.map((nm) => rel.map((p) => `${nm}/${p}`));
  const stage = (label) => ({ label, heap: settle(), counters: fs.counters() });
  const out = [stage('mounted, no instance')];
  for (const nm of names) fs.mkdir(nm);
  out.push(stage('cold: N instances, nothing looked up'));
  for (const list of paths) for (const p of list) fs.stat(p);
  out.push(stage('eager: after stat of every name in each instance'));
  fs.shrink();
  out.push(stage('after shrink()'));
  for (const nm of names) fs.rmdir(nm);
  fs.shrink();
  out.push(stage('after rmdir of every instance + shrink()'));
  // Reference: memfs holding the same per-instance tree (names only, empty files), n times.
  const h = settle();
  const vols = [];
  for (let i = 0; i < n; i++) {
    const json = {};
    for (const e of relEntries) json[e.path] = e.dir ? null : '';
    vols.push(memfs(json, '/'));
  }
  const memfsPer = (settle() - h) / n;
  process.stdout.write(
    JSON.stringify({ n, namesPerInstance: rel.length, stages: out, memfsPer, kept: vols.length }),
  );
}

if (process.argv[2] === '--heap-child') {
  heapChild(Number(process.argv[3] ?? HEAP_INSTANCES));
  process.exit(0);
}

// ---- timing helpers ----------------------------------------------------------------------------

const quick = process.argv.includes('--quick');
const scale = quick ? 0.25 : 1;
let sink = 0;

/**
 * Run tasks in one tinybench Bench; each task is [name, fn, perCall, hooks?] where fn performs
 * `perCall` operations. Returns name -> per-operation latency in µs (median and mean of the
 * samples, relative margin of error in %).
 */
function measure(options, tasks) {
  const bench = new Bench({ ...options, time: Math.max(50, (options.time ?? 1000) * scale) });
  const per = new Map();
  for (const [name, fn, perCall, hooks] of tasks) {
    bench.add(name, fn, hooks ?? {});
    per.set(name, perCall);
  }
  bench.runSync();
  const out = new Map();
  for (const t of bench.tasks) {
    const r = t.result;
    if (r.state !== 'completed') throw new Error(`${t.name}: ${r.state} ${r.error?.stack ?? ''}`);
    const k = per.get(t.name);
    out.set(t.name, {
      p50: (r.latency.p50 * 1000) / k,
      mean: (r.latency.mean * 1000) / k,
      rme: r.latency.rme,
      samples: r.latency.samplesCount,
    });
  }
  return out;
}

/** The median per-operation time of task `k`, in µs. */
function g(m, k) {
  const v = m.get(k);
  if (v === undefined) throw new Error(`no result ${k}`);
  return v.p50;
}

function batch(n, op) {
  return () => {
    for (let i = 0; i < n; i++) op();
  };
}

const fmtUs = (us) =>
  us >= 1000
    ? `${(us / 1000).toFixed(2)} ms`
    : us >= 10
      ? `${us.toFixed(1)} µs`
      : `${us.toFixed(2)} µs`;
const fmtX = (x) => `${x.toFixed(x >= 10 ? 0 : 2)}x`;
const fmtKiB = (b) => `${(b / 1024).toFixed(0)} KiB`;

// ---- setup -------------------------------------------------------------------------------------

const t0 = performance.now();
const loadStart = os.loadavg()[0];
const fs = mount();
const all = enumerate(fs, '');
const vol = memfsLike(fs, all);
const mapRoot = mapLike(fs, all);
fs.shrink();
const nSystems = fs.readdir('events').filter((e) => e.type === 'dir').length - 2;
const nEvents = all.filter((e) => /^events\/[^/]+\/[^/]+$/.test(e.path) && e.dir).length;
const eventsEntries = fs.readdir('events').length;
const schedEntries = fs.readdir('events/sched').length;
const memEventsEntries = vol.readdirSync('/events').length;
const memSchedEntries = vol.readdirSync('/events/sched').length;
fs.shrink();

const bigFs = mount({ catalog: bigCatalog() });
const bigEntries = bigFs.readdir('events/big').length;
const bigAll = enumerate(bigFs, 'events');
const bigVol = memfsLike(bigFs, bigAll);
bigFs.shrink();
const BIG_FIRST = 'events/big/e0000/enable';
const BIG_LAST = `events/big/e${String(BIG_EVENTS - 1).padStart(4, '0')}/enable`;

// Sanity: the three trees agree on the deep file.
if (mapStat(mapRoot, DEEP).ino !== fs.stat(DEEP).ino || !vol.statSync(`/${DEEP}`).isFile()) {
  throw new Error('trees differ');
}
fs.shrink();

// ---- measurements ------------------------------------------------------------------------------

const B = 200;
const warm = measure({ time: 1500 }, [
  ['tracefs stat (warm)', batch(B, () => (sink += fs.stat(DEEP).mode)), B],
  ['memfs statSync', batch(B, () => (sink += vol.statSync(`/${DEEP}`).mode)), B],
  ['Map walk', batch(B, () => (sink += mapStat(mapRoot, DEEP).mode)), B],
]);

const cold = measure({ time: 1000 }, [
  [
    'tracefs stat (cold, after shrink)',
    () => (sink += fs.stat(DEEP).mode),
    1,
    { beforeEach: () => void fs.shrink() },
  ],
  [
    'tracefs stat (warm, unbatched)',
    () => (sink += fs.stat(DEEP).mode),
    1,
    { beforeAll: () => void fs.stat(DEEP) },
  ],
  [
    'big: cold stat first child',
    () => (sink += bigFs.stat(BIG_FIRST).mode),
    1,
    { beforeEach: () => void bigFs.shrink() },
  ],
  [
    'big: cold stat last child',
    () => (sink += bigFs.stat(BIG_LAST).mode),
    1,
    { beforeEach: () => void bigFs.shrink() },
  ],
]);
fs.shrink();
bigFs.shrink();

const D = 20;
const dirs = measure({ time: 1000 }, [
  ['tracefs readdir events/', batch(D, () => (sink += fs.readdir('events').length)), D],
  [
    'memfs readdirSync /events',
    batch(D, () => (sink += vol.readdirSync('/events', { withFileTypes: true }).length)),
    D,
  ],
  ['tracefs readdir events/sched', batch(D, () => (sink += fs.readdir('events/sched').length)), D],
  [
    'memfs readdirSync /events/sched',
    batch(D, () => (sink += vol.readdirSync('/events/sched', { withFileTypes: true }).length)),
    D,
  ],
  ['tracefs readdir events/big', batch(D, () => (sink += bigFs.readdir('events/big').length)), D],
  [
    'memfs readdirSync /events/big',
    batch(D, () => (sink += bigVol.readdirSync('/events/big', { withFileTypes: true }).length)),
    D,
  ],
]);

const reads = measure({ time: 1000 }, [
  ['tracefs readFile enable', batch(B, () => (sink += fs.readFile(DEEP).length)), B],
  [
    'memfs readFileSync enable',
    batch(B, () => (sink += vol.readFileSync(`/${DEEP}`, 'utf8').length)),
    B,
  ],
]);
fs.shrink();

// Instances: a fresh mount so the other measurements' dentries do not interfere.
const ifs = mount();
const instPaths = ['events', ...enumerate(ifs, 'events').map((e) => e.path)].map(
  (p) => `instances/x/${p}`,
);
ifs.shrink();
const walkInstance = () => {
  for (const p of instPaths) sink += ifs.stat(p).mode;
};
const mkdirX = () => ifs.mkdir('instances/x');
const rmdirX = () => ifs.rmdir('instances/x');
const slow = { iterations: 8, warmupIterations: 2, warmupTime: 0 };
const inst = measure({ ...slow, time: 2500 }, [
  [
    'mkdir + rmdir',
    () => {
      mkdirX();
      rmdirX();
    },
    1,
  ],
  [
    'eager: mkdir + stat every name + rmdir',
    () => {
      mkdirX();
      walkInstance();
      rmdirX();
    },
    1,
  ],
  ['mkdir alone', mkdirX, 1, { afterEach: rmdirX }],
  [
    'eager: mkdir + stat every name',
    () => {
      mkdirX();
      walkInstance();
    },
    1,
    { afterEach: rmdirX },
  ],
  ['rmdir alone (cold instance)', rmdirX, 1, { beforeEach: mkdirX }],
]);
if (ifs.checkInvariants().length !== 0) throw new Error('invariants broken by the instance runs');

// How mkdir and rmdir scale with the number of events (systems of 20 events each).
const SIZES = [500, 1000, 2000, 4000];
const scaling = [];
for (const n of SIZES) {
  const systems = [];
  for (let i = 0; i < n / 20; i++) {
    const events = [];
    for (let j = 0; j < 20; j++) events.push({ name: `ev${j}` });
    systems.push({ name: `sys${i}`, events });
  }
  const sfs = mount({ catalog: createCatalog(systems) });
  const mk1 = () => sfs.mkdir('instances/s');
  const rm1 = () => sfs.rmdir('instances/s');
  const r = measure({ ...slow, time: 600 }, [
    ['mkdir', mk1, 1, { afterEach: rm1 }],
    ['rmdir', rm1, 1, { beforeEach: mk1 }],
  ]);
  scaling.push({ n, mkdir: g(r, 'mkdir'), rmdir: g(r, 'rmdir') });
}

// Heap, in a child with --expose-gc.
const child = spawnSync(
  process.execPath,
  ['--expose-gc', fileURLToPath(import.meta.url), '--heap-child', String(HEAP_INSTANCES)],
  { encoding: 'utf8', maxBuffer: 1 << 24 },
);
if (child.status !== 0) throw new Error(`heap child failed: ${child.stderr}`);
const heap = JSON.parse(child.stdout);
const elapsed = (performance.now() - t0) / 1000;

// ---- report ------------------------------------------------------------------------------------

const ts = g(warm, 'tracefs stat (warm)');
const ms = g(warm, 'memfs statSync');
const mw = g(warm, 'Map walk');
const coldUs = g(cold, 'tracefs stat (cold, after shrink)');
const warm1 = g(cold, 'tracefs stat (warm, unbatched)');
const big = g(dirs, 'tracefs readdir events/big');
const cyc = g(inst, 'mkdir + rmdir');
const eagerCyc = g(inst, 'eager: mkdir + stat every name + rmdir');
const mk = g(inst, 'mkdir alone');
const eagerMk = g(inst, 'eager: mkdir + stat every name');
const st = heap.stages;
const perInst = (i) => (st[i].heap - st[0].heap) / heap.n;
const heapCold = perInst(1);
const heapEager = perInst(2);
const heapShrunk = perInst(3);

const yes = (b) => (b ? '**met**' : '**missed**');
const rows = [];
const row = (what, ratio, meaning, goal = '', met = '') =>
  rows.push(`| ${what} | ${ratio} | ${meaning} | ${goal} | ${met} |`);

const cpus = os.cpus();
console.log(`# tracefs-sim fs benchmarks`);
console.log('');
console.log(
  `node ${process.version}, ${os.availableParallelism()} CPUs (${cpus[0]?.model.trim() ?? '?'}), ${os.platform()} ${os.arch()}; tinybench 6, memfs 4; run took ${elapsed.toFixed(0)} s${quick ? ' (--quick)' : ''}; 1-min load average ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`,
);
console.log(
  `Tree: the default catalog, ${nSystems} systems and ${nEvents} events, ${all.length} names in all; memfs and the Map hold exactly the same names. Times are medians of tinybench samples (batches of ${B} stats or ${D} readdirs).`,
);
console.log('');
console.log('## Ratios');
console.log('');
console.log('| measurement | ratio | meaning | goal | result |');
console.log('|---|---|---|---|---|');
row(
  `warm stat \`${DEEP}\`: tracefs / memfs statSync`,
  fmtX(ts / ms),
  ts < ms ? 'tracefs is faster' : 'tracefs is slower',
  'faster than memfs (< 1x)',
  yes(ts < ms),
);
row(
  'warm stat: tracefs / nested-Map walk',
  fmtX(ts / mw),
  'cost over the practical limit',
  '<= 3x',
  yes(ts / mw <= 3),
);
row(
  'cold stat (after shrink) / warm stat',
  fmtX(coldUs / warm1),
  'a cold lookup of 3 eventfs components vs all cache hits',
);
row(
  `readdir events/ (${eventsEntries} entries): tracefs / memfs`,
  fmtX(g(dirs, 'tracefs readdir events/') / g(dirs, 'memfs readdirSync /events')),
  'withFileTypes for memfs',
);
row(
  `readdir events/sched (${schedEntries} entries): tracefs / memfs`,
  fmtX(g(dirs, 'tracefs readdir events/sched') / g(dirs, 'memfs readdirSync /events/sched')),
  '',
);
row(
  `readdir events/big (${bigEntries} entries): tracefs / memfs`,
  fmtX(big / g(dirs, 'memfs readdirSync /events/big')),
  `absolute: ${fmtUs(big)}`,
  '< 50 µs',
  yes(big < 50),
);
row(
  'cold stat in events/big: last child / first child',
  fmtX(g(cold, 'big: cold stat last child') / g(cold, 'big: cold stat first child')),
  'eventfs_root_lookup() scans ei->children linearly',
);
row(
  'readFile enable (open+read+close): tracefs / memfs',
  fmtX(g(reads, 'tracefs readFile enable') / g(reads, 'memfs readFileSync enable')),
  '',
);
row(
  'eager instance (mkdir + stat every name + rmdir) / (mkdir + rmdir)',
  fmtX(eagerCyc / cyc),
  `eventfs saving over an eager tree (${instPaths.length} names)`,
  '>= 20x',
  yes(eagerCyc / cyc >= 20),
);
row(
  'eager creation (mkdir + stat every name) / mkdir alone',
  fmtX(eagerMk / mk),
  'creation only; rmdir untimed',
  '>= 20x',
  yes(eagerMk / mk >= 20),
);
row(
  'rmdir / mkdir of a cold instance',
  fmtX(g(inst, 'rmdir alone (cold instance)') / mk),
  'TraceArray.removeEventFileDir() filters tr->events once per event',
);
{
  const a = scaling[0];
  const b = scaling.at(-1);
  row(
    `rmdir per event, ${b.n} events / ${a.n} events`,
    fmtX(b.rmdir / b.n / (a.rmdir / a.n)),
    `1x if linear; ${b.n / a.n}x if quadratic (mkdir: ${fmtX(b.mkdir / b.n / (a.mkdir / a.n))})`,
  );
}
row(
  `heap per cold instance / per eager instance (N=${heap.n})`,
  `1/${(heapEager / heapCold).toFixed(1)}`,
  `${fmtKiB(heapCold)} vs ${fmtKiB(heapEager)}`,
  '<= 1/10',
  yes(heapCold * 10 <= heapEager),
);
row(
  'heap per instance after shrink() / cold',
  fmtX(heapShrunk / heapCold),
  'freed inodes stay on the slab free list',
);
row(
  'memfs (same names, empty files) / eager tracefs instance',
  fmtX(heap.memfsPer / heapEager),
  '',
);
for (const r of rows) console.log(r);

console.log('');
console.log('## Absolute times (supporting detail; median per operation)');
console.log('');
console.log('| operation | median | mean | rme | samples |');
console.log('|---|---|---|---|---|');
for (const m of [warm, cold, dirs, reads, inst]) {
  for (const [name, v] of m) {
    console.log(
      `| ${name} | ${fmtUs(v.p50)} | ${fmtUs(v.mean)} | ±${v.rme.toFixed(1)}% | ${v.samples} |`,
    );
  }
}
console.log('');
console.log(
  `Entries include '.' and '..' for tracefs (memfs lists neither): events/ ${eventsEntries} vs ${memEventsEntries}, events/sched ${schedEntries} vs ${memSchedEntries}.`,
);
console.log('');
console.log('## mkdir / rmdir of an instance against the number of events (systems of 20 events)');
console.log('');
console.log('| events | mkdir | rmdir | rmdir / mkdir | rmdir per event |');
console.log('|---|---|---|---|---|');
for (const r of scaling) {
  console.log(
    `| ${r.n} | ${fmtUs(r.mkdir)} | ${fmtUs(r.rmdir)} | ${fmtX(r.rmdir / r.mkdir)} | ${fmtUs(r.rmdir / r.n)} |`,
  );
}
console.log('');
console.log(
  `## Heap (child process with --expose-gc, N=${heap.n} instances of ${heap.namesPerInstance} names)`,
);
console.log('');
console.log('| state | heap per instance | dentries | inodes | eventfs inodes |');
console.log('|---|---|---|---|---|');
for (let i = 0; i < st.length; i++) {
  const s = st[i];
  const c = s.counters;
  console.log(
    `| ${s.label} | ${i === 0 ? `${fmtKiB(s.heap)} total` : fmtKiB(perInst(i))} | ${c.dentries} | ${c.inodes} | ${c.eventfsInodes} |`,
  );
}
console.log(`| memfs volume with the same names (reference) | ${fmtKiB(heap.memfsPer)} | | | |`);
if (sink === 0.5) console.log(''); // keep the results observable
