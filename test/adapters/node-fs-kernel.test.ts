/**
 * The calls the model has no system call for, answered as the Linux VFS answers them on
 * tracefs (fs/namei.c, fs/open.c, fs/stat.c, fs/attr.c): tracefs's inode_operations have no
 * ->unlink, ->rename, ->link, ->symlink or ->create, so those fail with EPERM (EACCES for
 * create) once the generic checks (filename_parentat, may_delete, may_create, may_linkat) pass,
 * and with the generic checks' errno when they do not.
 */
import { describe, expect, it } from 'vitest';
import { createCatalog, createFs, mount, type TracefsNodeFs } from '../../src/index';

const CATALOG = createCatalog([{ name: 'demo', events: [{ name: 'tick' }, { name: 'tock' }] }]);
const R = '/sys/kernel/tracing';

function adapters(): { root: TracefsNodeFs; user: TracefsNodeFs } {
  const tracefs = mount({ catalog: CATALOG, mode: 0o755 });
  return {
    root: createFs(tracefs, { root: R }),
    user: createFs(tracefs, { root: R, cred: { uid: 1000, gid: 1000 } }),
  };
}

function err(fn: () => unknown): Record<string, unknown> {
  try {
    fn();
  } catch (e) {
    const x = e as Record<string, unknown>;
    return { code: x.code, syscall: x.syscall, path: x.path, dest: x.dest, message: x.message };
  }
  return { code: 'ok' };
}

const code = (fn: () => unknown): unknown => err(fn).code;

describe('unlink: do_unlinkat() + vfs_unlink()', () => {
  it('EPERM for a file: no ->unlink', () => {
    const { root } = adapters();
    expect(
      err(() => {
        root.unlinkSync(`${R}/set_event`);
      }),
    ).toEqual({
      code: 'EPERM',
      syscall: 'unlink',
      path: `${R}/set_event`,
      dest: undefined,
      message: `EPERM: operation not permitted, unlink '${R}/set_event'`,
    });
    expect(
      code(() => {
        root.unlinkSync(`${R}/events/demo/tick/enable`);
      }),
    ).toBe('EPERM');
  });

  it('the generic checks come first', () => {
    const { root, user } = adapters();
    expect(
      code(() => {
        root.unlinkSync(`${R}/nope`);
      }),
    ).toBe('ENOENT');
    expect(
      code(() => {
        root.unlinkSync(`${R}/nope/x`);
      }),
    ).toBe('ENOENT');
    expect(
      code(() => {
        root.unlinkSync(`${R}/set_event/x`);
      }),
    ).toBe('ENOTDIR');
    // may_delete(): a directory is EISDIR for unlink.
    expect(
      code(() => {
        root.unlinkSync(`${R}/events`);
      }),
    ).toBe('EISDIR');
    // The "slashes" exit: negative ENOENT, directory EISDIR, else ENOTDIR.
    expect(
      code(() => {
        root.unlinkSync(`${R}/set_event/`);
      }),
    ).toBe('ENOTDIR');
    expect(
      code(() => {
        root.unlinkSync(`${R}/events/`);
      }),
    ).toBe('EISDIR');
    expect(
      code(() => {
        root.unlinkSync(`${R}/nope/`);
      }),
    ).toBe('ENOENT');
    // Not LAST_NORM ('/', '.', '..'): EISDIR.
    expect(
      code(() => {
        root.unlinkSync(R);
      }),
    ).toBe('EISDIR');
    expect(
      code(() => {
        root.unlinkSync(`${R}/events/.`);
      }),
    ).toBe('EISDIR');
    expect(
      code(() => {
        root.unlinkSync(`${R}/events/..`);
      }),
    ).toBe('EISDIR');
    // may_delete(): write and search permission on the directory before anything else.
    expect(
      code(() => {
        user.unlinkSync(`${R}/set_event`);
      }),
    ).toBe('EACCES');
  });
});

