/**
 * With the default (bundled) catalog: a cold mount holds only the pinned dentries (the root and
 * the top-level tracefs files and directories, `events` among them); walking the whole tree
 * (stat every name readdir lists, recursively) creates one dentry and one inode per eventfs
 * name; a single shrink() evicts exactly those and returns counters() to the cold values.
 */
import { describe, expect, it } from 'vitest';
import { defaultCatalog, mount, type Tracefs } from '../../src/index';
import { join } from './reference';

/** stat every name readdir lists, recursively; returns how many names were stat-ed. */
function walk(fs: Tracefs, dir: string, under: (p: string) => void): number {
  let n = 0;
  for (const e of fs.readdir(dir).slice(2)) {
    const p = join(dir, e.name);
    const st = fs.stat(p);
    expect(st.isDirectory(), p).toBe(e.type === 'dir');
    under(p);
    n++;
    if (e.type === 'dir') n += walk(fs, p, under);
  }
  return n;
}

describe('cold mount, full walk, one shrink (default catalog)', () => {
  it('returns exactly to the pinned set', () => {
    const catalog = defaultCatalog();
    const fs = mount();
    const cold = fs.counters();
    const top = fs.readdir('/').slice(2);
    // root + every top-level tracefs file and directory (events and instances included).
    const pinned = 1 + top.length;
    expect(top.map((e) => e.name).sort()).toEqual(
      [
        'available_events',
        'available_tracers',
        'current_tracer',
        'events',
        'instances',
        'kprobe_events',
        'set_event',
        'tracing_on',
      ].sort(),
    );
    expect(cold).toEqual({
      dentries: pinned,
      negativeDentries: 0,
      inodes: pinned,
      // events + one per system + one per event
      eventfsInodes: 1 + catalog.systems.length + catalog.eventCount,
    });

    let eventfsNames = 0;
    const total = walk(fs, '/', (p) => {
      if (p.startsWith('events/')) eventfsNames++;
    });
    // events/: enable, header_page, header_event; per system: dir, enable, filter; per event:
    // dir, enable, filter, trigger, format, id.
    expect(eventfsNames).toBe(3 + 3 * catalog.systems.length + 6 * catalog.eventCount);
    expect(total).toBe(eventfsNames + top.length);
    expect(eventfsNames).toBeGreaterThan(10_000);
    const warm = fs.counters();
    expect(warm).toEqual({
      dentries: cold.dentries + eventfsNames,
      negativeDentries: 0,
      inodes: cold.inodes + eventfsNames,
      eventfsInodes: cold.eventfsInodes,
    });
    expect(fs.checkInvariants()).toEqual([]);

    expect(fs.shrink()).toBe(eventfsNames);
    expect(fs.counters()).toEqual(cold);
    expect(fs.checkInvariants()).toEqual([]);
    // Nothing left to evict.
    expect(fs.shrink()).toBe(0);
  });

  it('a second walk after the shrink rebuilds the same tree, and shrinks back again', () => {
    const fs = mount();
    const cold = fs.counters();
    const seen1: string[] = [];
    walk(fs, 'events', (p) => seen1.push(p));
    const warm = fs.counters();
    fs.shrink();
    expect(fs.counters()).toEqual(cold);
    const seen2: string[] = [];
    walk(fs, 'events', (p) => seen2.push(p));
    expect(seen2.sort()).toEqual(seen1.sort());
    expect(fs.counters()).toEqual(warm);
    expect(fs.shrink()).toBe(seen1.length);
    expect(fs.counters()).toEqual(cold);
  });
});
