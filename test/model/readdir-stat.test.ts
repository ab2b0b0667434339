/**
 * readdir and stat agree under events/: every name readdir lists (recursively, in every
 * instance) can be stat-ed, with the type and inode number readdir reported; eventfs files all
 * report EVENTFS_FILE_INODE_INO in both; each directory keeps its inode number across shrink and
 * re-lookup, and no two live directories share one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mount, type Tracefs } from '../../src/index';
import { FILE_INO, join, parentOf, smallCatalog } from './reference';

const SEED = 0x5eed2;
const CATALOG = smallCatalog();

/** Walk a directory tree by readdir; returns every path's ino and type, checked against stat. */
function walk(fs: Tracefs, dir: string, out: Map<string, { ino: number; type: string }>): void {
  const list = fs.readdir(dir);
  expect(
    list.slice(0, 2).map((e) => e.name),
    `'.' and '..' first in ${dir}`,
  ).toEqual(['.', '..']);
  expect(list[0]!.ino, `'.' of ${dir}`).toBe(fs.stat(dir).ino);
  expect(list[1]!.ino, `'..' of ${dir}`).toBe(fs.stat(parentOf(dir)).ino);
  const names = list.slice(2).map((e) => e.name);
  expect(new Set(names).size, `duplicate names in ${dir}: ${names.join(' ')}`).toBe(names.length);
  for (const e of list.slice(2)) {
    const p = join(dir, e.name);
    const st = fs.stat(p);
    expect(st.isDirectory() ? 'dir' : 'file', `type of ${p}`).toBe(e.type);
    expect(st.isFile(), `isFile of ${p}`).toBe(e.type === 'file');
    expect(st.ino, `ino of ${p} (stat vs readdir)`).toBe(e.ino);
    if (e.type === 'file') expect(e.ino, `eventfs file ${p}`).toBe(FILE_INO);
    else expect(e.ino, `eventfs dir ${p}`).not.toBe(FILE_INO);
    out.set(p, { ino: e.ino, type: e.type });
    if (e.type === 'dir') walk(fs, p, out);
  }
}

function eventsDirs(fs: Tracefs): string[] {
  const inst = fs
    .readdir('instances')
    .slice(2)
    .map((e) => `instances/${e.name}/events`);
  return ['events', ...inst];
}

function walkAll(fs: Tracefs): Map<string, { ino: number; type: string }> {
  const out = new Map<string, { ino: number; type: string }>();
  for (const ev of eventsDirs(fs)) {
    out.set(ev, { ino: fs.stat(ev).ino, type: 'dir' });
    walk(fs, ev, out);
  }
  // No two live directories share an inode number.
  const dirInos = [...out.values()].filter((v) => v.type === 'dir').map((v) => v.ino);
  expect(new Set(dirInos).size, 'distinct directory inos').toBe(dirInos.length);
  return out;
}

type Setup =
  | { readonly k: 'kprobe'; readonly add: boolean; readonly name: string }
  | { readonly k: 'inst'; readonly add: boolean; readonly name: string }
  | { readonly k: 'touch'; readonly pick: number }
  | { readonly k: 'shrink' };

const setupArb: fc.Arbitrary<Setup> = fc.oneof(
  fc.record({
    k: fc.constant('kprobe' as const),
    add: fc.boolean(),
    name: fc.constantFrom('kp1', 'kp2', 'kp3'),
  }),
  fc.record({
    k: fc.constant('inst' as const),
    add: fc.boolean(),
    name: fc.constantFrom('a', 'b'),
  }),
  fc.record({ k: fc.constant('touch' as const), pick: fc.nat() }),
  fc.constant({ k: 'shrink' as const }),
);

const TOUCH = [
  'events/sched',
  'events/sched/sched_switch/enable',
  'events/kprobes/kp1/id',
  'events/kprobes',
  'instances/a/events/irq/irq_handler_entry',
  'instances/b/events/kprobes/kp2/format',
  'events/irq/enable',
];

/** Apply setup steps; errors (EEXIST, ENOENT, ...) are fine here, only the end state matters. */
function apply(fs: Tracefs, steps: readonly Setup[]): void {
  for (const s of steps) {
    try {
      switch (s.k) {
        case 'kprobe':
          fs.appendFile('kprobe_events', s.add ? `p:${s.name} schedule` : `-:${s.name}`);
          break;
        case 'inst':
          if (s.add) fs.mkdir(`instances/${s.name}`);
          else fs.rmdir(`instances/${s.name}`);
          break;
        case 'touch':
          fs.stat(TOUCH[s.pick % TOUCH.length]!);
          break;
        case 'shrink':
          fs.shrink();
          break;
      }
    } catch (e) {
      if (!(e instanceof Error) || !('code' in e)) throw e;
    }
    expect(fs.checkInvariants()).toEqual([]);
  }
}

describe('readdir vs stat under events/', () => {
  it('every listed name stats with the listed type and ino; dir inos survive shrink', () => {
    fc.assert(
      fc.property(fc.array(setupArb, { maxLength: 25 }), fc.boolean(), (steps, shrinkFirst) => {
        const fs = mount({ catalog: CATALOG });
        apply(fs, steps);
        if (shrinkFirst) fs.shrink();
        const first = walkAll(fs);
        fs.shrink();
        // Re-lookup each directory directly (no readdir first): same number.
        for (const [p, v] of first) {
          if (v.type === 'dir') expect(fs.stat(p).ino, `ino of ${p} after shrink`).toBe(v.ino);
        }
        fs.shrink();
        const second = walkAll(fs);
        expect(second, 'the walk after shrink').toEqual(first);
        expect(fs.checkInvariants()).toEqual([]);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("a directory's ino does not change across shrink + re-lookup, one at a time", () => {
    const fs = mount({ catalog: CATALOG });
    fs.appendFile('kprobe_events', 'p:kp1 schedule');
    fs.mkdir('instances/a');
    const all = walkAll(fs);
    for (const [p, v] of all) {
      if (v.type !== 'dir') continue;
      fs.shrink();
      expect(fs.stat(p).ino, p).toBe(v.ino);
      expect(fs.readdir(p)[0]!.ino, `'.' of ${p}`).toBe(v.ino);
    }
  });

  it('a re-created directory gets a number no live directory has', () => {
    const fs = mount({ catalog: CATALOG });
    fs.appendFile('kprobe_events', 'p:kp1 schedule');
    const before = fs.stat('events/kprobes/kp1').ino;
    fs.appendFile('kprobe_events', '-:kp1');
    fs.appendFile('kprobe_events', 'p:kp1 schedule');
    const all = walkAll(fs);
    const after = all.get('events/kprobes/kp1')!.ino;
    const others = [...all]
      .filter(([p, v]) => v.type === 'dir' && p !== 'events/kprobes/kp1')
      .map(([, v]) => v.ino);
    expect(others).not.toContain(after);
    expect(after).not.toBe(FILE_INO);
    // The old number belonged to a directory that no longer exists; reuse is not required.
    expect(typeof before).toBe('number');
    expect(fs.checkInvariants()).toEqual([]);
  });
});
