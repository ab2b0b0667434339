import { describe, expect, it } from 'vitest';
import { FsError } from '../../src/vfs/errors';
import { byteLength, NAME_MAX, parsePath, PATH_MAX } from '../../src/vfs/path';
import { fsErrorOf } from './toyfs';

describe('parsePath', () => {
  it('exports the kernel limits', () => {
    expect(NAME_MAX).toBe(255);
    expect(PATH_MAX).toBe(4096);
  });

  it('splits a relative path into components', () => {
    expect(parsePath('a/b/c')).toEqual({ components: ['a', 'b', 'c'], trailingSlash: false });
  });

  it('treats a leading / as the same root', () => {
    expect(parsePath('/a/b')).toEqual(parsePath('a/b'));
    expect(parsePath('/')).toEqual({ components: [], trailingSlash: true });
    expect(parsePath('///')).toEqual({ components: [], trailingSlash: true });
  });

  it('skips empty components (a//b)', () => {
    expect(parsePath('a//b').components).toEqual(['a', 'b']);
    expect(parsePath('//a///b//c').components).toEqual(['a', 'b', 'c']);
  });

  it("keeps '.' and '..' as components for the walk to interpret", () => {
    expect(parsePath('a/./b/../c').components).toEqual(['a', '.', 'b', '..', 'c']);
    expect(parsePath('..').components).toEqual(['..']);
    expect(parsePath('.').components).toEqual(['.']);
    expect(parsePath('...').components).toEqual(['...']);
  });

  it('flags a trailing slash', () => {
    expect(parsePath('a/b/')).toEqual({ components: ['a', 'b'], trailingSlash: true });
    expect(parsePath('a/b//').trailingSlash).toBe(true);
    expect(parsePath('a/b').trailingSlash).toBe(false);
    expect(parsePath('a/.').trailingSlash).toBe(false);
  });

  it('rejects a NUL byte with EINVAL', () => {
    const e = fsErrorOf(() => parsePath('a\0b'));
    expect(e.code).toBe('EINVAL');
    expect(e.errno).toBe(-22);
    expect(fsErrorOf(() => parsePath('\0')).code).toBe('EINVAL');
  });

  it('rejects the empty string with ENOENT (getname)', () => {
    const e = fsErrorOf(() => parsePath(''));
    expect(e).toBeInstanceOf(FsError);
    expect(e.code).toBe('ENOENT');
    expect(e.errno).toBe(-2);
  });

  it('accepts a 255-byte component and rejects 256 bytes with ENAMETOOLONG', () => {
    expect(parsePath('x'.repeat(255)).components).toEqual(['x'.repeat(255)]);
    expect(parsePath(`a/${'x'.repeat(255)}/b`).components).toHaveLength(3);
    expect(fsErrorOf(() => parsePath('x'.repeat(256))).code).toBe('ENAMETOOLONG');
    expect(fsErrorOf(() => parsePath(`a/${'x'.repeat(256)}/b`)).code).toBe('ENAMETOOLONG');
    expect(fsErrorOf(() => parsePath(`a/${'x'.repeat(256)}/`)).code).toBe('ENAMETOOLONG');
  });

  it('counts multibyte UTF-8 in bytes, not UTF-16 code units', () => {
    // 'é' is 2 bytes, '€' is 3, '😀' is 4 bytes (2 UTF-16 code units).
    expect(byteLength('é')).toBe(2);
    expect(byteLength('€')).toBe(3);
    expect(byteLength('😀')).toBe(4);
    expect(byteLength('abc')).toBe(3);
    // 127 * 2 = 254 bytes + 1 = 255: fine; 128 * 2 = 256 bytes: too long though only 128 chars.
    expect(parsePath('é'.repeat(127) + 'x').components).toHaveLength(1);
    expect(fsErrorOf(() => parsePath('é'.repeat(128))).code).toBe('ENAMETOOLONG');
    // 85 * 3 = 255 bytes ok, 86 * 3 = 258 not.
    expect(parsePath('€'.repeat(85)).components).toHaveLength(1);
    expect(fsErrorOf(() => parsePath('€'.repeat(86))).code).toBe('ENAMETOOLONG');
    // 63 * 4 = 252 bytes (126 code units) ok, 64 * 4 = 256 bytes (128 code units) not.
    expect(parsePath('😀'.repeat(63)).components).toHaveLength(1);
    expect(fsErrorOf(() => parsePath('😀'.repeat(64))).code).toBe('ENAMETOOLONG');
  });

  it('rejects a path of PATH_MAX (4096) bytes or more with ENAMETOOLONG, 4095 is fine', () => {
    // 16 components of 255 bytes joined by '/' = 4095 bytes.
    const ok = Array.from({ length: 16 }, () => 'y'.repeat(255)).join('/');
    expect(byteLength(ok)).toBe(4095);
    expect(parsePath(ok).components).toHaveLength(16);
    expect(fsErrorOf(() => parsePath(`${ok}/`)).code).toBe('ENAMETOOLONG');
    expect(fsErrorOf(() => parsePath('/'.repeat(4096))).code).toBe('ENAMETOOLONG');
    expect(parsePath('/'.repeat(4095)).components).toEqual([]);
    // Multibyte: 2048 'é' are 2048 code units but 4096 bytes.
    const multi = Array.from({ length: 16 }, () => 'é'.repeat(127)).join('/');
    expect(multi.length).toBeLessThan(4096);
    expect(byteLength(multi)).toBe(16 * 254 + 15);
    expect(parsePath(multi).components).toHaveLength(16);
    const tooLong = Array.from({ length: 17 }, () => 'é'.repeat(127)).join('/');
    expect(tooLong.length).toBeLessThan(4096);
    expect(fsErrorOf(() => parsePath(tooLong)).code).toBe('ENAMETOOLONG');
  });

  it('throws TypeError for a non-string, like Node ERR_INVALID_ARG_TYPE', () => {
    for (const v of [undefined, null, 42, {}, [], Buffer.from('a'), () => 'a', Symbol('s'), 1n]) {
      expect(() => parsePath(v)).toThrow(TypeError);
    }
    expect(() => parsePath(42)).toThrow(
      'The "path" argument must be of type string. Received type number (42)',
    );
    expect(() => parsePath(null)).toThrow('Received null');
    expect(() => parsePath(undefined)).toThrow('Received undefined');
    expect(() => parsePath(new Map())).toThrow('Received an instance of Map');
  });

  it('checks NUL before emptiness and length', () => {
    expect(fsErrorOf(() => parsePath('\0'.repeat(5000))).code).toBe('EINVAL');
  });
});
