/**
 * Bugs the fuzzers found, each pinned by the smallest input that showed it.
 */
import { describe, expect, it } from 'vitest';
import { createCatalog, explore, mount, type Op } from '../../src/index';

const argType: unknown = expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' });

describe('input from JS callers', () => {
  it('a non-string path is a TypeError with Node’s code', () => {
    const fs = mount({ catalog: createCatalog([]) });
    expect(() => fs.stat(42 as never)).toThrow(argType);
    expect(() => fs.readdir({} as never)).toThrow(argType);
  });

  it('mount() checks its config and catalog', () => {
    expect(() => mount(null as never)).toThrow(argType);
    expect(() => mount({ catalog: 5 as never })).toThrow(argType);
  });

  it('the producer API checks its arguments as the kernel does', () => {
    const fs = mount({ catalog: createCatalog([]) });
    // eventfs_remove_dir(NULL) does nothing; eventfs_create_dir() with a NULL parent is EINVAL.
    expect(() => {
      fs.kernel.removeDir(null as never);
    }).not.toThrow();
    expect(() => fs.kernel.createDir('z', null as never, [])).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(() => fs.kernel.createEventsDir('x', '/', null as never)).toThrow(argType);
    expect(() => fs.kernel.createEventsDir('x', '/', [5] as never)).toThrow(argType);
    expect(fs.checkInvariants()).toEqual([]);
  });

  it('the simulator checks op fields', () => {
    const bad: unknown[] = [
      { op: 'writeFile', path: 'tracing_on', data: 5 },
      { op: 'chown', path: 'events', uid: 1.5 },
      { op: 'chmod', path: 'events', mode: 0o10000 },
    ];
    for (const op of bad) expect(() => explore({ tasks: [[op as Op]] })).toThrow(TypeError);
  });
});

describe('kernel semantics', () => {
  it('a zero-length write(2) reaches the file’s ->write (vfs_write)', () => {
    const fs = mount({ catalog: createCatalog([]) });
    const f = fs.open('current_tracer', 'r+');
    expect(() => f.write('')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    f.close();
    // writeFile with empty data makes no write(2) at all, as Node's writeFileSync.
    fs.writeFile('current_tracer', '');
    expect(fs.readFile('current_tracer')).toBe('nop\n');
  });

  it('removing an instance while the shrinker frees its cached negatives', () => {
    const r = explore({
      setup: (fs) => {
        fs.mkdir('instances/a');
      },
      tasks: [[{ op: 'stat', path: 'instances/a/zzz' }], [{ op: 'rmdir', path: 'instances/a' }]],
      memoryPressure: true,
      shrinks: 1,
      strategy: { kind: 'dfs', preemptionBound: 1 },
    });
    expect(r.failures.map((f) => f.violation)).toEqual([]);
    expect(r.complete).toBe(true);
  });
});
