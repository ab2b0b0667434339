/**
 * Every public entry point of the facade, one call at a time, with malformed input: paths with
 * NUL bytes, long `..` chains, 4 KB names, 300-byte components; credentials, modes, ids, flags,
 * lengths and options of the wrong type or range; mount() configurations. Each call must
 * succeed, or throw an FsError with an errno the kernel could return for it (kit.ts, ALLOWED),
 * or (for a wrong JS type) a TypeError with code ERR_INVALID_ARG_TYPE and no effect. The mount
 * stays consistent (checkInvariants() is empty) after every call.
 *
 * Left out (src bugs, see the report): non-string paths are only checked to throw a TypeError,
 * not for its code (src/vfs/path.ts parsePath throws a TypeError without `code`); mount(null)
 * and mount({ catalog: <not a catalog> }) are not fuzzed (plain TypeErrors from
 * src/facade.ts, TracefsMount's constructor); the producer API (fs.kernel) is fuzzed with
 * string arguments only (entries that are not EventfsEntry objects crash with plain
 * TypeErrors, and removeDir(null) is not the no-op eventfs_remove_dir(NULL) is).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FsError,
  KernelBugError,
  mount,
  simpleFileOps,
  TRACEFS_DEFAULT_MODE,
  type EventfsEntry,
} from '../../src/index';
import {
  anyCred,
  anyMode,
  anyPath,
  badCred,
  badPath,
  CATALOG,
  describeOp,
  freshMount,
  fuzzOp,
  goodCred,
  goodMode,
  isGoodCred,
  nonString,
  preparedMount,
  show,
  snapshot,
  Subject,
  wrongArgs,
  type FuzzOp,
} from './kit';

/** One call on a fresh prepared mount, checked, then the invariants. */
function oneCall(op: FuzzOp): string {
  const s = new Subject(preparedMount());
  const out = s.apply(op);
  expect(s.fs.checkInvariants(), describeOp(op)).toEqual([]);
  s.closeAll();
  return out;
}

describe('path-taking entry points with malformed paths (valid credentials)', () => {
  const cases: [string, fc.Arbitrary<FuzzOp>][] = [
    ['stat', fc.record({ kind: fc.constant('stat' as const), path: anyPath, cred: goodCred })],
    [
      'readdir',
      fc.record({ kind: fc.constant('readdir' as const), path: anyPath, cred: goodCred }),
    ],
    [
      'readFile',
      fc.record({ kind: fc.constant('readFile' as const), path: anyPath, cred: goodCred }),
    ],
    [
      'open',
      fc.record({
        kind: fc.constant('open' as const),
        path: anyPath,
        flags: fc.constantFrom('r', 'r+', 'w', 'w+', 'a', 'a+'),
        cred: goodCred,
      }),
    ],
    [
      'writeFile/appendFile',
      fc.record({
        kind: fc.constantFrom('writeFile' as const, 'appendFile' as const),
        path: anyPath,
        data: fc.string({ maxLength: 20 }),
        cred: goodCred,
      }),
    ],
    [
      'mkdir',
      fc.record({
        kind: fc.constant('mkdir' as const),
        path: fc.oneof(
          anyPath,
          badPath.map((p) => `instances/${p}`),
        ),
        mode: goodMode,
        cred: goodCred,
      }),
    ],
    [
      'rmdir',
      fc.record({
        kind: fc.constant('rmdir' as const),
        path: fc.oneof(
          anyPath,
          badPath.map((p) => `instances/${p}`),
        ),
        cred: goodCred,
      }),
    ],
    [
      'chmod',
      fc.record({
        kind: fc.constant('chmod' as const),
        path: anyPath,
        mode: goodMode,
        cred: goodCred,
      }),
    ],
    [
      'chown',
      fc.record({
        kind: fc.constant('chown' as const),
        path: anyPath,
        uid: fc.integer({ min: -1, max: 70000 }),
        gid: fc.integer({ min: -1, max: 70000 }),
        cred: goodCred,
      }),
    ],
  ];
  it.each(cases)('%s: succeeds or fails with a plausible errno', (_name, arb) => {
    fc.assert(
      fc.property(arb, (op) => {
        expect(oneCall(op)).not.toBe('TypeError');
      }),
      { seed: 0x7ace, numRuns: 150 },
    );
  });

  it('the families of malformed paths give the errnos getname() and the walk give', () => {
    const fs = preparedMount();
    const code = (p: string): string => {
      try {
        fs.stat(p);
        return 'ok';
      } catch (e) {
        if (e instanceof FsError) return e.code;
        throw e;
      }
    };
    expect(code('events\0/sched')).toBe('EINVAL');
    expect(code('')).toBe('ENOENT');
    expect(code('a'.repeat(4096))).toBe('ENAMETOOLONG');
    expect(code(`events/${'x'.repeat(256)}`)).toBe('ENAMETOOLONG');
    expect(code(`events/${'é'.repeat(128)}`)).toBe('ENAMETOOLONG'); // 256 bytes
    expect(code(`events/${'é'.repeat(127)}`)).toBe('ENOENT'); // 254 bytes
    expect(code(`${'../'.repeat(1300)}events/sched`)).toBe('ok');
    expect(code(`events/sched${'/..'.repeat(1300)}`)).toBe('ok');
    expect(code('events/sched/enable/..')).toBe('ENOTDIR');
    expect(code('tracing_on/')).toBe('ENOTDIR');
    expect(fs.checkInvariants()).toEqual([]);
  });
});

