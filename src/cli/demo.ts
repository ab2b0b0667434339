/**
 * `tracefs-sim demo`: a short non-interactive tour of a mounted default tree: what a cold mount
 * holds, what walking it costs, the thread's kprobe sequences on the fixed eventfs, and one
 * shrink back to the cold state.
 */
import { mount, type Tracefs } from '../facade';
import { explore } from '../sim/explore';
import { formatFailure } from '../sim/report';
import { scenarios } from '../sim/scenarios';
import { FsError } from '../vfs/errors';

function fmtCounters(fs: Tracefs): string {
  const c = fs.counters();
  return `dentries=${c.dentries} (negative ${c.negativeDentries}) inodes=${c.inodes} eventfs_inodes=${c.eventfsInodes}`;
}

function attempt(fn: () => unknown): string {
  try {
    const r = fn();
    return typeof r === 'string' ? r.trimEnd() : 'ok';
  } catch (e) {
    if (e instanceof FsError) return e.message;
    throw e;
  }
}

/** Walk every directory below `path`, stat-ing everything: the dcache fills up. */
function walk(fs: Tracefs, path: string): number {
  let n = 0;
  for (const e of fs.readdir(path)) {
    if (e.name === '.' || e.name === '..') continue;
    const p = `${path}/${e.name}`;
    fs.stat(p);
    n++;
    if (e.type === 'dir') n += walk(fs, p);
  }
  return n;
}

/** Run the demo, writing lines through `out`. Returns a process exit code. */
export function runDemo(out: (line: string) => void): number {
  const fs = mount();
  out('# tracefs-sim demo: a tracefs mount with the fixed eventfs (v6.8)');
  out(`cold mount:        ${fmtCounters(fs)}`);
  out(
    `events/ systems:   ${fs.readdir('events').filter((e) => e.type === 'dir' && e.name !== '.' && e.name !== '..').length}`,
  );
  out(`after readdir:     ${fmtCounters(fs)}   (eventfs_iterate creates no dentries)`);
  const sw = 'events/sched/sched_switch';
  out(`$ cat ${sw}/id  -> ${fs.readFile(`${sw}/id`).trim()}`);
  out(
    `$ stat ${sw}/enable -> mode ${(fs.stat(`${sw}/enable`).mode & 0o7777).toString(8)}, ino 0x${fs.stat(`${sw}/enable`).ino.toString(16)}`,
  );
  const t0 = Date.now();
  const n = walk(fs, 'events');
  out(`walked ${n} names under events/ in ${Date.now() - t0} ms: ${fmtCounters(fs)}`);
  out(`shrink -> ${fs.shrink()} dentries freed: ${fmtCounters(fs)}`);
  out('');
  out('# the thread: lookup before create, then create, delete, recreate a kprobe');
  out(`$ ls events/kprobes            -> ${attempt(() => fs.readdir('events/kprobes'))}`);
  fs.appendFile('kprobe_events', 'p:sched schedule\n');
  out("$ echo 'p:sched schedule' >> kprobe_events");
  out(
    `$ ls events/kprobes            -> ${fs
      .readdir('events/kprobes')
      .map((e) => e.name)
      .join(' ')}`,
  );
  fs.appendFile('kprobe_events', '-:sched\n');
  out("$ echo '-:sched' >> kprobe_events");
  out(`$ ls events/kprobes            -> ${attempt(() => fs.readdir('events/kprobes'))}`);
  fs.appendFile('kprobe_events', 'p:sched schedule\n');
  out("$ echo 'p:sched schedule' >> kprobe_events");
  out(
    `$ stat events/kprobes/sched    -> ${attempt(() => (fs.stat('events/kprobes/sched').isDirectory() ? 'a directory' : 'a file'))}`,
  );
  out(
    `$ cat events/kprobes/sched/enable -> ${attempt(() => fs.readFile('events/kprobes/sched/enable'))}`,
  );
  out(
    `$ echo 'p:bad_probe no_such_symbol' >> kprobe_events -> ${attempt(() => {
      fs.appendFile('kprobe_events', 'p:bad_probe no_such_symbol\n');
    })}`,
  );
  fs.writeFile('kprobe_events', '');
  fs.shrink();
  const problems = fs.checkInvariants();
  out(
    `invariants: ${problems.length === 0 ? 'all hold' : problems.map((p) => p.message).join('; ')}`,
  );
  out(`final:             ${fmtCounters(fs)}`);
  out('');
  out("# the robot's report: two CPUs stat a cold events/sched on 852e46e239");
  const s = scenarios['robot-oops']!;
  const bad = explore({
    ...s.config,
    variant: '852e46e239',
    strategy: { kind: 'dfs', preemptionBound: 2 },
  });
  const f = bad.failures[0];
  if (f === undefined) {
    out('!! the simulator did not reproduce it');
    return 1;
  }
  out(`found after ${bad.schedules} schedule(s) of a preemption-bounded search:`);
  out(formatFailure(f, '852e46e239', 'robot-oops'));
  out('');
  const good = explore({
    ...s.config,
    variant: 'fixed',
    strategy: { kind: 'dfs', preemptionBound: 2 },
  });
  out(
    `# the same scenario on the fixed eventfs: ${good.schedules} schedules, search ${good.complete ? 'exhausted' : 'cut short'}, ${good.failures.length} failure(s)`,
  );
  out('# more: npx tracefs-sim scenarios | explore --scenario NAME --variant V | replay ...');
  return problems.length === 0 && good.failures.length === 0 && good.complete ? 0 : 1;
}
