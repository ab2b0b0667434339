/**
 * The synchronous facade: one mounted tracefs with its tracing core, driven call by call. Every
 * method runs the same generator operation the simulator interleaves, to completion, as one
 * task. Kernel failures the model detects throw KernelBugError carrying the Violation.
 */
import { checkInvariants } from './check/invariants';
import type { EventfsBase } from './eventfs/base';
import { EventfsInode, type EventfsEntry } from './eventfs/eventfs-inode';
import { createEventfs, isVariantName, type VariantName } from './eventfs/variants/index';
import { TracefsSuper, type MountOptions } from './tracefs/super';
import { defaultCatalog, type EventCatalog } from './trace/catalog';
import { Tracing } from './trace/tracing';
import type { Dentry } from './vfs/dentry';
import { FsError, KernelBugError, ViolationSignal, type Violation } from './vfs/errors';
import { parseFlags, type File, type FlagString } from './vfs/file';
import { parsePath } from './vfs/path';
import type { FaultInjector } from './vfs/faults';
import { runSync, Task, type KOp } from './vfs/sched';
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
} from './vfs/syscalls';
import { isDirMode, ROOT_CRED, type Cred, type Ctx, type DirEntry, type Stat } from './vfs/types';

/** Options of {@link mount}. */
export interface MountConfig extends MountOptions {
  /** Systems and events; default: the bundled catalog of a real kernel (2002 events). */
  readonly catalog?: EventCatalog;
  /** Which eventfs implementation to mount; default 'fixed'. */
  readonly variant?: VariantName;
}

/** An open file of the facade. */
export interface OpenFile {
  /** Read from the current offset: `len` bytes at most, or to EOF without it. */
  read(len?: number): string;
  /** Write at the current offset (the end with 'a'); returns bytes written. */
  write(data: string): number;
  /** Close; further calls fail with EBADF. */
  close(): void;
  /** The current offset (f_pos). */
  readonly position: number;
}

/** Live kernel objects of a mount. */
export interface Counters {
  readonly dentries: number;
  readonly negativeDentries: number;
  readonly inodes: number;
  readonly eventfsInodes: number;
}

/** A directory created through the producer API: an eventfs_inode. Opaque to callers. */
export type EventfsDir = EventfsInode;

/** The producer side: what kernel code calls to build eventfs trees (include/linux/tracefs.h). */
export interface KernelApi {
  /** eventfs_create_events_dir(): a pinned top directory `name` under the tracefs directory at `parentPath`. */
  createEventsDir(
    name: string,
    parentPath: string,
    entries: readonly EventfsEntry[],
    data?: unknown,
  ): EventfsDir;
  /** eventfs_create_dir(): metadata only; null when `parent` was removed meanwhile. */
  createDir(
    name: string,
    parent: EventfsDir,
    entries: readonly EventfsEntry[],
    data?: unknown,
  ): EventfsDir | null;
  /** eventfs_remove_dir(). */
  removeDir(dir: EventfsDir): void;
  /** eventfs_remove_events_dir(). */
  removeEventsDir(dir: EventfsDir): void;
}

/** A mounted tracefs. */
export interface Tracefs {
  /** Which eventfs implementation this mount runs. */
  readonly variant: VariantName;
  stat(path: string, cred?: Cred): Stat;
  readdir(path: string, cred?: Cred): DirEntry[];
  open(path: string, flags?: FlagString, cred?: Cred): OpenFile;
  readFile(path: string, cred?: Cred): string;
  writeFile(path: string, data: string, cred?: Cred): void;
  appendFile(path: string, data: string, cred?: Cred): void;
  mkdir(path: string, mode?: number, cred?: Cred): void;
  rmdir(path: string, cred?: Cred): void;
  chmod(path: string, mode: number, cred?: Cred): void;
  chown(path: string, uid: number, gid: number, cred?: Cred): void;
  remount(options: MountOptions): void;
  shrink(): number;
  counters(): Counters;
  checkInvariants(): Violation[];
  readonly kernel: KernelApi;
}