describe('arguments of the wrong JS type', () => {
  it('every entry point refuses them with ERR_INVALID_ARG_TYPE, before doing anything', () => {
    const wrongOnly = fuzzOp({ wrongTypes: true }).filter((op) => {
      const w = wrongArgs(op);
      return w.other;
    });
    fc.assert(
      fc.property(wrongOnly, (op) => {
        const s = new Subject(preparedMount());
        // Give the file ops something to act on.
        s.files.push(s.fs.open('tracing_on', 'r+'));
        const before = snapshot(s.fs);
        expect(s.apply(op)).toBe('TypeError');
        expect(snapshot(s.fs), describeOp(op)).toBe(before);
        s.closeAll();
      }),
      { seed: 0xbad, numRuns: 400 },
    );
  });

  it('non-string paths throw a TypeError (its code is not asserted: see the report)', () => {
    const kinds = ['stat', 'readdir', 'readFile', 'rmdir'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...kinds), nonString, goodCred, (kind, path, cred) => {
        const fs = preparedMount();
        const before = snapshot(fs);
        const call = fs[kind].bind(fs) as (p: unknown, c: unknown) => unknown;
        expect(() => call(path, cred)).toThrow(TypeError);
        expect(snapshot(fs)).toBe(before);
      }),
      { seed: 0x5a1, numRuns: 100 },
    );
  });

  it('credentials are checked before the path: a bad cred wins over a bad path', () => {
    fc.assert(
      fc.property(badCred, fc.oneof(badPath, nonString), (cred, path) => {
        const fs = freshMount();
        let err: unknown;
        try {
          (fs.stat as (p: unknown, c: unknown) => unknown)(path, cred);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TypeError);
        expect((err as TypeError & { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE');
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('an OpenFile refuses bad lengths and data, and everything after close with EBADF', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<unknown>(-1, 1.5, '3', null, Number.NaN, Symbol('n'), 10n),
        nonString,
        (len, data) => {
          const fs = preparedMount();
          const f = fs.open('set_event', 'a+');
          const isType = (fn: () => unknown): boolean => {
            try {
              fn();
            } catch (e) {
              return (
                e instanceof TypeError && (e as { code?: unknown }).code === 'ERR_INVALID_ARG_TYPE'
              );
            }
            return false;
          };
          expect(isType(() => (f.read as (l: unknown) => string)(len))).toBe(true);
          expect(isType(() => (f.write as (d: unknown) => number)(data))).toBe(true);
          f.close();
          for (const fn of [
            () => f.read(),
            () => f.write('sched'),
            () => {
              f.close();
            },
          ]) {
            expect(fn).toThrow(FsError);
            try {
              fn();
            } catch (e) {
              expect((e as FsError).code).toBe('EBADF');
            }
          }
          fs.shrink();
          expect(fs.counters()).toEqual(preparedMount().counters());
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });
});

describe('remount() and mount() options', () => {
  const id = fc.integer({ min: 0, max: 70000 });
  const anyId = fc.oneof(
    { weight: 3, arbitrary: fc.oneof(fc.constant(undefined), id) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(-5, -1, 1.5, 2 ** 32, '0', null, Number.NaN) },
  );
  const options = fc.record({
    uid: anyId,
    gid: anyId,
    mode: fc.oneof(fc.constant(undefined), anyMode),
  });
  const valid = (o: { uid: unknown; gid: unknown; mode: unknown }): boolean =>
    isGoodCred({
      uid: o.uid === undefined ? 0 : o.uid,
      gid: o.gid === undefined ? 0 : o.gid,
    }) &&
    (o.mode === undefined ||
      (typeof o.mode === 'number' && Number.isInteger(o.mode) && o.mode >= 0 && o.mode <= 0o7777));

  it('remount: valid options apply to the root and what follows it; others are TypeErrors', () => {
    fc.assert(
      fc.property(options, (o) => {
        const fs = preparedMount();
        const before = fs.stat('/');
        let out = 'ok';
        try {
          fs.remount(o as never);
        } catch (e) {
          if (e instanceof TypeError && (e as { code?: unknown }).code === 'ERR_INVALID_ARG_TYPE')
            out = 'TypeError';
          else throw e;
        }
        expect(out, show(o)).toBe(valid(o) ? 'ok' : 'TypeError');
        const st = fs.stat('/');
        if (out === 'ok') {
          expect(st.uid).toBe((o.uid as number | undefined) ?? before.uid);
          expect(st.gid).toBe((o.gid as number | undefined) ?? before.gid);
          expect(st.mode & 0o7777).toBe((o.mode as number | undefined) ?? before.mode & 0o7777);
          const ev = fs.stat('events/sched/sched_switch/enable');
          if (o.gid !== undefined) expect(ev.gid).toBe(o.gid);
        } else {
          expect([st.uid, st.gid, st.mode]).toEqual([before.uid, before.gid, before.mode]);
        }
        expect(fs.checkInvariants()).toEqual([]);
      }),
      { seed: 0x6e6, numRuns: 200 },
    );
  });

  it('mount: options and variant are checked (TypeError) or taken', () => {
    const variant = fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constant('fixed') },
      { weight: 1, arbitrary: fc.constantFrom<unknown>('nope', 5, null, '') },
    );
    fc.assert(
      fc.property(options, variant, (o, v) => {
        const good = valid(o) && (v === undefined || v === 'fixed');
        let fs;
        try {
          fs = mount({ ...(o as object), variant: v as never, catalog: CATALOG });
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError);
          expect((e as { code?: unknown }).code).toBe('ERR_INVALID_ARG_TYPE');
          expect(good, show([o, v])).toBe(false);
          return;
        }
        expect(good, show([o, v])).toBe(true);
        const st = fs.stat('/');
        expect(st.mode & 0o7777).toBe((o.mode as number | undefined) ?? TRACEFS_DEFAULT_MODE);
        expect(st.uid).toBe((o.uid as number | undefined) ?? 0);
        expect(fs.stat('events').gid).toBe((o.gid as number | undefined) ?? 0);
        expect(fs.checkInvariants()).toEqual([]);
      }),
      { seed: 0x30a7, numRuns: 120 },
    );
  });
});

describe('credentials against the permission checks', () => {
  it('any valid cred: allowed errnos only, and root is never refused by DAC on a directory', () => {
    fc.assert(
      fc.property(
        fc.record({
          uid: fc.integer({ min: 0, max: 70000 }),
          gid: fc.integer({ min: 0, max: 70000 }),
          groups: fc.array(fc.integer({ min: 0, max: 70000 }), { maxLength: 4 }),
        }),
        fc.constantFrom('events', 'events/sched', 'instances/a/events/irq', 'events/kprobes/p1'),
        goodMode,
        (cred, dir, mode) => {
          const fs = preparedMount();
          fs.remount({ mode: 0o755 });
          fs.chmod(dir, mode);
          const s = new Subject(fs);
          for (const kind of ['stat', 'readdir'] as const) {
            s.apply({ kind, path: dir, cred });
            s.apply({ kind, path: `${dir}/enable`, cred });
          }
          s.apply({ kind: 'writeFile', path: `${dir}/enable`, data: '1', cred });
          expect(s.apply({ kind: 'readdir', path: dir, cred: undefined })).toBe('ok');
          expect(fs.checkInvariants()).toEqual([]);
        },
      ),
      { seed: 0xc4ed, numRuns: 150 },
    );
  });

  it('malformed credentials on every kind of call are TypeErrors with the code', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'stat',
          'readdir',
          'readFile',
          'rmdir',
          'mkdir',
          'chmod',
          'chown',
          'open',
          'writeFile',
        ),
        anyCred.filter((c) => !isGoodCred(c)),
        (kind, cred) => {
          const op = {
            kind,
            path: 'instances/z',
            cred,
            mode: 0o700,
            uid: 0,
            gid: 0,
            flags: 'r',
            data: '1',
          } as unknown as FuzzOp;
          expect(oneCall(op)).toBe('TypeError');
        },
      ),
      { seed: 99, numRuns: 150 },
    );
  });
});

