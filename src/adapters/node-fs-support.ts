/**
 * Plumbing for the `node:fs`-shaped adapter: the constants Node exposes on Linux, flag strings,
 * Node's argument errors (`ERR_INVALID_ARG_TYPE` and friends), path arguments, and byte/string
 * encodings. Everything here runs in a browser: no Node imports, no `Buffer`.
 *
 * @module
 */
import { ERRNO, FsError, type ErrnoCode } from '../vfs/errors';

/**
 * `fs.constants` as Node exposes them on Linux (x86-64 and arm64 share these values): access
 * modes, `O_*` open flags, `S_IF*` file types and permission bits, `COPYFILE_*`.
 */
export const constants = Object.freeze({
  F_OK: 0,
  R_OK: 4,
  W_OK: 2,
  X_OK: 1,
  O_RDONLY: 0,
  O_WRONLY: 1,
  O_RDWR: 2,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_NOCTTY: 0o400,
  O_TRUNC: 0o1000,
  O_APPEND: 0o2000,
  O_NONBLOCK: 0o4000,
  O_DSYNC: 0o10000,
  O_DIRECT: 0o40000,
  O_DIRECTORY: 0o200000,
  O_NOFOLLOW: 0o400000,
  O_NOATIME: 0o1000000,
  O_SYNC: 0o4010000,
  S_IFMT: 0o170000,
  S_IFREG: 0o100000,
  S_IFDIR: 0o040000,
  S_IFCHR: 0o020000,
  S_IFBLK: 0o060000,
  S_IFIFO: 0o010000,
  S_IFLNK: 0o120000,
  S_IFSOCK: 0o140000,
  S_IRWXU: 0o700,
  S_IRUSR: 0o400,
  S_IWUSR: 0o200,
  S_IXUSR: 0o100,
  S_IRWXG: 0o70,
  S_IRGRP: 0o40,
  S_IWGRP: 0o20,
  S_IXGRP: 0o10,
  S_IRWXO: 0o7,
  S_IROTH: 0o4,
  S_IWOTH: 0o2,
  S_IXOTH: 0o1,
  COPYFILE_EXCL: 1,
  COPYFILE_FICLONE: 2,
  COPYFILE_FICLONE_FORCE: 4,
  UV_FS_COPYFILE_EXCL: 1,
  UV_FS_COPYFILE_FICLONE: 2,
  UV_FS_COPYFILE_FICLONE_FORCE: 4,
  UV_FS_SYMLINK_DIR: 1,
  UV_FS_SYMLINK_JUNCTION: 2,
  UV_DIRENT_UNKNOWN: 0,
  UV_DIRENT_FILE: 1,
  UV_DIRENT_DIR: 2,
  UV_DIRENT_LINK: 3,
  UV_DIRENT_FIFO: 4,
  UV_DIRENT_SOCKET: 5,
  UV_DIRENT_CHAR: 6,
  UV_DIRENT_BLOCK: 7,
  UV_FS_O_FILEMAP: 0,
});

/** The type of {@link constants}. */
export type FsConstants = typeof constants;

const C = constants;

/** Node's flag strings (lib/internal/fs/utils.js stringToFlags). */
const FLAG_STRINGS: Readonly<Record<string, number>> = {
  r: C.O_RDONLY,
  rs: C.O_RDONLY | C.O_SYNC,
  sr: C.O_RDONLY | C.O_SYNC,
  'r+': C.O_RDWR,
  'rs+': C.O_RDWR | C.O_SYNC,
  'sr+': C.O_RDWR | C.O_SYNC,
  w: C.O_TRUNC | C.O_CREAT | C.O_WRONLY,
  wx: C.O_TRUNC | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
  xw: C.O_TRUNC | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
  'w+': C.O_TRUNC | C.O_CREAT | C.O_RDWR,
  'wx+': C.O_TRUNC | C.O_CREAT | C.O_RDWR | C.O_EXCL,
  'xw+': C.O_TRUNC | C.O_CREAT | C.O_RDWR | C.O_EXCL,
  a: C.O_APPEND | C.O_CREAT | C.O_WRONLY,
  ax: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
  xa: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
  as: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_SYNC,
  sa: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_SYNC,
  'a+': C.O_APPEND | C.O_CREAT | C.O_RDWR,
  'ax+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_EXCL,
  'xa+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_EXCL,
  'as+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_SYNC,
  'sa+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_SYNC,
};

