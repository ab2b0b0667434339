/**
 * Plain VFS types: credentials, mode bits, stat results, directory entries, and the
 * operation tables through which a filesystem plugs into the generic VFS, as in
 * include/linux/fs.h and include/linux/dcache.h.
 */
import type { Dentry } from './dentry';
import type { File } from './file';
import type { Inode } from './inode';
import type { KOp, Task } from './sched';

/** Who is asking (struct cred, reduced to fsuid/fsgid and supplementary groups). */
export interface Cred {
  readonly uid: number;
  readonly gid: number;
  readonly groups?: readonly number[];
}

/** The superuser: CAP_DAC_OVERRIDE and CAP_FOWNER. */
export const ROOT_CRED: Cred = Object.freeze({ uid: 0, gid: 0, groups: Object.freeze([]) });

/** What every VFS operation carries: the running task and its credentials. */
export interface Ctx {
  readonly task: Task;
  readonly cred: Cred;
}

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IALLUGO = 0o7777;

/** MAY_* bits for inode_permission(). */
export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

export function isDirMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}

/** A stat(2) result. */
export interface Stat {
  readonly ino: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
  readonly size: number;
  isDirectory(): boolean;
  isFile(): boolean;
}

/** One getdents entry. */
export interface DirEntry {
  readonly name: string;
  readonly ino: number;
  readonly type: 'dir' | 'file';
}

/** Attributes for ->setattr (chmod/chown). -1 or undefined keeps a value. */
export interface IAttr {
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

/** dir_context: iterate callbacks emit entries; returning false stops (buffer full). */
export interface DirContext {
  pos: number;
  emit(name: string, ino: number, type: 'dir' | 'file'): boolean;
}

/** struct dentry_operations. */
export interface DentryOperations {
  /** d_revalidate: false makes the walk drop the cached dentry and look it up afresh. */
  readonly revalidate?: (dentry: Dentry) => boolean;
  /** d_delete: true means do not keep the dentry cached once unused. */
  readonly delete?: (dentry: Dentry) => boolean;
  /** d_iput: the filesystem drops the inode itself (instead of the plain iput()). */
  readonly iput?: (ctx: Ctx, dentry: Dentry, inode: Inode) => KOp<void>;
  /** d_release: the dentry is being freed. */
  readonly release?: (ctx: Ctx, dentry: Dentry) => KOp<void>;
}

/** struct inode_operations. Errors are thrown as FsError (the kernel's ERR_PTR/-errno). */
export interface InodeOperations {
  /**
   * ->lookup(dir, dentry): called with the parent's i_rwsem held shared on a dentry that is
   * in-lookup (d_alloc_parallel). Returns null when it used `dentry` (d_add'ed or left negative
   * and unhashed), or another dentry to use instead.
   */
  readonly lookup?: (ctx: Ctx, dir: Inode, dentry: Dentry) => KOp<Dentry | null>;
  /** ->permission: replaces generic_permission(). Throws EACCES/EPERM. */
  readonly permission?: (ctx: Ctx, inode: Inode, mask: number) => KOp<void>;
  /** ->getattr: may refresh the inode before stat copies it out. */
  readonly getattr?: (ctx: Ctx, dentry: Dentry, inode: Inode) => KOp<void>;
  /** ->setattr: chmod/chown. */
  readonly setattr?: (ctx: Ctx, dentry: Dentry, attr: IAttr) => KOp<void>;
  /** ->mkdir. */
  readonly mkdir?: (ctx: Ctx, dir: Inode, dentry: Dentry, mode: number) => KOp<void>;
  /** ->rmdir. */
  readonly rmdir?: (ctx: Ctx, dir: Inode, dentry: Dentry) => KOp<void>;
}

/** struct file_operations. Reads and writes use and advance `file.pos`. */
export interface FileOperations {
  readonly open?: (ctx: Ctx, inode: Inode, file: File) => KOp<void>;
  readonly read?: (ctx: Ctx, file: File, count: number) => KOp<string>;
  readonly write?: (ctx: Ctx, file: File, data: string) => KOp<number>;
  /** iterate_shared. */
  readonly iterate?: (ctx: Ctx, file: File, dctx: DirContext) => KOp<void>;
  readonly release?: (ctx: Ctx, inode: Inode, file: File) => KOp<void>;
}