describe('rename: do_renameat2() + vfs_rename()', () => {
  it('EPERM: no ->rename; onto itself succeeds without a call', () => {
    const { root } = adapters();
    expect(
      err(() => {
        root.renameSync(`${R}/set_event`, `${R}/x`);
      }),
    ).toEqual({
      code: 'EPERM',
      syscall: 'rename',
      path: `${R}/set_event`,
      dest: `${R}/x`,
      message: `EPERM: operation not permitted, rename '${R}/set_event' -> '${R}/x'`,
    });
    expect(
      code(() => {
        root.renameSync(`${R}/events`, `${R}/x`);
      }),
    ).toBe('EPERM');
    expect(
      code(() => {
        root.renameSync(`${R}/set_event`, `${R}/available_events`);
      }),
    ).toBe('EPERM');
    expect(
      code(() => {
        root.renameSync(`${R}/set_event`, `${R}/events/../set_event`);
      }),
    ).toBe('ok');
  });

  it('the generic checks come first', () => {
    const { root, user } = adapters();
    expect(
      code(() => {
        root.renameSync(`${R}/nope`, `${R}/x`);
      }),
    ).toBe('ENOENT');
    expect(
      code(() => {
        root.renameSync(`${R}/set_event`, `${R}/nope/x`);
      }),
    ).toBe('ENOENT');
    // Not LAST_NORM on either side: EBUSY.
    expect(
      code(() => {
        root.renameSync(R, `${R}/x`);
      }),
    ).toBe('EBUSY');
    expect(
      code(() => {
        root.renameSync(`${R}/events/.`, `${R}/x`);
      }),
    ).toBe('EBUSY');
    expect(
      code(() => {
        root.renameSync(`${R}/set_event`, `${R}/events/..`);
      }),
    ).toBe('EBUSY');
    // Trailing slashes on a non-directory.
    expect(
      code(() => {
        root.renameSync(`${R}/set_event/`, `${R}/x`);
      }),
    ).toBe('ENOTDIR');
    expect(
      code(() => {
        root.renameSync(`${R}/set_event`, `${R}/x/`);
      }),
    ).toBe('ENOTDIR');
    // lock_rename()'s trap: into its own subtree EINVAL, onto an ancestor ENOTEMPTY.
    expect(
      code(() => {
        root.renameSync(`${R}/events`, `${R}/events/demo/x`);
      }),
    ).toBe('EINVAL');
    expect(
      code(() => {
        root.renameSync(`${R}/events/demo/tick`, `${R}/events`);
      }),
    ).toBe('ENOTEMPTY');
    // may_delete() on the target: types must match.
    expect(
      code(() => {
        root.renameSync(`${R}/set_event`, `${R}/events`);
      }),
    ).toBe('EISDIR');
    expect(
      code(() => {
        root.renameSync(`${R}/events`, `${R}/set_event`);
      }),
    ).toBe('ENOTDIR');
    // Permission on the directories.
    expect(
      code(() => {
        user.renameSync(`${R}/set_event`, `${R}/x`);
      }),
    ).toBe('EACCES');
  });
});

describe('link: do_linkat() + vfs_link()', () => {
  it('EPERM: no ->link (directories too: the ->link check comes first)', () => {
    const { root } = adapters();
    expect(
      err(() => {
        root.linkSync(`${R}/set_event`, `${R}/x`);
      }),
    ).toMatchObject({
      code: 'EPERM',
      syscall: 'link',
      path: `${R}/set_event`,
      dest: `${R}/x`,
    });
    expect(
      code(() => {
        root.linkSync(`${R}/events`, `${R}/x`);
      }),
    ).toBe('EPERM');
  });

  it('the generic checks come first', () => {
    const { root, user } = adapters();
    expect(
      code(() => {
        root.linkSync(`${R}/nope`, `${R}/x`);
      }),
    ).toBe('ENOENT');
    expect(
      code(() => {
        root.linkSync(`${R}/set_event`, `${R}/available_events`);
      }),
    ).toBe('EEXIST');
    expect(
      code(() => {
        root.linkSync(`${R}/set_event`, `${R}/nope/x`);
      }),
    ).toBe('ENOENT');
    expect(
      code(() => {
        root.linkSync(`${R}/set_event`, `${R}/x/`);
      }),
    ).toBe('ENOENT');
    expect(
      code(() => {
        root.linkSync(`${R}/set_event`, R);
      }),
    ).toBe('EEXIST');
    // may_linkat() (protected_hardlinks): not the owner and no read+write access.
    expect(
      code(() => {
        user.linkSync(`${R}/set_event`, `${R}/x`);
      }),
    ).toBe('EPERM');
  });
});

