/**
 * Open files of the node:fs adapter: the model's struct file behind a descriptor.
 */
import { READ_CHUNK } from './node-fs-core';
import { TracefsMount, type OpenFile, type Tracefs } from '../facade';
import { FsError } from '../vfs/errors';
import type { File, FlagString, OpenFlags } from '../vfs/file';
import { getattr, sysClose, sysRead, sysWrite } from '../vfs/syscalls';
import { type Cred, type Ctx, type Stat } from '../vfs/types';

// ---------------------------------------------------------------------------------------------
// Open files: the model's struct file behind a descriptor.

/** What a descriptor needs from an open file of the model. */
export interface KFile {
  /** read(2) from f_pos. */
  read(count: number): string;
  /** write(2) at f_pos. */
  write(text: string): number;
  /** pwrite(2): at `pos`, f_pos unchanged. */
  writeAt(text: string, pos: number): number;
  /** The file's whole text as a read from 0 sees it, f_pos unchanged (for pread(2)). */
  readWhole(): string;
  /** fstat(2). */
  stat(): Stat;
  /** The last close. */
  close(): void;
}

/**
 * A `struct file` of a {@link TracefsMount}, driven with the generator-level system calls: any
 * combination of O_* flags, and pread/pwrite that move a private position, as the kernel's
 * vfs_read/vfs_write do with the `ppos` of pread64/pwrite64.
 */
export class MountFile implements KFile {
  constructor(
    private readonly m: TracefsMount,
    private readonly ctx: Ctx,
    private readonly file: File,
  ) {}

  read(count: number): string {
    return this.m.run(sysRead(this.ctx, this.file, count));
  }

  write(text: string): number {
    return this.m.run(sysWrite(this.ctx, this.file, text));
  }

  writeAt(text: string, pos: number): number {
    const saved = this.file.pos;
    this.file.pos = pos;
    try {
      return this.write(text);
    } finally {
      this.file.pos = saved;
    }
  }

  readWhole(): string {
    // seq_read_iter() with *ppos != m->read_pos restarts the listing from the beginning and
    // skips to the position; the text is regenerated on every read, so reading it all from 0
    // and slicing gives the same bytes.
    const saved = this.file.pos;
    this.file.pos = 0;
    try {
      let out = '';
      for (;;) {
        const chunk = this.read(READ_CHUNK);
        if (chunk === '') return out;
        out += chunk;
      }
    } finally {
      this.file.pos = saved;
    }
  }

  stat(): Stat {
    return this.m.run(getattr(this.ctx, this.file.dentry));
  }

  close(): void {
    this.m.run(sysClose(this.ctx, this.file));
  }
}

/**
 * An open file through the plain {@link Tracefs} facade, for implementations of it other than
 * {@link TracefsMount}: flags map to the nearest of 'r', 'r+', 'w', 'w+', 'a', 'a+', pread
 * re-reads the file by path, and pwrite writes at the current offset.
 */
export class FacadeFile implements KFile {
  constructor(
    private readonly t: Tracefs,
    private readonly f: OpenFile,
    private readonly path: string,
    private readonly cred: Cred,
    private readonly readable: boolean,
  ) {}

  read(count: number): string {
    return this.f.read(count);
  }

  write(text: string): number {
    return this.f.write(text);
  }

  writeAt(text: string): number {
    return this.f.write(text);
  }

  readWhole(): string {
    if (!this.readable) throw new FsError('EBADF', 'read', undefined, 'not open for reading');
    return this.t.readFile(this.path, this.cred);
  }

  stat(): Stat {
    return this.t.stat(this.path, this.cred);
  }

  close(): void {
    this.f.close();
  }
}

export function facadeFlag(f: OpenFlags): FlagString {
  if (!f.write) return 'r';
  if (f.append) return f.read ? 'a+' : 'a';
  if (f.trunc) return f.read ? 'w+' : 'w';
  // O_WRONLY/O_RDWR without O_TRUNC: 'r+' (or 'a' when write-only: tracefs files are size 0,
  // so appending writes at offset 0 as well).
  return f.read ? 'r+' : 'a';
}

/** One descriptor of the adapter's table. */
export interface FdEntry {
  readonly file: KFile;
  /** The path as the caller gave it. */
  readonly path: string;
  /** The path in the mount. */
  readonly modelPath: string;
  readonly readable: boolean;
  readonly writable: boolean;
  /** Bytes the model returned but the caller has not taken yet (non-ASCII text only). */
  pending: Uint8Array | null;
}
