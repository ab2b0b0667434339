/**
 * createFs(): the node:fs-shaped adapter over a mount, call by call: shapes (Stats, Dirent, Dir,
 * FileHandle), descriptors and offsets, errors as Node reports them (code, negative errno,
 * syscall, path as given), the sync, callback and promise forms.
 */
import { describe, expect, it } from 'vitest';
import {
  BigIntStats,
  createCatalog,
  createFs,
  Dir,
  Dirent,
  FsError,
  fsConstants,
  mount,
  simpleFileOps,
  Stats,
  type CreateFsOptions,
  type Tracefs,
  type TracefsNodeFs,
} from '../../src/index';

const CATALOG = createCatalog([
  { name: 'demo', events: [{ name: 'tick' }, { name: 'tock' }] },
  { name: 'sched', events: [{ name: 'sched_switch' }] },
]);
const R = '/sys/kernel/tracing';
const TICK = `${R}/events/demo/tick`;
const SET_EVENT = `${R}/set_event`;

function setup(options: CreateFsOptions = { root: R }): { tracefs: Tracefs; fs: TracefsNodeFs } {
  const tracefs = mount({ catalog: CATALOG });
  return { tracefs, fs: createFs(tracefs, options) };
}

interface Caught {
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  dest?: string;
  message: string;
  error: unknown;
}

function caught(fn: () => unknown): Caught {
  try {
    fn();
  } catch (e) {
    const x = e as Omit<Caught, 'error'>;
    return { ...x, message: x.message, error: e };
  }
  throw new Error('expected an error');
}