/** Open flags as `fs.open` takes them: a Node flag string or a number of `O_*` bits. */
export type OpenFlagsArg = string | number;

/** Node's stringToFlags(): a flag string or number to `O_*` bits; `fallback` for null/undefined. */
export function flagsToNumber(flags: unknown, fallback: OpenFlagsArg = 'r'): number {
  const f = flags ?? fallback;
  if (typeof f === 'number') {
    if (!Number.isInteger(f)) throw invalidArgType('flags', 'of type number', f);
    return f;
  }
  if (typeof f === 'string' && Object.hasOwn(FLAG_STRINGS, f)) return FLAG_STRINGS[f]!;
  throw invalidArgValue('flags', f);
}

// ---------------------------------------------------------------------------------------------
// Node's argument errors.

/** An error carrying Node's `code` (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ...). */
export type NodeCodeError = Error & { code: string };

function codeError<E extends Error>(err: E, code: string): E & { code: string } {
  const e = err as E & { code: string };
  e.code = code;
  return e;
}

/** How Node prints a received value in its argument errors. */
export function describeReceived(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return `function ${(v as { name?: string }).name ?? ''}`;
  if (typeof v === 'object') {
    const ctor = (v as { constructor?: { name?: string } }).constructor?.name;
    return ctor !== undefined ? `an instance of ${ctor}` : 'an object';
  }
  if (typeof v === 'string') {
    const s = v.length > 28 ? `${v.slice(0, 25)}...` : v;
    return `type string ('${s}')`;
  }
  if (typeof v === 'symbol') return `type symbol (${v.toString()})`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    return `type ${typeof v} (${String(v)})`;
  }
  return `type ${typeof v}`;
}

/** ERR_INVALID_ARG_TYPE. */
export function invalidArgType(name: string, expected: string, got: unknown): NodeCodeError {
  return codeError(
    new TypeError(`The "${name}" argument must be ${expected}. Received ${describeReceived(got)}`),
    'ERR_INVALID_ARG_TYPE',
  );
}

/** ERR_INVALID_ARG_VALUE. */
export function invalidArgValue(name: string, got: unknown, reason = 'is invalid'): NodeCodeError {
  const shown = typeof got === 'string' ? `'${got}'` : describeReceived(got);
  return codeError(
    new TypeError(`The argument '${name}' ${reason}. Received ${shown}`),
    'ERR_INVALID_ARG_VALUE',
  );
}

/** ERR_OUT_OF_RANGE. */
export function outOfRange(name: string, range: string, got: unknown): NodeCodeError {
  return codeError(
    new RangeError(
      `The value of "${name}" is out of range. It must be ${range}. Received ${String(got as number)}`,
    ),
    'ERR_OUT_OF_RANGE',
  );
}

/** A plain Error with a Node code (ERR_DIR_CLOSED and the like). */
export function nodeError(code: string, message: string): NodeCodeError {
  return codeError(new Error(message), code);
}

/**
 * A Node `SystemError` for the checks Node itself makes (fs.rm on a directory without
 * `recursive`: code ERR_FS_EISDIR, positive errno, syscall 'rm').
 */
export function systemError(
  code: string,
  errnoCode: ErrnoCode,
  syscall: string,
  path: string,
  what: string,
  detail: string,
): NodeCodeError & { errno: number; syscall: string; path: string; info: object } {
  const err = codeError(
    new Error(`${what}: ${syscall} returned ${errnoCode} (${detail}) ${path}`),
    code,
  ) as NodeCodeError & { errno: number; syscall: string; path: string; info: object };
  err.name = 'SystemError';
  err.errno = ERRNO[errnoCode];
  err.syscall = syscall;
  err.path = path;
  err.info = { code: errnoCode, message: detail, path, syscall, errno: ERRNO[errnoCode] };
  return err;
}

/** An FsError as Node prints it, optionally with a `dest` (rename, link, symlink). */
export type FsErrorWithDest = FsError & { dest?: string };