function argError(name: string, expected: string, got: unknown): TypeError {
  const e = new TypeError(`The "${name}" argument must be ${expected}. Received ${String(got)}`);
  (e as TypeError & { code: string }).code = 'ERR_INVALID_ARG_TYPE';
  return e;
}

function checkId(name: string, v: unknown, allowMinusOne: boolean): number {
  if (
    typeof v !== 'number' ||
    !Number.isInteger(v) ||
    v < (allowMinusOne ? -1 : 0) ||
    v > 0xfffffffe
  ) {
    throw argError(
      name,
      allowMinusOne ? 'an integer from -1 to 4294967294' : 'an integer from 0 to 4294967294',
      v,
    );
  }
  return v;
}

function checkMode(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0o7777) {
    throw argError('mode', 'an integer from 0 to 0o7777', v);
  }
  return v;
}

function checkCred(cred: unknown): Cred {
  if (cred === undefined) return ROOT_CRED;
  if (typeof cred !== 'object' || cred === null)
    throw argError('cred', 'an object { uid, gid, groups? }', cred);
  const c = cred as { uid?: unknown; gid?: unknown; groups?: unknown };
  const uid = checkId('cred.uid', c.uid, false);
  const gid = checkId('cred.gid', c.gid, false);
  let groups: readonly number[] = [];
  if (c.groups !== undefined) {
    if (!Array.isArray(c.groups)) throw argError('cred.groups', 'an array of integers', c.groups);
    groups = c.groups.map((g) => checkId('cred.groups[]', g, false));
  }
  return { uid, gid, groups };
}

function checkData(data: unknown): string {
  if (typeof data !== 'string') throw argError('data', 'of type string', typeof data);
  return data;
}

function checkMountOptions(o: unknown): MountOptions {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null) throw argError('options', 'an object', o);
  const r = o as Record<string, unknown>;
  const out: { uid?: number; gid?: number; mode?: number } = {};
  if (r.uid !== undefined) out.uid = checkId('options.uid', r.uid, false);
  if (r.gid !== undefined) out.gid = checkId('options.gid', r.gid, false);
  if (r.mode !== undefined) out.mode = checkMode(r.mode);
  return out;
}

/** Implementation of {@link Tracefs}. */
export class TracefsMount implements Tracefs {
  readonly variant: VariantName;
  readonly eventfs: EventfsBase;
  readonly tracefs: TracefsSuper;
  readonly tracing: Tracing;
  readonly kernel: KernelApi;
  /** The user task the facade's calls run as. */
  readonly task = new Task(0, 'user');
  /** The task producer-side (kernel) calls run as. */
  readonly kernelTask = new Task(-1, 'kworker');
  /** The first kernel failure this mount hit; its state is suspect after that. */
  tainted: Violation | null = null;

  /**
   * Fault injection for this mount: make the n-th dentry, inode or eventfs_inode allocation
   * fail with ENOMEM (`fs.faults.failNth(3, 'inode')`), or install any policy.
   */
  get faults(): FaultInjector {
    return this.tracefs.sb.faults;
  }

  constructor(config: MountConfig = {}) {
    if (typeof config !== 'object' || (config as unknown) === null) {
      throw argError('config', 'an object', config);
    }
    const catalog = config.catalog ?? defaultCatalog();
    if (typeof catalog !== 'object' || !Array.isArray((catalog as { systems?: unknown }).systems)) {
      throw argError('config.catalog', 'an EventCatalog (see createCatalog())', catalog);
    }
    const variant = config.variant ?? 'fixed';
    if (!isVariantName(variant)) throw argError('variant', 'a known variant name', variant);
    this.variant = variant;
    const options = checkMountOptions(config);
    this.eventfs = createEventfs(variant);
    this.tracefs = new TracefsSuper(this.eventfs.hooks, options);
    this.eventfs.attach(this.tracefs);
    this.tracing = new Tracing(this.eventfs, this.tracefs, catalog);
    this.run(this.tracing.init(this.kctx()));
    this.kernel = this.makeKernelApi();
  }

