/**
 * The operations a simulated CPU can run: mount-level system calls, each turned into the same
 * generator the synchronous facade drives, so the simulator interleaves the real code path.
 */
import type { TracefsMount } from '../facade';
import { isErrnoCode, FsError, type ErrnoCode } from '../vfs/errors';
import { parseFlags, type File, type FlagString } from '../vfs/file';
import { withCleanup, type KOp } from '../vfs/sched';
import {
  sysChmod,
  sysChown,
  sysClose,
  sysMkdir,
  sysOpen,
  sysRead,
  sysReaddir,
  sysRmdir,
  sysStat,
  sysWrite,
} from '../vfs/syscalls';
import type { Ctx } from '../vfs/types';

/** The operations a task may run. */
export type OpName =
  | 'stat'
  | 'readdir'
  | 'open'
  | 'readFile'
  | 'writeFile'
  | 'appendFile'
  | 'mkdir'
  | 'rmdir'
  | 'chmod'
  | 'chown'
  | 'shrink';

/** One step of a task's program. `expect` makes any other outcome a violation. */
export interface Op {
  readonly op: OpName;
  readonly path?: string;
  readonly data?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** For 'open': the flags (default 'r'); the file stays open until the task ends. */
  readonly flags?: FlagString;
  readonly expect?: 'ok' | ErrnoCode;
}

/** What an op returned: 'ok' or an errno name, and a value for reads. */
export interface OpResult {
  readonly op: Op;
  readonly result: 'ok' | ErrnoCode;
  readonly value?: string | number | readonly string[];
}

const OP_NAMES: ReadonlySet<string> = new Set([
  'stat',
  'readdir',
  'open',
  'readFile',
  'writeFile',
  'appendFile',
  'mkdir',
  'rmdir',
  'chmod',
  'chown',
  'shrink',
]);

/** Validate an op from a JS caller. Throws TypeError with what is wrong. */
export function checkOp(op: unknown, where: string): Op {
  if (typeof op !== 'object' || op === null)
    throw new TypeError(`${where}: an op must be an object`);
  const o = op as Record<string, unknown>;
  if (typeof o.op !== 'string' || !OP_NAMES.has(o.op))
    throw new TypeError(`${where}: unknown op ${String(o.op)}`);
  if (o.op !== 'shrink' && typeof o.path !== 'string')
    throw new TypeError(`${where}: '${o.op}' needs a string path`);
  if (
    o.expect !== undefined &&
    o.expect !== 'ok' &&
    !(typeof o.expect === 'string' && isErrnoCode(o.expect))
  ) {
    throw new TypeError(`${where}: expect must be 'ok' or an errno name`);
  }
  if (o.flags !== undefined && (typeof o.flags !== 'string' || parseFlags(o.flags) === undefined)) {
    throw new TypeError(`${where}: bad flags`);
  }
  if (o.data !== undefined && typeof o.data !== 'string')
    throw new TypeError(`${where}: data must be a string`);
  for (const k of ['mode', 'uid', 'gid'] as const) {
    const v = o[k];
    if (
      v !== undefined &&
      (typeof v !== 'number' || !Number.isInteger(v) || v < -1 || v > 0xfffffffe)
    ) {
      throw new TypeError(`${where}: ${k} must be an integer`);
    }
  }
  if (typeof o.mode === 'number' && (o.mode < 0 || o.mode > 0o7777)) {
    throw new TypeError(`${where}: mode must be from 0 to 0o7777`);
  }
  return op as Op;
}

/** Short text for an op, for traces: `stat events/sched`. */
export function describeOp(op: Op): string {
  switch (op.op) {
    case 'shrink':
      return 'shrink';
    case 'writeFile':
    case 'appendFile':
      return `${op.op === 'writeFile' ? 'echo >' : 'echo >>'} ${op.path ?? ''} ${JSON.stringify(op.data ?? '')}`;
    default:
      return `${op.op} ${op.path ?? ''}`;
  }
}

/** The generator for one op; files opened by 'open' are pushed on `open`. */
export function* runOp(fs: TracefsMount, ctx: Ctx, op: Op, open: File[]): KOp<OpResult> {
  try {
    const value = yield* body(fs, ctx, op, open);
    return value === undefined ? { op, result: 'ok' } : { op, result: 'ok', value };
  } catch (e) {
    if (e instanceof FsError) return { op, result: e.code };
    throw e;
  }
}

function* body(
  fs: TracefsMount,
  ctx: Ctx,
  op: Op,
  open: File[],
): KOp<string | number | string[] | undefined> {
  const root = fs.root;
  const path = op.path ?? '';
  switch (op.op) {
    case 'stat': {
      const st = yield* sysStat(ctx, root, path);
      return st.ino;
    }
    case 'readdir': {
      const list = yield* sysReaddir(ctx, root, path);
      return list.map((e) => e.name);
    }
    case 'open': {
      const f = yield* sysOpen(ctx, root, path, parseFlags(op.flags ?? 'r')!);
      open.push(f);
      return undefined;
    }
    case 'readFile': {
      const f = yield* sysOpen(ctx, root, path, parseFlags('r')!);
      const readAll = function* (): KOp<string> {
        let out = '';
        for (;;) {
          const chunk = yield* sysRead(ctx, f, 4096, path);
          if (chunk === '') return out;
          out += chunk;
        }
      };
      return yield* withCleanup(readAll(), () => sysClose(ctx, f, path));
    }
    case 'writeFile':
    case 'appendFile': {
      const f = yield* sysOpen(ctx, root, path, parseFlags(op.op === 'writeFile' ? 'w' : 'a')!);
      // As the facade (and Node's writeFile): empty data means no write(2) at all.
      const data = op.data ?? '';
      const write = data === '' ? nothingNumber() : sysWrite(ctx, f, data, path);
      return yield* withCleanup(write, () => sysClose(ctx, f, path));
    }
    case 'mkdir':
      yield* sysMkdir(ctx, root, path, op.mode ?? 0o755);
      return undefined;
    case 'rmdir':
      yield* sysRmdir(ctx, root, path);
      return undefined;
    case 'chmod':
      yield* sysChmod(ctx, root, path, op.mode ?? 0o644);
      return undefined;
    case 'chown':
      yield* sysChown(ctx, root, path, op.uid ?? -1, op.gid ?? -1);
      return undefined;
    case 'shrink':
      return yield* fs.tracefs.sb.dcache.shrink(ctx);
  }
}

// eslint-disable-next-line require-yield
function* nothingNumber(): KOp<number> {
  return 0;
}