/** A Node-shaped system call failure, with `dest` when the call had two paths. */
export function fsError(
  code: ErrnoCode,
  syscall: string,
  path?: string,
  dest?: string,
  detail?: string,
): FsErrorWithDest {
  const err: FsErrorWithDest = new FsError(code, syscall, path, detail);
  if (dest !== undefined) {
    err.dest = dest;
    err.message = `${FsError.format(code, syscall, path)} -> '${dest}'`;
  }
  return err;
}

/** Re-address a model error to the call and paths the caller used; anything else unchanged. */
export function readdress(e: unknown, syscall: string, path?: string, dest?: string): unknown {
  if (e instanceof FsError) return fsError(e.code, syscall, path, dest, e.detail);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Argument checks.

/** A `file:` URL, structurally (URL objects of browsers and Node both fit). */
export interface FileUrlLike {
  readonly href: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly pathname: string;
}

/** A path as `node:fs` takes it: a string, UTF-8 bytes, or a `file:` URL. */
export type PathArg = string | Uint8Array | FileUrlLike;

function isUrlLike(v: unknown): v is FileUrlLike {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { href?: unknown }).href === 'string' &&
    typeof (v as { protocol?: unknown }).protocol === 'string' &&
    typeof (v as { pathname?: unknown }).pathname === 'string'
  );
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** getValidatedPath(): the path as a string, with Node's errors for bad ones. */
export function pathString(p: unknown, name = 'path'): string {
  let s: string;
  if (typeof p === 'string') s = p;
  else if (p instanceof Uint8Array) s = utf8Decoder.decode(p);
  else if (isUrlLike(p)) {
    if (p.protocol !== 'file:') {
      throw codeError(new TypeError('The URL must be of scheme file'), 'ERR_INVALID_URL_SCHEME');
    }
    if (p.hostname !== '' && p.hostname !== 'localhost') {
      throw codeError(
        new TypeError(`File URL host must be "localhost" or empty on linux`),
        'ERR_INVALID_FILE_URL_HOST',
      );
    }
    if (/%2f/i.test(p.pathname)) {
      throw codeError(
        new TypeError('File URL path must not include encoded / characters'),
        'ERR_INVALID_FILE_URL_PATH',
      );
    }
    s = decodeURIComponent(p.pathname);
  } else {
    throw invalidArgType(name, 'of type string or an instance of Buffer or URL', p);
  }
  if (s.includes('\0')) {
    throw invalidArgValue(name, s, 'must be a string, Uint8Array, or URL without null bytes');
  }
  return s;
}

/** getValidatedFd(). */
export function checkFd(fd: unknown): number {
  if (typeof fd !== 'number') throw invalidArgType('fd', 'of type number', fd);
  if (!Number.isInteger(fd)) throw outOfRange('fd', 'an integer', fd);
  if (fd < 0 || fd > 0x7fffffff) throw outOfRange('fd', '>= 0 && <= 2147483647', fd);
  return fd;
}

/** validateInteger(). */
export function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number') throw invalidArgType(name, 'of type number', v);
  if (!Number.isInteger(v)) throw outOfRange(name, 'an integer', v);
  if (v < min || v > max) throw outOfRange(name, `>= ${min} && <= ${max}`, v);
  return v;
}

/** parseFileMode(): a number, or an octal string ('644'). */
export function fileMode(v: unknown, name: string, def: number): number {
  if (v === undefined || v === null) return def;
  if (typeof v === 'string') {
    if (!/^[0-7]+$/.test(v))
      throw invalidArgValue(name, v, 'must be a 32-bit unsigned integer or an octal string');
    return parseInt(v, 8);
  }
  return checkInt(name, v, 0, 0xffffffff);
}

/** validateFunction(). */
export function checkCallback(cb: unknown): (...args: unknown[]) => void {
  if (typeof cb !== 'function') throw invalidArgType('cb', 'of type function', cb);
  return cb as (...args: unknown[]) => void;
}

// ---------------------------------------------------------------------------------------------
// Encodings.