describe('the producer API (fs.kernel) with malformed names and parent paths', () => {
  it('createEventsDir/createDir: ok or EINVAL/ENOENT/EEXIST/ENOTDIR/ENAMETOOLONG, never a kernel bug', () => {
    const fops = simpleFileOps({ read: () => 'x\n' }, 'value');
    const entries: EventfsEntry[] = [{ name: 'value', callback: () => ({ mode: 0o640, fops }) }];
    const allowed = new Set(['EINVAL', 'ENOENT', 'EEXIST', 'ENOTDIR', 'ENAMETOOLONG']);
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(badPath, fc.constantFrom('x', 'y', 'events', 'instances', '.', '..')),
            fc.oneof(anyPath, fc.constantFrom('/', 'instances/a', 'events', 'instances')),
          ),
          { maxLength: 6 },
        ),
        (calls) => {
          const fs = preparedMount();
          for (const [name, parent] of calls) {
            try {
              const top = fs.kernel.createEventsDir(name, parent, entries);
              fs.kernel.createDir(name, top, entries);
              expect(fs.readFile(`${parent === '/' ? '' : `${parent}/`}${name}/value`)).toBe('x\n');
            } catch (e) {
              if (e instanceof KernelBugError || !(e instanceof FsError)) throw e;
              expect(allowed.has(e.code), `${show(name)} under ${show(parent)}: ${e.code}`).toBe(
                true,
              );
            }
          }
          expect(fs.checkInvariants()).toEqual([]);
        },
      ),
      { seed: 0xe7e, numRuns: 150 },
    );
  });
});