async function rejected(p: Promise<unknown>): Promise<Caught> {
  try {
    await p;
  } catch (e) {
    return caught(() => {
      throw e;
    });
  }
  throw new Error('expected a rejection');
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('stat, lstat, fstat', () => {
  it('snapshots the inode in Node Stats shape, with fixed times', () => {
    const { tracefs, fs } = setup({ root: R, dev: 42, timeMs: 1_700_000_000_000 });
    const st = fs.statSync(SET_EVENT);
    const model = tracefs.stat('set_event');
    expect(st).toBeInstanceOf(Stats);
    expect(st).toMatchObject({
      dev: 42,
      ino: model.ino,
      mode: model.mode,
      nlink: model.nlink,
      uid: 0,
      gid: 0,
      rdev: 0,
      size: 0,
      blksize: 4096,
      blocks: 0,
      atimeMs: 1_700_000_000_000,
      mtimeMs: 1_700_000_000_000,
      ctimeMs: 1_700_000_000_000,
      birthtimeMs: 1_700_000_000_000,
    });
    expect(st.mtime.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(Object.keys(st)).toEqual([
      'dev',
      'mode',
      'nlink',
      'uid',
      'gid',
      'rdev',
      'blksize',
      'ino',
      'size',
      'blocks',
      'atimeMs',
      'mtimeMs',
      'ctimeMs',
      'birthtimeMs',
      'atime',
      'mtime',
      'ctime',
      'birthtime',
    ]);
    expect([st.isFile(), st.isDirectory(), st.isSymbolicLink(), st.isFIFO()]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect([st.isSocket(), st.isBlockDevice(), st.isCharacterDevice()]).toEqual([
      false,
      false,
      false,
    ]);
    const dir = fs.statSync(`${R}/events`);
    expect([dir.isDirectory(), dir.isFile()]).toEqual([true, false]);
    expect(fs.statSync(R).mode).toBe(fsConstants.S_IFDIR | 0o700);
  });

  it('timestamps default to the epoch', () => {
    const { fs } = setup();
    expect(fs.statSync(R).mtimeMs).toBe(0);
    expect(fs.statSync(R).birthtime.getTime()).toBe(0);
  });

  it('lstat is stat (tracefs has no symlinks) but reports lstat', () => {
    const { fs } = setup();
    expect(fs.lstatSync(`${TICK}/enable`)).toEqual(fs.statSync(`${TICK}/enable`));
    expect(caught(() => fs.lstatSync(`${R}/nope`))).toMatchObject({
      code: 'ENOENT',
      errno: -2,
      syscall: 'lstat',
      path: `${R}/nope`,
      message: `ENOENT: no such file or directory, lstat '${R}/nope'`,
    });
  });

  it('errors are the model FsError with the path as given', () => {
    const { fs } = setup();
    const e = caught(() => fs.statSync(`${R}/events/nope`));
    expect(e.error).toBeInstanceOf(FsError);
    expect(e).toMatchObject({
      code: 'ENOENT',
      errno: -2,
      syscall: 'stat',
      path: `${R}/events/nope`,
    });
    expect(caught(() => fs.statSync(`${SET_EVENT}/x`))).toMatchObject({
      code: 'ENOTDIR',
      syscall: 'stat',
    });
    expect(caught(() => fs.statSync(`${SET_EVENT}/`)).code).toBe('ENOTDIR');
  });

  it('throwIfNoEntry: false gives undefined for ENOENT only', () => {
    const { fs } = setup();
    expect(fs.statSync(`${R}/nope`, { throwIfNoEntry: false })).toBeUndefined();
    expect(fs.lstatSync(`${R}/nope`, { throwIfNoEntry: false })).toBeUndefined();
    expect(caught(() => fs.statSync(`${SET_EVENT}/x`, { throwIfNoEntry: false })).code).toBe(
      'ENOTDIR',
    );
    expect(fs.statSync(SET_EVENT, { throwIfNoEntry: false })?.isFile()).toBe(true);
  });

  it('bigint: true gives BigIntStats with nanosecond times', () => {
    const { fs } = setup({ root: R, timeMs: 1500 });
    const st = fs.statSync(SET_EVENT, { bigint: true });
    expect(st).toBeInstanceOf(BigIntStats);
    expect(st.mode).toBe(BigInt(fs.statSync(SET_EVENT).mode));
    expect(st.mtimeNs).toBe(1_500_000_000n);
    expect(st.isFile()).toBe(true);
  });

  it('fstat reads the open file, and EBADF once closed', () => {
    const { fs } = setup();
    const fd = fs.openSync(`${TICK}/format`, 'r');
    expect(fs.fstatSync(fd)).toEqual(fs.statSync(`${TICK}/format`));
    fs.closeSync(fd);
    expect(caught(() => fs.fstatSync(fd))).toMatchObject({
      code: 'EBADF',
      errno: -9,
      syscall: 'fstat',
      path: undefined,
    });
  });
});

describe('access and exists', () => {
  it('checks generic_permission() like tracefs_permission()', () => {
    const { fs } = setup();
    const { F_OK, R_OK, W_OK, X_OK } = fs.constants;
    expect(() => {
      fs.accessSync(`${TICK}/format`);
    }).not.toThrow();
    expect(() => {
      fs.accessSync(`${TICK}/format`, R_OK | W_OK);
    }).not.toThrow();
    // CAP_DAC_OVERRIDE does not grant exec on a file without any x bit.
    expect(
      caught(() => {
        fs.accessSync(`${TICK}/format`, X_OK);
      }),
    ).toMatchObject({
      code: 'EACCES',
      syscall: 'access',
      path: `${TICK}/format`,
    });
    expect(() => {
      fs.accessSync(`${R}/events`, X_OK);
    }).not.toThrow();
    expect(
      caught(() => {
        fs.accessSync(`${R}/nope`, F_OK);
      }),
    ).toMatchObject({
      code: 'ENOENT',
      syscall: 'access',
    });
    expect(
      caught(() => {
        fs.accessSync(SET_EVENT, 8);
      }).code,
    ).toBe('ERR_OUT_OF_RANGE');
  });

  it('follows the mount options for other users', () => {
    const tracefs = mount({ catalog: CATALOG, mode: 0o755 });
    const user = createFs(tracefs, { root: R, cred: { uid: 1000, gid: 1000 } });
    const { R_OK, W_OK, X_OK } = user.constants;
    expect(() => {
      user.accessSync(R, R_OK | X_OK);
    }).not.toThrow();
    expect(user.accessSync.bind(null, R, W_OK)).toThrow(/EACCES/);
    // set_event is 0640 root:root.
    expect(
      caught(() => {
        user.accessSync(SET_EVENT, R_OK);
      }).code,
    ).toBe('EACCES');
    tracefs.chown('set_event', 0, 1000);
    expect(() => {
      user.accessSync(SET_EVENT, R_OK);
    }).not.toThrow();
    expect(
      caught(() => {
        user.accessSync(SET_EVENT, W_OK);
      }).code,
    ).toBe('EACCES');
  });

  it('existsSync is false for anything that fails', () => {
    const { fs } = setup();
    expect(fs.existsSync(R)).toBe(true);
    expect(fs.existsSync(`${R}/`)).toBe(true);
    expect(fs.existsSync(SET_EVENT)).toBe(true);
    expect(fs.existsSync(`${SET_EVENT}/`)).toBe(false);
    expect(fs.existsSync(`${R}/nope`)).toBe(false);
    expect(fs.existsSync('/etc/passwd')).toBe(false);
    expect(fs.existsSync(42)).toBe(false);
    expect(fs.existsSync(`${R}\0`)).toBe(false);
  });
});

describe('readdir and opendir', () => {
  it('lists names without . and ..', () => {
    const { tracefs, fs } = setup();
    const model = tracefs
      .readdir('events/demo')
      .map((d) => d.name)
      .filter((n) => n !== '.' && n !== '..');
    expect(fs.readdirSync(`${R}/events/demo`)).toEqual(model);
    expect(fs.readdirSync(`${R}/events/demo`).sort()).toEqual(['enable', 'filter', 'tick', 'tock']);
  });

  it('withFileTypes gives Dirents with parentPath as given', () => {
    const { fs } = setup();
    const ents = fs.readdirSync(`${R}/events/demo/`, { withFileTypes: true });
    const tick = ents.find((d) => d.name === 'tick')!;
    expect(tick).toBeInstanceOf(Dirent);
    expect(tick.parentPath).toBe(`${R}/events/demo/`);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the alias Node still has
    expect(tick.path).toBe(tick.parentPath);
    expect([tick.isDirectory(), tick.isFile(), tick.isSymbolicLink()]).toEqual([
      true,
      false,
      false,
    ]);
    const enable = ents.find((d) => d.name === 'enable')!;
    expect([enable.isDirectory(), enable.isFile()]).toEqual([false, true]);
    expect(Object.keys(tick)).toEqual(['name', 'parentPath']);
  });

  it('recursive lists every level, queue order, relative paths', () => {
    const { fs } = setup();
    const all = fs.readdirSync(`${R}/events`, { recursive: true });
    expect(all).toContain('demo/tick/enable');
    expect(all).toContain('sched/sched_switch/format');
    expect(all.indexOf('demo')).toBeLessThan(all.indexOf('demo/tick'));
    expect(all.indexOf('sched')).toBeLessThan(all.indexOf('demo/tick'));
    const typed = fs.readdirSync(`${R}/events`, { recursive: true, withFileTypes: true });
    expect(typed).toHaveLength(all.length);
    expect(typed.find((d) => d.name === 'sched_switch')!.parentPath).toBe(`${R}/events/sched`);
  });

  it('reports scandir with the path as given', () => {
    const { fs } = setup();
    expect(caught(() => fs.readdirSync(SET_EVENT))).toMatchObject({
      code: 'ENOTDIR',
      errno: -20,
      syscall: 'scandir',
      path: SET_EVENT,
      message: `ENOTDIR: not a directory, scandir '${SET_EVENT}'`,
    });
    expect(caught(() => fs.readdirSync(`${R}/nope`)).code).toBe('ENOENT');
  });

  it('readdir encodings: buffer and hex names', () => {
    const { fs } = setup();
    const bytes: Uint8Array[] = fs.readdirSync(`${R}/events/demo`, { encoding: 'buffer' });
    expect(bytes.map(text).sort()).toEqual(['enable', 'filter', 'tick', 'tock']);
    expect(fs.readdirSync(`${R}/events/demo`, 'hex')).toContain('7469636b');
  });

  it('opendir reads one entry at a time and closes once', async () => {
    const { fs } = setup();
    const dir = fs.opendirSync(`${R}/events/demo`);
    expect(dir).toBeInstanceOf(Dir);
    expect(dir.path).toBe(`${R}/events/demo`);
    const names: string[] = [];
    for (let d = dir.readSync(); d !== null; d = dir.readSync()) names.push(d.name);
    expect(names.sort()).toEqual(['enable', 'filter', 'tick', 'tock']);
    expect(dir.readSync()).toBeNull();
    expect(await dir.read()).toBeNull();
    dir.closeSync();
    expect(
      caught(() => {
        dir.closeSync();
      }).code,
    ).toBe('ERR_DIR_CLOSED');
    expect(caught(() => dir.readSync()).code).toBe('ERR_DIR_CLOSED');
    expect((await rejected(dir.close())).code).toBe('ERR_DIR_CLOSED');
  });

  it('opendir iterates with for await and closes at the end', async () => {
    const { fs } = setup();
    const dir = await fs.promises.opendir(`${R}/events`);
    const names: string[] = [];
    for await (const d of dir) names.push(d.name);
    expect(names).toContain('demo');
    expect(caught(() => dir.readSync()).code).toBe('ERR_DIR_CLOSED');
    const early = fs.opendirSync(`${R}/events`);
    for await (const d of early) {
      expect(d.name).toBeTypeOf('string');
      break;
    }
    expect(caught(() => early.readSync()).code).toBe('ERR_DIR_CLOSED');
  });

  it('opendir on a file is ENOTDIR from opendir', () => {
    const { fs } = setup();
    expect(caught(() => fs.opendirSync(SET_EVENT))).toMatchObject({
      code: 'ENOTDIR',
      syscall: 'opendir',
      path: SET_EVENT,
    });
  });
});

describe('readFile, writeFile, appendFile', () => {
  it('utf8 gives a string, no encoding a Uint8Array (not a Buffer)', () => {
    const { tracefs, fs } = setup();
    const s = fs.readFileSync(`${TICK}/format`, 'utf8');
    expect(s).toBe(tracefs.readFile('events/demo/tick/format'));
    expect(fs.readFileSync(`${TICK}/format`, { encoding: 'utf-8' })).toBe(s);
    const b = fs.readFileSync(`${TICK}/format`);
    expect(b).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(b)).toBe(false);
    expect(text(b)).toBe(s);
    expect(fs.readFileSync(`${TICK}/id`, 'hex')).toBe(
      Buffer.from(tracefs.readFile('events/demo/tick/id')).toString('hex'),
    );
    expect(fs.readFileSync(`${TICK}/id`, 'base64')).toBe(
      Buffer.from(tracefs.readFile('events/demo/tick/id')).toString('base64'),
    );
  });

  it('toBuffer makes Buffers for code that wants them', () => {
    const { fs } = setup({
      root: R,
      toBuffer: (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    });
    const b = fs.readFileSync(`${TICK}/id`);
    expect(Buffer.isBuffer(b)).toBe(true);
    expect((b as Buffer).toString('utf8')).toMatch(/^\d+\n$/);
  });

  it('open errors say open, read errors say read without a path', () => {
    const { fs } = setup();
    expect(caught(() => fs.readFileSync(`${R}/nope`, 'utf8'))).toMatchObject({
      code: 'ENOENT',
      syscall: 'open',
      path: `${R}/nope`,
    });
    expect(caught(() => fs.readFileSync(`${R}/events`))).toMatchObject({
      code: 'EISDIR',
      syscall: 'read',
      path: undefined,
      message: 'EISDIR: illegal operation on a directory, read',
    });
    expect(fs.openFds()).toEqual([]);
  });

  it('writeFile opens with O_TRUNC (clearing set_event), appendFile does not', () => {
    const { fs } = setup();
    fs.writeFileSync(SET_EVENT, 'demo:tick\n');
    fs.appendFileSync(SET_EVENT, 'demo:tock\n');
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('demo:tick\ndemo:tock\n');
    fs.writeFileSync(SET_EVENT, 'sched:sched_switch');
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('sched:sched_switch\n');
    fs.writeFileSync(SET_EVENT, '');
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('');
  });

  it('enable files take a write of "1"', () => {
    const { fs } = setup();
    fs.writeFileSync(`${TICK}/enable`, '1');
    expect(fs.readFileSync(`${TICK}/enable`, 'utf8')).toBe('1\n');
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('demo:tick\n');
    fs.writeFileSync(`${TICK}/enable`, new TextEncoder().encode('0'));
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('');
  });

  it('a refused write is the model errno from write', () => {
    const { fs } = setup();
    expect(
      caught(() => {
        fs.writeFileSync(`${TICK}/enable`, '7');
      }),
    ).toMatchObject({
      code: 'EINVAL',
      syscall: 'write',
      path: undefined,
    });
    expect(
      caught(() => {
        fs.writeFileSync(`${R}/events`, '1');
      }),
    ).toMatchObject({
      code: 'EISDIR',
      syscall: 'open',
      path: `${R}/events`,
    });
    expect(fs.openFds()).toEqual([]);
  });

  it('readFile and writeFile take descriptors, at their offsets', () => {
    const { tracefs, fs } = setup();
    const fd = fs.openSync(`${TICK}/format`, 'r');
    const b = new Uint8Array(6);
    fs.readSync(fd, b);
    expect(fs.readFileSync(fd, 'utf8')).toBe(tracefs.readFile('events/demo/tick/format').slice(6));
    fs.closeSync(fd);
    const w = fs.openSync(`${TICK}/enable`, 'w');
    fs.writeFileSync(w, '1');
    fs.closeSync(w);
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('demo:tick\n');
  });
});

describe('descriptors', () => {
  it('numbers from 3 up, lowest free first', () => {
    const { fs } = setup();
    const a = fs.openSync(SET_EVENT);
    const b = fs.openSync(`${TICK}/format`);
    const c = fs.openSync(`${R}/events`);
    expect([a, b, c]).toEqual([3, 4, 5]);
    fs.closeSync(b);
    expect(fs.openSync(`${TICK}/id`)).toBe(4);
    expect(fs.openFds()).toEqual([3, 4, 5]);
    for (const fd of fs.openFds()) fs.closeSync(fd);
    expect(fs.openFds()).toEqual([]);
  });

  it('each adapter has its own table', () => {
    const { tracefs, fs } = setup();
    const other = createFs(tracefs, { root: R });
    expect(fs.openSync(SET_EVENT)).toBe(3);
    expect(other.openSync(SET_EVENT)).toBe(3);
  });

  it('takes flag strings and O_* numbers', () => {
    const { fs } = setup();
    const { O_RDONLY, O_WRONLY, O_RDWR, O_DIRECTORY, O_CREAT, O_EXCL } = fs.constants;
    for (const flags of ['r', 'rs', 'r+', 'w', 'w+', 'a', 'a+', O_RDONLY, O_WRONLY, O_RDWR]) {
      fs.closeSync(fs.openSync(`${TICK}/enable`, flags));
    }
    expect(caught(() => fs.openSync(SET_EVENT, 'zz')).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(caught(() => fs.openSync(SET_EVENT, O_RDONLY | O_DIRECTORY))).toMatchObject({
      code: 'ENOTDIR',
      syscall: 'open',
    });
    fs.closeSync(fs.openSync(`${R}/events`, O_RDONLY | O_DIRECTORY));
    expect(caught(() => fs.openSync(SET_EVENT, 'wx')).code).toBe('EEXIST');
    expect(caught(() => fs.openSync(SET_EVENT, O_WRONLY | O_CREAT | O_EXCL)).code).toBe('EEXIST');
    expect(caught(() => fs.openSync(`${SET_EVENT}/`, 'wx')).code).toBe('EISDIR');
    expect(fs.openFds()).toEqual([]);
  });

  it('creating is EACCES (no ->create), opening a missing file ENOENT', () => {
    const { fs } = setup();
    // lookup_open(): O_CREAT on a negative dentry of a directory without ->create.
    expect(caught(() => fs.openSync(`${R}/newfile`, 'w'))).toMatchObject({
      code: 'EACCES',
      syscall: 'open',
      path: `${R}/newfile`,
    });
    expect(caught(() => fs.openSync(`${R}/newfile`, 'r')).code).toBe('ENOENT');
    expect(caught(() => fs.openSync(`${R}/newfile`, fs.constants.O_WRONLY)).code).toBe('ENOENT');
  });

  it('O_WRONLY without O_TRUNC leaves set_event alone; O_TRUNC clears it', () => {
    const { fs } = setup();
    fs.writeFileSync(`${TICK}/enable`, '1');
    const { O_WRONLY, O_TRUNC } = fs.constants;
    fs.closeSync(fs.openSync(SET_EVENT, O_WRONLY));
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('demo:tick\n');
    fs.closeSync(fs.openSync(SET_EVENT, O_WRONLY | O_TRUNC));
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('');
  });

  it('read advances the offset; an explicit position does not move it', () => {
    const { tracefs, fs } = setup();
    const whole = tracefs.readFile('events/demo/tick/format');
    const fd = fs.openSync(`${TICK}/format`, 'r');
    const b = new Uint8Array(10);
    expect(fs.readSync(fd, b, 0, 10, null)).toBe(10);
    expect(text(b)).toBe(whole.slice(0, 10));
    expect(fs.readSync(fd, b, 0, 4, 2)).toBe(4);
    expect(text(b.subarray(0, 4))).toBe(whole.slice(2, 6));
    expect(fs.readSync(fd, b, { position: 1n as unknown as number, length: 3 })).toBe(3);
    expect(text(b.subarray(0, 3))).toBe(whole.slice(1, 4));
    expect(fs.readSync(fd, b, 0, 10, null)).toBe(10);
    expect(text(b)).toBe(whole.slice(10, 20));
    expect(fs.readSync(fd, b, 0, 10, whole.length + 5)).toBe(0);
    expect(fs.readSync(fd, b, 5, 0, null)).toBe(0);
    const rest = new Uint8Array(whole.length);
    expect(fs.readSync(fd, rest)).toBe(whole.length - 20);
    expect(fs.readSync(fd, rest)).toBe(0);
    fs.closeSync(fd);
  });

  it('read offsets and lengths are checked like Node', () => {
    const { fs } = setup();
    const fd = fs.openSync(SET_EVENT, 'r');
    const b = new Uint8Array(4);
    expect(caught(() => fs.readSync(fd, b, 0, 5, null)).code).toBe('ERR_OUT_OF_RANGE');
    expect(caught(() => fs.readSync(fd, b, 5, 1, null)).code).toBe('ERR_OUT_OF_RANGE');
    expect(caught(() => fs.readSync(fd, 'x' as unknown as Uint8Array)).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
    expect(caught(() => fs.readSync('3' as unknown as number, b)).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
    expect(caught(() => fs.readSync(-1, b)).code).toBe('ERR_OUT_OF_RANGE');
    fs.closeSync(fd);
  });

  it('EBADF for the wrong direction, unknown and closed descriptors', () => {
    const { fs } = setup();
    const w = fs.openSync(`${TICK}/enable`, 'w');
    expect(caught(() => fs.readSync(w, new Uint8Array(4)))).toMatchObject({
      code: 'EBADF',
      syscall: 'read',
      path: undefined,
    });
    expect(caught(() => fs.readSync(w, new Uint8Array(4), 0, 4, 0)).code).toBe('EBADF');
    const r = fs.openSync(`${TICK}/enable`, 'r');
    expect(caught(() => fs.writeSync(r, '1'))).toMatchObject({ code: 'EBADF', syscall: 'write' });
    expect(caught(() => fs.writeSync(99, '1'))).toMatchObject({ code: 'EBADF', syscall: 'write' });
    fs.closeSync(r);
    fs.closeSync(w);
    expect(
      caught(() => {
        fs.closeSync(w);
      }),
    ).toMatchObject({
      code: 'EBADF',
      errno: -9,
      syscall: 'close',
      message: 'EBADF: bad file descriptor, close',
    });
    expect(caught(() => fs.readSync(r, new Uint8Array(1))).code).toBe('EBADF');
  });

  it('a directory descriptor reads EISDIR', () => {
    const { fs } = setup();
    const d = fs.openSync(`${R}/events`, 'r');
    expect(caught(() => fs.readSync(d, new Uint8Array(8)))).toMatchObject({
      code: 'EISDIR',
      syscall: 'read',
    });
    expect(fs.fstatSync(d).isDirectory()).toBe(true);
    fs.closeSync(d);
  });

  it('write takes strings and buffers and returns bytes written', () => {
    const { fs } = setup();
    const fd = fs.openSync(`${TICK}/enable`, 'w');
    expect(fs.writeSync(fd, '1')).toBe(1);
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('demo:tick\n');
    expect(fs.writeSync(fd, new TextEncoder().encode('xx0xx'), 2, 1)).toBe(1);
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('');
    expect(fs.writeSync(fd, new TextEncoder().encode('1'), { offset: 0, length: 1 })).toBe(1);
    expect(fs.writeSync(fd, new Uint16Array([0x0a31]).subarray(0, 1), 0, 1)).toBe(1);
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('demo:tick\n');
    // vfs_write() calls ->write for zero bytes too; kstrtoul() finds no digits.
    expect(caught(() => fs.writeSync(fd, '', null))).toMatchObject({
      code: 'EINVAL',
      syscall: 'write',
    });
    fs.closeSync(fd);
  });

  it('r+ reads and writes through one offset', () => {
    const { fs } = setup();
    const fd = fs.openSync(`${TICK}/enable`, 'r+');
    const b = new Uint8Array(8);
    expect(fs.readSync(fd, b)).toBe(2);
    expect(text(b.subarray(0, 2))).toBe('0\n');
    expect(fs.writeSync(fd, '1', 0)).toBe(1);
    expect(fs.readSync(fd, b, 0, 8, 0)).toBe(2);
    expect(text(b.subarray(0, 2))).toBe('1\n');
    fs.closeSync(fd);
  });

  it('multi-byte text arrives whole across small reads', () => {
    const { tracefs, fs } = setup();
    const greeting = 'grüße 😀 tracefs\n';
    tracefs.kernel.createEventsDir('mine', '/', [
      {
        name: 'greeting',
        callback: () => ({ mode: 0o444, fops: simpleFileOps({ read: () => greeting }) }),
      },
    ]);
    const path = `${R}/mine/greeting`;
    expect(fs.readFileSync(path, 'utf8')).toBe(greeting);
    const fd = fs.openSync(path, 'r');
    const parts: number[] = [];
    const one = new Uint8Array(3);
    for (let n = fs.readSync(fd, one); n > 0; n = fs.readSync(fd, one)) {
      parts.push(...one.subarray(0, n));
    }
    expect(new TextDecoder().decode(Uint8Array.from(parts))).toBe(greeting);
    const at = new Uint8Array(4);
    expect(fs.readSync(fd, at, 0, 4, 7)).toBe(4);
    expect(at).toEqual(new TextEncoder().encode(greeting).subarray(7, 11));
    fs.closeSync(fd);
  });
});

describe('FileHandle (promises.open)', () => {
  it('reads, writes, stats and closes', async () => {
    const { tracefs, fs } = setup();
    const fh = await fs.promises.open(`${TICK}/format`, 'r');
    expect(fh.fd).toBe(3);
    const { bytesRead, buffer } = await fh.read(new Uint8Array(5), 0, 5, null);
    expect(bytesRead).toBe(5);
    expect(text(buffer)).toBe('name:');
    expect(await fh.readFile('utf8')).toBe(tracefs.readFile('events/demo/tick/format').slice(5));
    const dflt = await fh.read({ position: 0 });
    expect(dflt.buffer.byteLength).toBe(16384);
    expect((await fh.stat()).isFile()).toBe(true);
    await fh.close();
    expect(fh.fd).toBe(-1);
    await fh.close();
    expect(await rejected(fh.read())).toMatchObject({ code: 'EBADF', syscall: 'read' });
    expect(await rejected(fh.stat())).toMatchObject({ code: 'EBADF', syscall: 'fstat' });
    expect(fs.openFds()).toEqual([]);
  });

  it('writes strings and buffers, writeFile writes everything', async () => {
    const { fs } = setup();
    const fh = await fs.promises.open(`${TICK}/enable`, 'w');
    expect(await fh.write('1')).toEqual({ bytesWritten: 1, buffer: '1' });
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('demo:tick\n');
    const zero = new TextEncoder().encode('0');
    expect((await fh.write(zero)).bytesWritten).toBe(1);
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('');
    await fh.writeFile('1');
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('demo:tick\n');
    await fh.truncate();
    await fh[Symbol.asyncDispose]();
    expect(fh.fd).toBe(-1);
    expect(fs.openFds()).toEqual([]);
  });

  it('promises.readFile and writeFile take a FileHandle', async () => {
    const { fs } = setup();
    const fh = await fs.promises.open(`${TICK}/enable`, 'r+');
    await fs.promises.writeFile(fh, '1');
    expect(await fs.promises.readFile(SET_EVENT, 'utf8')).toBe('demo:tick\n');
    // The handle's offset is past the '1' it wrote: the rest of "1\n".
    expect(await fs.promises.readFile(fh, { encoding: 'utf8' })).toBe('\n');
    await fh.close();
  });
});

describe('mkdir, rmdir, rm', () => {
  it('mkdir under instances/ makes an instance; EEXIST when it exists', () => {
    const { tracefs, fs } = setup();
    expect(fs.mkdirSync(`${R}/instances/foo`)).toBeUndefined();
    expect(tracefs.stat('instances/foo/events').isDirectory()).toBe(true);
    expect(caught(() => fs.mkdirSync(`${R}/instances/foo`))).toMatchObject({
      code: 'EEXIST',
      errno: -17,
      syscall: 'mkdir',
      path: `${R}/instances/foo`,
    });
    expect(caught(() => fs.mkdirSync(`${R}/events/foo`))).toMatchObject({
      code: 'EPERM',
      syscall: 'mkdir',
    });
    expect(caught(() => fs.mkdirSync(`${R}/nope/foo`)).code).toBe('ENOENT');
  });

  it('recursive: Node MKDirpSync rules', () => {
    const { fs } = setup();
    expect(fs.mkdirSync(`${R}/instances/bar`, { recursive: true })).toBe(`${R}/instances/bar`);
    expect(fs.mkdirSync(`${R}/instances/bar`, { recursive: true })).toBeUndefined();
    expect(fs.mkdirSync(`${R}/events/demo`, { recursive: true })).toBeUndefined();
    expect(fs.mkdirSync(R, { recursive: true })).toBeUndefined();
    expect(caught(() => fs.mkdirSync(SET_EVENT, { recursive: true }))).toMatchObject({
      code: 'EEXIST',
      path: SET_EVENT,
    });
    expect(caught(() => fs.mkdirSync(`${SET_EVENT}/a/b`, { recursive: true }))).toMatchObject({
      code: 'ENOTDIR',
      path: `${SET_EVENT}/a/b`,
    });
    expect(caught(() => fs.mkdirSync(`${R}/events/x/y`, { recursive: true }))).toMatchObject({
      code: 'EPERM',
      path: `${R}/events/x/y`,
    });
    // The parent is made first; the instance directory itself refuses mkdir.
    expect(caught(() => fs.mkdirSync(`${R}/instances/baz/sub`, { recursive: true })).code).toBe(
      'EPERM',
    );
    expect(fs.existsSync(`${R}/instances/baz`)).toBe(true);
    expect(caught(() => fs.mkdirSync('/etc/foo', { recursive: true })).code).toBe('ENOENT');
  });

  it('rmdir removes instances; eventfs refuses; files are ENOTDIR', () => {
    const { fs } = setup();
    fs.mkdirSync(`${R}/instances/foo`);
    fs.rmdirSync(`${R}/instances/foo`);
    expect(fs.existsSync(`${R}/instances/foo`)).toBe(false);
    expect(
      caught(() => {
        fs.rmdirSync(`${R}/events/demo`);
      }),
    ).toMatchObject({
      code: 'EPERM',
      syscall: 'rmdir',
      path: `${R}/events/demo`,
    });
    expect(
      caught(() => {
        fs.rmdirSync(SET_EVENT);
      }).code,
    ).toBe('ENOTDIR');
    expect(
      caught(() => {
        fs.rmdirSync(`${R}/nope`);
      }).code,
    ).toBe('ENOENT');
    expect(
      caught(() => {
        fs.rmdirSync(R);
      }).code,
    ).toBe('EBUSY');
  });

  it('rm: Node validation, then rimraf over unlink/rmdir', () => {
    const { fs } = setup();
    expect(
      caught(() => {
        fs.rmSync(SET_EVENT);
      }),
    ).toMatchObject({
      code: 'EPERM',
      syscall: 'unlink',
      path: SET_EVENT,
    });
    const e = caught(() => {
      fs.rmSync(`${R}/events/demo`);
    });
    expect(e).toMatchObject({
      code: 'ERR_FS_EISDIR',
      errno: 21,
      syscall: 'rm',
      path: `${R}/events/demo`,
    });
    expect(
      caught(() => {
        fs.rmSync(`${R}/nope`);
      }),
    ).toMatchObject({
      code: 'ENOENT',
      syscall: 'lstat',
    });
    fs.rmSync(`${R}/nope`, { force: true });
    // eventfs: rmdir EPERM, so rimraf empties it first and the first unlink is EPERM.
    expect(
      caught(() => {
        fs.rmSync(`${R}/events/demo`, { recursive: true, force: true });
      }),
    ).toMatchObject({
      code: 'EPERM',
      syscall: 'unlink',
    });
    fs.mkdirSync(`${R}/instances/foo`);
    fs.rmSync(`${R}/instances/foo`, { recursive: true });
    expect(fs.existsSync(`${R}/instances/foo`)).toBe(false);
    fs.mkdirSync(`${R}/instances/bar`);
    fs.rmdirSync(`${R}/instances/bar`, { recursive: true });
    expect(fs.existsSync(`${R}/instances/bar`)).toBe(false);
  });
});

describe('chmod, chown, utimes, truncate', () => {
  it('chmod and chown reach the inode; fchmod/fchown through a descriptor', () => {
    const { fs } = setup();
    fs.chmodSync(SET_EVENT, 0o600);
    expect(fs.statSync(SET_EVENT).mode & 0o7777).toBe(0o600);
    fs.chmodSync(SET_EVENT, '644');
    expect(fs.statSync(SET_EVENT).mode & 0o7777).toBe(0o644);
    fs.chownSync(SET_EVENT, 1000, 1001);
    expect(fs.statSync(SET_EVENT)).toMatchObject({ uid: 1000, gid: 1001 });
    fs.lchownSync(SET_EVENT, -1, 7);
    expect(fs.statSync(SET_EVENT)).toMatchObject({ uid: 1000, gid: 7 });
    const fd = fs.openSync(SET_EVENT, 'r');
    fs.fchmodSync(fd, 0o640);
    fs.fchownSync(fd, 0, 0);
    expect(fs.fstatSync(fd)).toMatchObject({ uid: 0, gid: 0, mode: fs.constants.S_IFREG | 0o640 });
    fs.closeSync(fd);
    expect(
      caught(() => {
        fs.chmodSync(`${R}/nope`, 0o600);
      }),
    ).toMatchObject({
      code: 'ENOENT',
      syscall: 'chmod',
    });
    expect(
      caught(() => {
        fs.chownSync(`${R}/nope`, 0, 0);
      }).syscall,
    ).toBe('chown');
  });

  it('non-owners get EPERM from chmod and utimes', () => {
    const tracefs = mount({ catalog: CATALOG, mode: 0o755 });
    const user = createFs(tracefs, { root: R, cred: { uid: 1000, gid: 1000 } });
    expect(
      caught(() => {
        user.chmodSync(SET_EVENT, 0o777);
      }).code,
    ).toBe('EPERM');
    expect(
      caught(() => {
        user.utimesSync(SET_EVENT, 1, 1);
      }),
    ).toMatchObject({
      code: 'EPERM',
      syscall: 'utime',
      path: SET_EVENT,
    });
    tracefs.chown('set_event', 1000, 1000);
    expect(() => {
      user.utimesSync(SET_EVENT, 1, new Date(2000));
    }).not.toThrow();
  });

  it('utimes succeeds for root; the times stay fixed', () => {
    const { fs } = setup();
    fs.utimesSync(SET_EVENT, 100, 200);
    fs.lutimesSync(SET_EVENT, 100, 200);
    const fd = fs.openSync(SET_EVENT);
    fs.futimesSync(fd, 100, 200);
    fs.closeSync(fd);
    expect(fs.statSync(SET_EVENT).mtimeMs).toBe(0);
    expect(
      caught(() => {
        fs.utimesSync(`${R}/nope`, 1, 1);
      }).syscall,
    ).toBe('utime');
  });

  it('truncate is a successful no-op on files (simple_setattr), EISDIR on directories', () => {
    const { fs } = setup();
    fs.writeFileSync(`${TICK}/enable`, '1');
    fs.truncateSync(`${TICK}/enable`);
    fs.truncateSync(`${TICK}/enable`, 10);
    expect(fs.readFileSync(`${TICK}/enable`, 'utf8')).toBe('1\n');
    expect(
      caught(() => {
        fs.truncateSync(`${R}/events`);
      }),
    ).toMatchObject({
      code: 'EISDIR',
      syscall: 'open',
      path: `${R}/events`,
    });
    // do_sys_ftruncate(): not a regular file open for writing -> EINVAL.
    const r = fs.openSync(SET_EVENT, 'r');
    expect(
      caught(() => {
        fs.ftruncateSync(r);
      }),
    ).toMatchObject({
      code: 'EINVAL',
      syscall: 'ftruncate',
    });
    const d = fs.openSync(`${R}/events`, 'r');
    expect(
      caught(() => {
        fs.ftruncateSync(d);
      }).code,
    ).toBe('EINVAL');
    const w = fs.openSync(`${TICK}/enable`, 'r+');
    fs.ftruncateSync(w, 0);
    for (const fd of [r, d, w]) fs.closeSync(fd);
  });
});

describe('realpath', () => {
  it('resolves . and .. against the mount and needs the path to exist', () => {
    const { fs } = setup();
    expect(fs.realpathSync(`${R}/events/./demo/../sched/`)).toBe(`${R}/events/sched`);
    expect(fs.realpathSync(R)).toBe(R);
    expect(fs.realpathSync(`${R}/..`)).toBe(R);
    expect(fs.realpathSync('events/demo')).toBe(`${R}/events/demo`);
    expect(fs.realpathSync.native(`${R}/events/demo/tick/..`)).toBe(`${R}/events/demo`);
    expect(caught(() => fs.realpathSync(`${R}/nope/..`))).toMatchObject({
      code: 'ENOENT',
      syscall: 'realpath',
    });
    expect(caught(() => fs.realpathSync(`${SET_EVENT}/..`)).code).toBe('ENOTDIR');
    const plain = setup({}).fs;
    expect(plain.realpathSync('events/../set_event')).toBe('/set_event');
    expect(plain.realpathSync('.')).toBe('/');
  });
});

describe('paths', () => {
  it('root maps its prefix; relative paths resolve against it; others do not exist', () => {
    const { fs } = setup();
    expect(fs.readdirSync(`${R}/`)).toEqual(fs.readdirSync(R));
    expect(fs.readdirSync('events')).toEqual(fs.readdirSync(`${R}/events`));
    expect(fs.readdirSync('./events/')).toEqual(fs.readdirSync(`${R}/events`));
    expect(caught(() => fs.statSync('/sys/kernel'))).toMatchObject({
      code: 'ENOENT',
      path: '/sys/kernel',
    });
    expect(caught(() => fs.statSync(`${R}x/events`)).code).toBe('ENOENT');
  });

  it('without root, /x and x both address the mount', () => {
    const { fs } = setup({});
    expect(fs.readdirSync('/events')).toEqual(fs.readdirSync('events'));
    expect(fs.statSync('/').isDirectory()).toBe(true);
  });

  it('takes file: URLs and bytes; rejects null bytes and other types like Node', () => {
    const { fs } = setup();
    expect(fs.statSync(new URL(`file://${SET_EVENT}`)).isFile()).toBe(true);
    expect(fs.statSync(new TextEncoder().encode(SET_EVENT)).isFile()).toBe(true);
    expect(caught(() => fs.statSync(new URL('http://example.com/x'))).code).toBe(
      'ERR_INVALID_URL_SCHEME',
    );
    expect(caught(() => fs.statSync(`${SET_EVENT}\0`)).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(caught(() => fs.statSync(5 as unknown as string)).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(caught(() => fs.statSync('')).code).toBe('ENOENT');
  });

  it('checks its own options', () => {
    const tracefs = mount({ catalog: CATALOG });
    expect(() => createFs(tracefs, { root: 'relative' })).toThrow(TypeError);
    expect(() => createFs(tracefs, { cred: { uid: -5, gid: 0 } })).toThrow(TypeError);
  });
});

describe('callback forms', () => {
  it('call back later with (err, value)', async () => {
    const { fs } = setup();
    let sync = true;
    const got = await new Promise<unknown>((resolve) => {
      fs.readFile(SET_EVENT, 'utf8', (err: unknown, data: unknown) => {
        resolve([err, data, sync]);
      });
      sync = false;
    });
    expect(got).toEqual([null, '', false]);
    const err = await new Promise<unknown>((resolve) => {
      fs.stat(`${R}/nope`, (e: unknown) => {
        resolve(e);
      });
    });
    expect(err).toBeInstanceOf(FsError);
    expect((err as FsError).syscall).toBe('stat');
  });

  it('read, write, open, close, exists', async () => {
    const { fs } = setup();
    const fd = await new Promise<number>((resolve, reject) => {
      fs.open(`${TICK}/enable`, 'r+', (e: Error | null, n: number) => {
        if (e) reject(e);
        else resolve(n);
      });
    });
    const [n, buf] = await new Promise<[number, Uint8Array]>((resolve) => {
      fs.read(fd, new Uint8Array(4), 0, 4, null, (_e: unknown, bytes: number, b: Uint8Array) => {
        resolve([bytes, b]);
      });
    });
    expect([n, text(buf.subarray(0, n))]).toEqual([2, '0\n']);
    const written = await new Promise<number>((resolve) => {
      fs.write(fd, '1', (_e: unknown, w: number) => {
        resolve(w);
      });
    });
    expect(written).toBe(1);
    const byOptions = await new Promise<number>((resolve) => {
      fs.read(fd, { position: 0 }, (_e: unknown, bytes: number) => {
        resolve(bytes);
      });
    });
    expect(byOptions).toBe(2);
    await new Promise<void>((resolve) => {
      fs.close(fd, () => {
        resolve();
      });
    });
    expect(fs.openFds()).toEqual([]);
    expect(
      await new Promise<boolean>((resolve) => {
        fs.exists(SET_EVENT, resolve);
      }),
    ).toBe(true);
  });

  it('argument errors are thrown, not called back', () => {
    const { fs } = setup();
    expect(() => {
      fs.stat(42 as unknown as string, () => undefined);
    }).toThrow(TypeError);
    expect(() => {
      fs.stat(SET_EVENT);
    }).toThrow(/"cb" argument/);
  });
});

describe('promise forms', () => {
  it('resolve values and reject with FsError', async () => {
    const { fs } = setup();
    const p = fs.promises;
    expect(await p.readdir(`${R}/events/demo/tick`)).toContain('format');
    expect((await p.stat(SET_EVENT)).isFile()).toBe(true);
    expect((await p.lstat(SET_EVENT, { bigint: true })).size).toBe(0n);
    await p.access(SET_EVENT, p.constants.R_OK);
    await p.writeFile(`${TICK}/enable`, '1');
    await p.appendFile(SET_EVENT, 'demo:tock');
    expect(await p.readFile(SET_EVENT, 'utf8')).toBe('demo:tick\ndemo:tock\n');
    expect(await p.mkdir(`${R}/instances/x`, { recursive: true })).toBe(`${R}/instances/x`);
    await p.rmdir(`${R}/instances/x`);
    await p.chmod(SET_EVENT, 0o600);
    await p.chown(SET_EVENT, 1, 1);
    await p.truncate(SET_EVENT);
    await p.utimes(SET_EVENT, 1, 1);
    expect(await p.realpath(`${R}/events/..`)).toBe(R);
    const e = await rejected(p.readFile(`${R}/nope`));
    expect(e.error).toBeInstanceOf(FsError);
    expect(e).toMatchObject({ code: 'ENOENT', syscall: 'open', path: `${R}/nope` });
    expect((await rejected(p.unlink(SET_EVENT))).code).toBe('EPERM');
    expect((await rejected(p.rm(`${R}/events`))).code).toBe('ERR_FS_EISDIR');
    expect((await rejected(p.stat(3 as unknown as string))).code).toBe('ERR_INVALID_ARG_TYPE');
  });
});

describe('a Tracefs that is not a TracefsMount', () => {
  function facadeOnly(m: Tracefs): Tracefs {
    return {
      variant: m.variant,
      kernel: m.kernel,
      stat: (...a) => m.stat(...a),
      readdir: (...a) => m.readdir(...a),
      open: (...a) => m.open(...a),
      readFile: (...a) => m.readFile(...a),
      writeFile: (...a) => {
        m.writeFile(...a);
      },
      appendFile: (...a) => {
        m.appendFile(...a);
      },
      mkdir: (...a) => {
        m.mkdir(...a);
      },
      rmdir: (...a) => {
        m.rmdir(...a);
      },
      chmod: (...a) => {
        m.chmod(...a);
      },
      chown: (...a) => {
        m.chown(...a);
      },
      remount: (...a) => {
        m.remount(...a);
      },
      shrink: () => m.shrink(),
      counters: () => m.counters(),
      checkInvariants: () => m.checkInvariants(),
    };
  }

  it('works through the facade with nearest flags', () => {
    const fs = createFs(facadeOnly(mount({ catalog: CATALOG })), { root: R });
    fs.writeFileSync(`${TICK}/enable`, '1');
    expect(fs.readFileSync(SET_EVENT, 'utf8')).toBe('demo:tick\n');
    const fd = fs.openSync(`${TICK}/format`, 'r');
    const b = new Uint8Array(4);
    expect(fs.readSync(fd, b, 0, 4, 6)).toBe(4);
    expect(fs.readSync(fd, b, 0, 4, null)).toBe(4);
    expect(text(b)).toBe('name');
    expect(fs.fstatSync(fd).isFile()).toBe(true);
    fs.closeSync(fd);
    expect(caught(() => fs.openSync(`${R}/nope`, fs.constants.O_WRONLY)).code).toBe('ENOENT');
    expect(caught(() => fs.openSync(SET_EVENT, fs.constants.O_DIRECTORY)).code).toBe('ENOTDIR');
    const w = fs.openSync(`${TICK}/enable`, 'w');
    expect(caught(() => fs.readSync(w, b, 0, 4, 0)).code).toBe('EBADF');
    fs.closeSync(w);
    expect(
      caught(() => {
        fs.unlinkSync(SET_EVENT);
      }).code,
    ).toBe('EPERM');
  });
});

describe('browser safety', () => {
  it('src/adapters imports only relative modules and uses no Buffer', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../../src/adapters/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('node-fs.ts');
    for (const f of files) {
      const src = readFileSync(new URL(f, dir), 'utf8');
      const specifiers = [...src.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]!);
      expect(
        specifiers.filter((s) => !s.startsWith('./') && !s.startsWith('../')),
        f,
      ).toEqual([]);
      const code = src
        .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
        .replace(/'[^'\n]*'|`[^`]*`/g, "''");
      expect(/\bBuffer\b|\bprocess\b|\brequire\(/.test(code), f).toBe(false);
    }
  });
});