/** The encodings the adapter reads and writes (Node's BufferEncoding, 'buffer' for bytes). */
export type Encoding =
  | 'utf8'
  | 'utf-8'
  | 'ascii'
  | 'latin1'
  | 'binary'
  | 'hex'
  | 'base64'
  | 'base64url'
  | 'utf16le'
  | 'utf-16le'
  | 'ucs2'
  | 'ucs-2';

const ENCODINGS: ReadonlySet<string> = new Set([
  'utf8',
  'utf-8',
  'ascii',
  'latin1',
  'binary',
  'hex',
  'base64',
  'base64url',
  'utf16le',
  'utf-16le',
  'ucs2',
  'ucs-2',
]);

/** An encoding option, lower-cased and checked; undefined for 'buffer' or none. */
export function checkEncoding(enc: unknown): Encoding | undefined {
  if (enc === undefined || enc === null || enc === 'buffer') return undefined;
  if (typeof enc === 'string') {
    const e = enc.toLowerCase();
    if (ENCODINGS.has(e)) return e as Encoding;
  }
  throw invalidArgValue('encoding', enc, 'is invalid encoding');
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** A string from UTF-8 bytes (malformed sequences become U+FFFD, as Node's decoder does). */
export function fromUtf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** Bytes a string takes in UTF-8. */
export function utf8Length(s: string): number {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s.length : utf8Encoder.encode(s).length;
}

function latin1String(b: Uint8Array, mask: number): string {
  let out = '';
  for (let i = 0; i < b.length; i += 0x2000) {
    out += String.fromCharCode(...Array.from(b.subarray(i, i + 0x2000), (x) => x & mask));
  }
  return out;
}

/** Buffer#toString(encoding) without Buffer. */
export function decode(b: Uint8Array, enc: Encoding): string {
  switch (enc) {
    case 'utf8':
    case 'utf-8':
      return fromUtf8(b);
    case 'latin1':
    case 'binary':
      return latin1String(b, 0xff);
    case 'ascii':
      return latin1String(b, 0x7f);
    case 'hex':
      return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    case 'base64':
      return btoa(latin1String(b, 0xff));
    case 'base64url':
      return btoa(latin1String(b, 0xff)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    case 'utf16le':
    case 'utf-16le':
    case 'ucs2':
    case 'ucs-2':
      return new TextDecoder('utf-16le').decode(b.subarray(0, b.length & ~1));
  }
}

/** Buffer.from(string, encoding) without Buffer (Node's lenient parsing of hex and base64). */
export function encode(s: string, enc: Encoding): Uint8Array {
  switch (enc) {
    case 'utf8':
    case 'utf-8':
      return utf8(s);
    case 'latin1':
    case 'binary':
    case 'ascii':
      return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
    case 'hex': {
      const out: number[] = [];
      for (let i = 0; i + 1 < s.length; i += 2) {
        const v = parseInt(s.slice(i, i + 2), 16);
        if (!/^[0-9a-f]{2}$/i.test(s.slice(i, i + 2))) break;
        out.push(v);
      }
      return Uint8Array.from(out);
    }
    case 'base64':
    case 'base64url': {
      let t = s
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .replace(/[^A-Za-z0-9+/]/g, '');
      if (t.length % 4 === 1) t = t.slice(0, -1);
      t = t.padEnd(Math.ceil(t.length / 4) * 4, '=');
      return Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
    }
    case 'utf16le':
    case 'utf-16le':
    case 'ucs2':
    case 'ucs-2': {
      const out = new Uint8Array(s.length * 2);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        out[2 * i] = c & 0xff;
        out[2 * i + 1] = c >> 8;
      }
      return out;
    }
  }
}

/** The bytes of any ArrayBufferView (Buffer, Uint8Array, DataView, other typed arrays). */
export function viewBytes(v: ArrayBufferView): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** Data as writeFile takes it: a string or any ArrayBufferView. */
export function dataBytes(data: unknown, enc: Encoding | undefined): Uint8Array {
  if (typeof data === 'string') return encode(data, enc ?? 'utf8');
  if (ArrayBuffer.isView(data)) return viewBytes(data);
  throw invalidArgType(
    'data',
    'of type string or an instance of Buffer, TypedArray, or DataView',
    data,
  );
}
