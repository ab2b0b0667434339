/**
 * Random sequences of calls on one mount: every entry point, malformed paths, wrong JS types,
 * random credentials and modes, remounts, memory pressure (shrink), open files read, written and
 * closed out of order. After every call the contract holds (kit.ts: success, a plausible
 * FsError, or an ERR_INVALID_ARG_TYPE TypeError for wrong types; never anything else) and
 * checkInvariants() is empty; at the end, with every file closed and the dcache shrunk, the
 * mount holds exactly what a fresh mount with the same instances and kprobes holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeOp,
  expectNoLeak,
  freshMount,
  fuzzOp,
  preparedMount,
  Subject,
  type FuzzOp,
} from './kit';

function run(ops: readonly FuzzOp[], prepared: boolean): Subject {
  const s = new Subject(prepared ? preparedMount() : freshMount());
  for (const op of ops) {
    s.apply(op);
    expect(s.fs.checkInvariants(), `after ${describeOp(op)}`).toEqual([]);
  }
  s.closeAll();
  expectNoLeak(s.fs);
  return s;
}

describe('random call sequences', () => {
  it('JS-valid arguments: the contract holds after every call, and nothing leaks', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(fuzzOp({ wrongTypes: false }), { minLength: 5, maxLength: 50, size: 'max' }),
        fc.boolean(),
        (ops, prepared) => {
          for (const k of run(ops, prepared).seen.keys()) seen.add(k);
        },
      ),
      { seed: 0x5e9, numRuns: 120 },
    );
    // The sequences reach the interesting outcomes, not just early errors.
    for (const k of [
      'mkdir:ok',
      'rmdir:ok',
      'appendFile:ok',
      'appendFile:FsError:EINVAL',
      'open:ok',
      'fread:ok',
      'fclose:FsError:EBADF',
      'chmod:ok',
      'chown:ok',
      'remount:ok',
    ]) {
      expect(seen, k).toContain(k);
    }
  });

  it('with wrong JS types and non-string paths mixed in', () => {
    fc.assert(
      fc.property(
        fc.array(fuzzOp({ wrongTypes: true, nonStringPaths: true }), {
          minLength: 5,
          maxLength: 40,
          size: 'max',
        }),
        (ops) => {
          run(ops, true);
        },
      ),
      { seed: 0x7e57, numRuns: 120 },
    );
  });

  it('as non-root accounts only (uid 1000/1001 after chown and remount by root)', () => {
    const asUser = (op: FuzzOp, uid: number): FuzzOp =>
      'cred' in op ? { ...op, cred: { uid, gid: uid, groups: [1000] } } : op;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fuzzOp({ wrongTypes: false }), fc.constantFrom(1000, 1001)), {
          minLength: 5,
          maxLength: 40,
          size: 'max',
        }),
        (pairs) => {
          const s = new Subject(preparedMount());
          s.fs.remount({ uid: 1000, gid: 1000, mode: 0o750 });
          s.fs.chown('instances', 1000, 1000);
          for (const [op, uid] of pairs) {
            s.apply(asUser(op, uid));
            expect(s.fs.checkInvariants()).toEqual([]);
          }
          s.closeAll();
          expectNoLeak(s.fs);
        },
      ),
      { seed: 0x1000, numRuns: 100 },
    );
  });
});