  /** The root dentry. */
  get root(): Dentry {
    return this.tracefs.root;
  }

  private ctx(cred?: Cred): Ctx {
    return { task: this.task, cred: checkCred(cred) };
  }

  private kctx(): Ctx {
    return { task: this.kernelTask, cred: ROOT_CRED };
  }

  /** Drive an operation to completion; a kernel failure becomes KernelBugError. */
  run<R>(op: KOp<R>): R {
    try {
      return runSync(op);
    } catch (e) {
      if (e instanceof ViolationSignal) {
        this.tainted ??= e.violation;
        throw new KernelBugError(e.violation);
      }
      throw e;
    }
  }

  stat(path: string, cred?: Cred): Stat {
    return this.run(sysStat(this.ctx(cred), this.root, path));
  }

  readdir(path: string, cred?: Cred): DirEntry[] {
    return this.run(sysReaddir(this.ctx(cred), this.root, path));
  }

  open(path: string, flags: FlagString = 'r', cred?: Cred): OpenFile {
    const f = parseFlags(flags);
    if (f === undefined) throw argError('flags', "one of 'r', 'r+', 'w', 'w+', 'a', 'a+'", flags);
    const ctx = this.ctx(cred);
    const file = this.run(sysOpen(ctx, this.root, path, f));
    return this.wrapFile(ctx, file, path);
  }

  private wrapFile(ctx: Ctx, file: File, path: string): OpenFile {
    const run = <R>(op: KOp<R>): R => this.run(op);
    return {
      read(len?: number): string {
        if (len !== undefined) {
          if (typeof len !== 'number' || !Number.isInteger(len) || len < 0)
            throw argError('len', 'a non-negative integer', len);
          return run(sysRead(ctx, file, len, path));
        }
        let out = '';
        for (;;) {
          const chunk = run(sysRead(ctx, file, 65536, path));
          if (chunk === '') return out;
          out += chunk;
        }
      },
      write(data: string): number {
        return run(sysWrite(ctx, file, checkData(data), path));
      },
      close(): void {
        run(sysClose(ctx, file, path));
      },
      get position(): number {
        return file.pos;
      },
    };
  }

  readFile(path: string, cred?: Cred): string {
    const f = this.open(path, 'r', cred);
    try {
      return f.read();
    } finally {
      f.close();
    }
  }

  writeFile(path: string, data: string, cred?: Cred): void {
    this.writeWith(path, checkData(data), 'w', cred);
  }

  appendFile(path: string, data: string, cred?: Cred): void {
    this.writeWith(path, checkData(data), 'a', cred);
  }

  private writeWith(path: string, data: string, flags: FlagString, cred?: Cred): void {
    const f = this.open(path, flags, cred);
    try {
      // Like Node's writeFileSync: no write(2) at all for empty data (the open did the O_TRUNC).
      if (data.length > 0) f.write(data);
    } finally {
      f.close();
    }
  }

  mkdir(path: string, mode = 0o755, cred?: Cred): void {
    this.run(sysMkdir(this.ctx(cred), this.root, path, checkMode(mode)));
  }

  rmdir(path: string, cred?: Cred): void {
    this.run(sysRmdir(this.ctx(cred), this.root, path));
  }

  chmod(path: string, mode: number, cred?: Cred): void {
    this.run(sysChmod(this.ctx(cred), this.root, path, checkMode(mode)));
  }

  chown(path: string, uid: number, gid: number, cred?: Cred): void {
    this.run(
      sysChown(
        this.ctx(cred),
        this.root,
        path,
        checkId('uid', uid, true),
        checkId('gid', gid, true),
      ),
    );
  }

  remount(options: MountOptions): void {
    this.tracefs.remount(checkMountOptions(options));
  }

  shrink(): number {
    return this.run(this.tracefs.sb.dcache.shrink(this.kctx()));
  }