describe('symlink: do_symlinkat() + vfs_symlink()', () => {
  it('EPERM: no ->symlink; path is the target, dest the new name', () => {
    const { root } = adapters();
    expect(
      err(() => {
        root.symlinkSync('set_event', `${R}/x`);
      }),
    ).toMatchObject({
      code: 'EPERM',
      syscall: 'symlink',
      path: 'set_event',
      dest: `${R}/x`,
      message: `EPERM: operation not permitted, symlink 'set_event' -> '${R}/x'`,
    });
  });

  it('the generic checks come first', () => {
    const { root, user } = adapters();
    expect(
      code(() => {
        root.symlinkSync('x', `${R}/set_event`);
      }),
    ).toBe('EEXIST');
    expect(
      code(() => {
        root.symlinkSync('x', R);
      }),
    ).toBe('EEXIST');
    expect(
      code(() => {
        root.symlinkSync('x', `${R}/events/.`);
      }),
    ).toBe('EEXIST');
    expect(
      code(() => {
        root.symlinkSync('x', `${R}/nope/y`);
      }),
    ).toBe('ENOENT');
    expect(
      code(() => {
        root.symlinkSync('x', `${R}/new/`);
      }),
    ).toBe('ENOENT');
    expect(
      code(() => {
        user.symlinkSync('x', `${R}/y`);
      }),
    ).toBe('EACCES');
  });
});

describe('readlink: do_readlinkat()', () => {
  it('EINVAL for anything that exists: nothing is a symlink', () => {
    const { root } = adapters();
    expect(err(() => root.readlinkSync(`${R}/set_event`))).toMatchObject({
      code: 'EINVAL',
      syscall: 'readlink',
      path: `${R}/set_event`,
    });
    expect(code(() => root.readlinkSync(`${R}/events`))).toBe('EINVAL');
    expect(code(() => root.readlinkSync(`${R}/nope`))).toBe('ENOENT');
  });
});

describe('truncate: vfs_truncate()/do_sys_ftruncate() -> do_truncate() -> simple_setattr()', () => {
  it('succeeds on files, EISDIR on directories, EACCES without write permission', () => {
    const { root, user } = adapters();
    expect(
      code(() => {
        root.truncateSync(`${R}/set_event`, 0);
      }),
    ).toBe('ok');
    expect(
      code(() => {
        root.truncateSync(`${R}/events`);
      }),
    ).toBe('EISDIR');
    // Node's truncate opens 'r+' first: the open's permission check.
    expect(
      err(() => {
        user.truncateSync(`${R}/set_event`);
      }),
    ).toMatchObject({
      code: 'EACCES',
      syscall: 'open',
    });
  });
});

describe('rm: Node rimraf over the calls above', () => {
  it('answers with the first refusal', () => {
    const { root } = adapters();
    expect(
      err(() => {
        root.rmSync(`${R}/events/demo/tick`, { recursive: true });
      }),
    ).toMatchObject({
      code: 'EPERM',
      syscall: 'unlink',
    });
    expect(
      code(() => {
        root.rmSync(`${R}/set_event`, { force: true });
      }),
    ).toBe('EPERM');
    root.mkdirSync(`${R}/instances/i`);
    expect(
      code(() => {
        root.rmSync(`${R}/instances/i`, { recursive: true });
      }),
    ).toBe('ok');
  });
});

describe('callback and promise forms carry the same errors', () => {
  it('unlink, rename, link, symlink, readlink', async () => {
    const { root } = adapters();
    const viaCallback = (fn: (cb: (e: unknown) => void) => void): Promise<unknown> =>
      new Promise((resolve) => {
        fn((e) => {
          resolve((e as { code?: string } | null)?.code ?? 'ok');
        });
      });
    expect(
      await viaCallback((cb) => {
        root.unlink(`${R}/set_event`, cb);
      }),
    ).toBe('EPERM');
    expect(
      await viaCallback((cb) => {
        root.rename(`${R}/set_event`, `${R}/x`, cb);
      }),
    ).toBe('EPERM');
    expect(
      await viaCallback((cb) => {
        root.link(`${R}/set_event`, `${R}/x`, cb);
      }),
    ).toBe('EPERM');
    expect(
      await viaCallback((cb) => {
        root.symlink('set_event', `${R}/x`, cb);
      }),
    ).toBe('EPERM');
    expect(
      await viaCallback((cb) => {
        root.readlink(`${R}/set_event`, cb);
      }),
    ).toBe('EINVAL');
    await expect(root.promises.unlink(`${R}/set_event`)).rejects.toMatchObject({ code: 'EPERM' });
    await expect(root.promises.rename(`${R}/set_event`, `${R}/x`)).rejects.toMatchObject({
      code: 'EPERM',
      dest: `${R}/x`,
    });
    await expect(root.promises.link(`${R}/set_event`, `${R}/x`)).rejects.toMatchObject({
      code: 'EPERM',
    });
    await expect(root.promises.symlink('x', `${R}/y`)).rejects.toMatchObject({ code: 'EPERM' });
    await expect(root.promises.readlink(`${R}/set_event`)).rejects.toMatchObject({
      code: 'EINVAL',
    });
  });
});
