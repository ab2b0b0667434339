/**
 * struct file: an open file description with its own offset (f_pos), open flags and private
 * data, holding a reference on its dentry until the last close (fs/file_table.c, fs/read_write.c).
 */
import type { Dentry } from './dentry';
import type { Inode } from './inode';
import type { FileOperations } from './types';

/** The access and creation flags the model distinguishes (O_* of open(2)). */
export interface OpenFlags {
  readonly read: boolean;
  readonly write: boolean;
  readonly append: boolean;
  readonly trunc: boolean;
  readonly create: boolean;
  readonly directory: boolean;
}

/** Node's flag strings, as `fs.open` takes them. */
export type FlagString = 'r' | 'r+' | 'w' | 'w+' | 'a' | 'a+';

const FLAG_TABLE: Readonly<Record<FlagString, OpenFlags>> = {
  r: { read: true, write: false, append: false, trunc: false, create: false, directory: false },
  'r+': { read: true, write: true, append: false, trunc: false, create: false, directory: false },
  w: { read: false, write: true, append: false, trunc: true, create: true, directory: false },
  'w+': { read: true, write: true, append: false, trunc: true, create: true, directory: false },
  a: { read: false, write: true, append: true, trunc: false, create: true, directory: false },
  'a+': { read: true, write: true, append: true, trunc: false, create: true, directory: false },
};

/** Parse a flag string; undefined for anything else. */
export function parseFlags(flags: string): OpenFlags | undefined {
  return Object.hasOwn(FLAG_TABLE, flags) ? FLAG_TABLE[flags as FlagString] : undefined;
}

export class File {
  /** f_pos. */
  pos = 0;
  /** private_data: per-open state of the file's fops. */
  private: unknown = null;
  /** Set once the last reference is gone (fput). */
  released = false;

  constructor(
    readonly dentry: Dentry,
    readonly inode: Inode,
    readonly fop: FileOperations,
    readonly flags: OpenFlags,
  ) {}
}

/**
 * simple_read_from_buffer(): copy from a generated buffer at f_pos and advance it. The files of
 * tracefs regenerate their text on each read, as their ->read handlers do.
 */
export function readFromBuffer(file: File, text: string, count: number): string {
  const pos = file.pos;
  if (pos >= text.length || count <= 0) return '';
  const out = text.slice(pos, pos + count);
  file.pos = pos + out.length;
  return out;
}