  counters(): Counters {
    const { dentries, negative } = this.tracefs.sb.dcache.counts();
    return {
      dentries,
      negativeDentries: negative,
      inodes: this.tracefs.sb.inodes.live,
      eventfsInodes: this.eventfs.live.size,
    };
  }

  checkInvariants(): Violation[] {
    return checkInvariants({
      tracefs: this.tracefs,
      eventfs: this.eventfs,
      locks: [this.eventfs.mutex, this.tracing.eventMutex],
    });
  }

  private makeKernelApi(): KernelApi {
    const ev = this.eventfs;
    return Object.freeze({
      createEventsDir: (
        name: string,
        parentPath: string,
        entries: readonly EventfsEntry[],
        data?: unknown,
      ) => {
        checkName(name);
        checkEntries(entries);
        const parent = this.run(this.resolveDir(parentPath));
        return this.run(ev.createEventsDir(this.kctx(), name, parent, entries, data ?? null));
      },
      createDir: (
        name: string,
        parent: EventfsDir,
        entries: readonly EventfsEntry[],
        data?: unknown,
      ) => {
        checkName(name);
        checkEntries(entries);
        // eventfs_create_dir(): a NULL parent is -EINVAL.
        if (!(parent instanceof EventfsInode)) {
          throw new FsError(
            'EINVAL',
            'eventfs_create_dir',
            name,
            'parent must be a directory this API returned',
          );
        }
        return this.run(ev.createDir(this.kctx(), name, parent, entries, data ?? null));
      },
      removeDir: (dir: EventfsDir) => {
        // eventfs_remove_dir(NULL) does nothing.
        if (!(dir instanceof EventfsInode)) return;
        this.run(ev.removeDir(this.kctx(), dir));
      },
      removeEventsDir: (dir: EventfsDir) => {
        if (!(dir instanceof EventfsInode) || !dir.isEvents) {
          throw argError('dir', 'a directory createEventsDir() returned', dir);
        }
        this.run(ev.removeEventsDir(this.kctx(), dir));
      },
    });
  }

  /** A tracefs directory's dentry, for the producer API (the kernel passes dentries). */
  private *resolveDir(path: string): KOp<Dentry> {
    let d: Dentry;
    try {
      d = yield* sysLookupDentry(this.kctx(), this.root, path);
    } catch (e) {
      if (e instanceof FsError) throw e.withContext('eventfs_create_events_dir', path);
      throw e;
    }
    yield* this.tracefs.sb.dcache.dput(this.kctx(), d);
    // The kernel passes a tracefs directory dentry (pinned, or the root).
    if ((!d.pinned && !d.isRoot) || !isDirMode(d.inode!.mode)) {
      throw new FsError(
        'ENOTDIR',
        'eventfs_create_events_dir',
        path,
        'the parent must be a tracefs directory',
      );
    }
    return d;
  }
}

function checkEntries(entries: unknown): void {
  if (!Array.isArray(entries)) throw argError('entries', 'an array of { name, callback }', entries);
  for (const e of entries as unknown[]) {
    const x = e as { name?: unknown; callback?: unknown; release?: unknown } | null;
    if (
      typeof x !== 'object' ||
      x === null ||
      typeof x.name !== 'string' ||
      typeof x.callback !== 'function' ||
      (x.release !== undefined && typeof x.release !== 'function')
    ) {
      throw argError(
        'entries[]',
        'an object { name: string, callback: function, release?: function }',
        e,
      );
    }
    checkName(x.name);
  }
}

function checkName(name: unknown): void {
  const p = parsePath(name);
  if (p.components.length !== 1 || p.components[0] !== name || name === '.' || name === '..') {
    throw new FsError(
      'EINVAL',
      'eventfs_create_dir',
      String(name),
      'a directory name is one path component',
    );
  }
}

import { pathLookup as sysLookupDentry } from './vfs/namei';

/** Mount a synthetic tracefs with its tracing model. */
export function mount(config: MountConfig = {}): Tracefs {
  return new TracefsMount(config);
}
