/**
 * Errors as user space sees them (Node-style `FsError` with a negative errno), and the
 * structured `Violation`s that stand in for KASAN/KMSAN/lockdep/BUG_ON reports when the
 * modelled kernel itself goes wrong.
 */

/** Linux errno values (asm-generic/errno-base.h, errno.h) for the codes the model can return. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EIO: 5,
  EBADF: 9,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  EFBIG: 27,
  ENOSPC: 28,
  EROFS: 30,
  EMLINK: 31,
  E2BIG: 7,
  ERANGE: 34,
  ENAMETOOLONG: 36,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENOSYS: 38,
  EOPNOTSUPP: 95,
} as const;

/** An errno name the model can produce. */
export type ErrnoCode = keyof typeof ERRNO;

/** Messages as Node prints them (libuv's uv_strerror). */
const MESSAGES: Readonly<Record<ErrnoCode, string>> = {
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ESRCH: 'no such process',
  EIO: 'i/o error',
  EBADF: 'bad file descriptor',
  ENOMEM: 'not enough memory',
  EACCES: 'permission denied',
  EBUSY: 'resource busy or locked',
  EEXIST: 'file already exists',
  EXDEV: 'cross-device link not permitted',
  ENODEV: 'no such device',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  EINVAL: 'invalid argument',
  EFBIG: 'file too large',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EMLINK: 'too many links',
  E2BIG: 'argument list too long',
  ERANGE: 'result too large',
  ENAMETOOLONG: 'name too long',
  ENOTEMPTY: 'directory not empty',
  ELOOP: 'too many symbolic links encountered',
  ENOSYS: 'function not implemented',
  EOPNOTSUPP: 'operation not supported on socket',
};

/** True when `code` is an errno name this model knows. */
export function isErrnoCode(code: string): code is ErrnoCode {
  return Object.hasOwn(ERRNO, code);
}

/**
 * A failed system call, shaped like Node's `SystemError` from `node:fs`:
 * `code` ('ENOENT'), negative `errno` (-2), `syscall` ('stat'), `path`.
 */
export class FsError extends Error {
  /** Errno name, e.g. 'ENOENT'. */
  readonly code: ErrnoCode;
  /** Negative errno, as Node reports it (ENOENT -> -2). */
  readonly errno: number;
  /** The system call that failed ('stat', 'open', 'write', ...). */
  syscall: string;
  /** The path the call was given, when there was one. */
  path?: string;
  /** Extra detail on why the model refused (not part of Node's shape). */
  readonly detail?: string;

  constructor(code: ErrnoCode, syscall = '', path?: string, detail?: string) {
    super(FsError.format(code, syscall, path));
    this.name = 'FsError';
    this.code = code;
    this.errno = -ERRNO[code];
    this.syscall = syscall;
    if (path !== undefined) this.path = path;
    if (detail !== undefined) this.detail = detail;
  }

  /** Node's message layout: `ENOENT: no such file or directory, stat 'events/x'`. */
  static format(code: ErrnoCode, syscall: string, path?: string): string {
    let msg = `${code}: ${MESSAGES[code]}`;
    if (syscall) msg += `, ${syscall}`;
    if (path !== undefined) msg += ` '${path}'`;
    return msg;
  }

  /** The same error re-addressed to a system call and path (used as errors leave the VFS). */
  withContext(syscall: string, path?: string): FsError {
    return new FsError(this.code, syscall, path, this.detail);
  }
}

/** Shorthand used throughout the model: `throw fsErr('ENOENT')`. */
export function fsErr(code: ErrnoCode, detail?: string): FsError {
  return new FsError(code, '', undefined, detail);
}

/** What kind of kernel failure a `Violation` reports. */
export type ViolationKind =
  | 'uninitialized-read'
  | 'use-after-free'
  | 'unexpected-result'
  | 'bug'
  | 'deadlock'
  | 'refcount'
  | 'invariant';

/** A failure of the modelled kernel: our stand-in for a KASAN/KMSAN report, a BUG_ON or lockdep splat. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  /** The kernel function (or VFS step) where it happened, e.g. 'set_top_events_ownership'. */
  readonly site: string;
  /** The simulated CPU that hit it, when known. */
  readonly cpu?: number;
  /** The scheduler step at which it happened, when known. */
  readonly step?: number;
}

/**
 * Thrown inside the model when it detects a kernel failure; it unwinds the offending
 * operation like an oops kills the task. Drivers turn it into a `Violation` result
 * (simulator) or a `KernelBugError` (synchronous facade).
 */
export class ViolationSignal extends Error {
  constructor(readonly violation: Violation) {
    super(violation.message);
    this.name = 'ViolationSignal';
  }
}

/** What the synchronous facade throws when the modelled kernel fails (oops, BUG, deadlock). */
export class KernelBugError extends Error {
  constructor(readonly violation: Violation) {
    super(`${violation.kind} in ${violation.site}: ${violation.message}`);
    this.name = 'KernelBugError';
  }
}

/** Raise a kernel failure from inside the model. */
export function violation(kind: ViolationKind, site: string, message: string): never {
  throw new ViolationSignal({ kind, site, message });
}
