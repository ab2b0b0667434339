/**
 * File operations for control files (tracefs, debugfs and procfs style), built from plain
 * render/write functions: reads regenerate the text and copy from f_pos
 * (simple_read_from_buffer / seq_file), writes get the whole buffer of one write(2), as the
 * kernel's ->write handlers do. `data` is i_private.
 */
import { fsErr } from './errors';
import { readFromBuffer, type File } from './file';
import { step, type KOp } from './sched';
import type { Ctx, FileOperations } from './types';

/** What a control file does, in terms of its i_private data. */
export interface ControlSpec<D> {
  /** The file's whole text now; reads copy from it at f_pos. */
  readonly read?: (data: D, file: File) => string;
  /** One write(2) buffer; returns how many bytes were consumed. Throws FsError. */
  readonly write?: (ctx: Ctx, data: D, text: string, file: File) => KOp<number>;
  /** ->open, after the VFS permission check. */
  readonly open?: (ctx: Ctx, data: D, file: File) => KOp<void>;
  /** ->release on the last close. */
  readonly release?: (ctx: Ctx, data: D, file: File) => KOp<void>;
}

/** Build FileOperations for a control file. */
export function controlFops<D>(spec: ControlSpec<D>, name: string): FileOperations {
  const fops: {
    open?: FileOperations['open'];
    read?: FileOperations['read'];
    write?: FileOperations['write'];
    release?: FileOperations['release'];
  } = {};
  const dataOf = (file: File): D => file.inode.private as D;
  if (spec.open !== undefined || spec.release !== undefined) {
    const open = spec.open;
    fops.open = function* (ctx, _inode, file): KOp<void> {
      if (open !== undefined) yield* open(ctx, dataOf(file), file);
    };
  }
  const read = spec.read;
  if (read !== undefined) {
    fops.read = function* (_ctx, file, count): KOp<string> {
      yield step(`${name}_read`, `read ${name}`);
      return readFromBuffer(file, read(dataOf(file), file), count);
    };
  } else {
    // The kernel gives write-only files no ->read: read(2) fails with EINVAL.
    fops.read = function* (): KOp<string> {
      yield step(`${name}_read`, `read ${name}`);
      throw fsErr('EINVAL', `${name} is write-only`);
    };
  }
  const write = spec.write;
  if (write !== undefined) {
    fops.write = function* (ctx, file, text): KOp<number> {
      yield step(`${name}_write`, `write ${name}`);
      const n = yield* write(ctx, dataOf(file), text, file);
      file.pos += n;
      return n;
    };
  }
  const release = spec.release;
  if (release !== undefined) {
    fops.release = function* (ctx, _inode, file): KOp<void> {
      yield* release(ctx, dataOf(file), file);
    };
  }
  return Object.freeze(fops);
}

/** A write handler that needs no interleaving point of its own. */
export function syncWrite<D>(
  fn: (ctx: Ctx, data: D, text: string, file: File) => number,
): (ctx: Ctx, data: D, text: string, file: File) => KOp<number> {
  // eslint-disable-next-line require-yield
  return function* (ctx, data, text, file): KOp<number> {
    return fn(ctx, data, text, file);
  };
}

/** Largest write a control file accepts in one call (the kernel caps these at a page or so). */
export const MAX_CONTROL_WRITE = 1 << 16;

/** Reject oversized writes before parsing them (the kernel answers EINVAL or E2BIG). */
export function checkWriteSize(text: string, limit = MAX_CONTROL_WRITE): void {
  if (text.length > limit) throw fsErr('EINVAL', `write of ${text.length} bytes exceeds ${limit}`);
}

/** Plain callbacks for a file an embedder adds (through eventfs entries or tracefs files). */
export interface SimpleFileSpec<D> {
  /** The whole text of the file now. */
  readonly read?: (data: D) => string;
  /** Handle one write; throw FsError to refuse. Returns bytes consumed (default: all). */
  readonly write?: (data: D, text: string) => number | undefined;
}

/** FileOperations from plain synchronous callbacks. */
export function simpleFileOps<D = unknown>(spec: SimpleFileSpec<D>, name = 'file'): FileOperations {
  const write = spec.write;
  const read = spec.read;
  return controlFops<D>(
    {
      ...(read !== undefined ? { read: (data: D) => read(data) } : {}),
      ...(write !== undefined
        ? { write: syncWrite<D>((_ctx, data, text) => write(data, text) ?? text.length) }
        : {}),
    },
    name,
  );
}
