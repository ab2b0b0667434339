/**
 * Path-string checks done before any walking (getname() and the component loop of
 * link_path_walk()): type, NUL bytes, PATH_MAX, NAME_MAX per component.
 */
import { fsErr } from './errors';

/** NAME_MAX: bytes in one component. */
export const NAME_MAX = 255;
/** PATH_MAX: bytes in a path, including the terminating NUL. */
export const PATH_MAX = 4096;

const encoder = new TextEncoder();

/** Bytes a string takes in UTF-8, as the kernel sees a name. */
export function byteLength(s: string): number {
  // Fast path: pure ASCII is the common case in tracefs.
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s.length;
  return encoder.encode(s).length;
}

/** A parsed path: components, and whether it ended in '/'. */
export interface ParsedPath {
  readonly components: readonly string[];
  readonly trailingSlash: boolean;
}

/**
 * Validate and split a path relative to the mount root. A leading '/' means the same root.
 * Throws TypeError for a non-string (Node's ERR_INVALID_ARG_TYPE), FsError otherwise.
 */
export function parsePath(path: unknown): ParsedPath {
  if (typeof path !== 'string') {
    const e = new TypeError(
      `The "path" argument must be of type string. Received ${describe(path)}`,
    );
    (e as TypeError & { code: string }).code = 'ERR_INVALID_ARG_TYPE';
    throw e;
  }
  if (path.includes('\0')) throw fsErr('EINVAL', 'path contains a NUL byte');
  // getname(): an empty name is ENOENT.
  if (path.length === 0) throw fsErr('ENOENT', 'empty path');
  if (byteLength(path) >= PATH_MAX) throw fsErr('ENAMETOOLONG', 'path longer than PATH_MAX');
  const components: string[] = [];
  for (const c of path.split('/')) {
    if (c.length === 0) continue;
    if (c.length > NAME_MAX || byteLength(c) > NAME_MAX) {
      throw fsErr('ENAMETOOLONG', `component '${c.slice(0, 16)}...' longer than NAME_MAX`);
    }
    components.push(c);
  }
  return { components, trailingSlash: path.endsWith('/') };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'object':
      return `an instance of ${v.constructor.name}`;
    case 'function':
      return 'function';
    case 'symbol':
      return `type symbol (${v.toString()})`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `type ${typeof v} (${String(v)})`;
    default:
      return `type ${typeof v}`;
  }
}
