import { describe, expect, it } from 'vitest';
import { FsError } from '../../src/vfs/errors';
import type { Inode } from '../../src/vfs/inode';
import {
  checkChmod,
  checkChown,
  genericPermission,
  inodePermission,
} from '../../src/vfs/permission';
import { runSync, Task } from '../../src/vfs/sched';
import {
  MAY_EXEC,
  MAY_READ,
  MAY_WRITE,
  ROOT_CRED,
  S_IFDIR,
  S_IFREG,
  type Cred,
} from '../../src/vfs/types';
import { ToyFs, fsErrorOf } from './toyfs';

const fs = new ToyFs();

function inode(mode: number, uid: number, gid: number, type = S_IFREG): Inode {
  const i = fs.sb.newInode();
  i.mode = type | mode;
  i.uid = uid;
  i.gid = gid;
  return i;
}

const OWNER: Cred = { uid: 1000, gid: 1000 };
const GROUPIE: Cred = { uid: 2000, gid: 100 };
const SUPP: Cred = { uid: 3000, gid: 3000, groups: [7, 100] };
const OTHER: Cred = { uid: 4000, gid: 4000, groups: [5] };

function allowed(cred: Cred, i: Inode, mask: number): boolean {
  try {
    genericPermission(cred, i, mask);
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(FsError);
    expect((e as FsError).code).toBe('EACCES');
    return false;
  }
}

describe('genericPermission', () => {
  it('uses the owner class for the owner', () => {
    const i = inode(0o640, 1000, 100);
    expect(allowed(OWNER, i, MAY_READ)).toBe(true);
    expect(allowed(OWNER, i, MAY_WRITE)).toBe(true);
    expect(allowed(OWNER, i, MAY_READ | MAY_WRITE)).toBe(true);
    expect(allowed(OWNER, i, MAY_EXEC)).toBe(false);
  });

  it('uses the group class for the primary group', () => {
    const i = inode(0o640, 1000, 100);
    expect(allowed(GROUPIE, i, MAY_READ)).toBe(true);
    expect(allowed(GROUPIE, i, MAY_WRITE)).toBe(false);
    expect(allowed(GROUPIE, i, MAY_READ | MAY_WRITE)).toBe(false);
  });

  it('uses the group class for a supplementary group', () => {
    const i = inode(0o640, 1000, 100);
    expect(allowed(SUPP, i, MAY_READ)).toBe(true);
    expect(allowed(SUPP, i, MAY_WRITE)).toBe(false);
  });

  it('uses the other class for everyone else', () => {
    const i = inode(0o644, 1000, 100);
    expect(allowed(OTHER, i, MAY_READ)).toBe(true);
    expect(allowed(OTHER, i, MAY_WRITE)).toBe(false);
    expect(allowed(OTHER, inode(0o640, 1000, 100), MAY_READ)).toBe(false);
    expect(allowed(OTHER, inode(0o641, 1000, 100), MAY_EXEC)).toBe(true);
  });

  it('picks one class only: an owner denied by owner bits is not rescued by others', () => {
    const i = inode(0o077, 1000, 1000);
    expect(allowed(OWNER, i, MAY_READ)).toBe(false);
    expect(allowed(GROUPIE, inode(0o607, 1000, 100), MAY_READ)).toBe(false);
    expect(allowed(OTHER, inode(0o607, 1000, 100), MAY_READ)).toBe(true);
  });

  it('treats a cred without groups like an empty list', () => {
    const i = inode(0o070, 1, 7);
    expect(allowed({ uid: 5, gid: 6 }, i, MAY_READ)).toBe(false);
    expect(allowed({ uid: 5, gid: 6, groups: [7] }, i, MAY_READ)).toBe(true);
  });

  it('checks search (exec) permission on directories by the class bits', () => {
    const d = inode(0o750, 1000, 100, S_IFDIR);
    expect(allowed(OWNER, d, MAY_EXEC)).toBe(true);
    expect(allowed(GROUPIE, d, MAY_EXEC)).toBe(true);
    expect(allowed(OTHER, d, MAY_EXEC)).toBe(false);
    expect(allowed(GROUPIE, d, MAY_WRITE | MAY_EXEC)).toBe(false);
  });

  it('ignores mask bits above MAY_READ', () => {
    const i = inode(0o400, 1000, 100);
    expect(allowed(OWNER, i, MAY_READ | 8 | 16)).toBe(true);
  });

  it('an empty mask is always allowed', () => {
    expect(allowed(OTHER, inode(0o000, 1, 1), 0)).toBe(true);
  });

  describe('root (CAP_DAC_OVERRIDE)', () => {
    it('reads and writes anything', () => {
      const i = inode(0o000, 1000, 100);
      expect(allowed(ROOT_CRED, i, MAY_READ | MAY_WRITE)).toBe(true);
    });

    it('searches any directory, even mode 000', () => {
      const d = inode(0o000, 1000, 100, S_IFDIR);
      expect(allowed(ROOT_CRED, d, MAY_EXEC | MAY_READ | MAY_WRITE)).toBe(true);
    });

    it('executes a file only if some x bit is set', () => {
      expect(allowed(ROOT_CRED, inode(0o644, 1000, 100), MAY_EXEC)).toBe(false);
      expect(allowed(ROOT_CRED, inode(0o000, 1000, 100), MAY_READ | MAY_EXEC)).toBe(false);
      expect(allowed(ROOT_CRED, inode(0o001, 1000, 100), MAY_EXEC)).toBe(true);
      expect(allowed(ROOT_CRED, inode(0o010, 1000, 100), MAY_EXEC)).toBe(true);
      expect(allowed(ROOT_CRED, inode(0o100, 1000, 100), MAY_EXEC)).toBe(true);
    });

    it('is uid 0 whatever its gid', () => {
      expect(allowed({ uid: 0, gid: 50 }, inode(0o000, 1, 1), MAY_WRITE)).toBe(true);
      expect(allowed({ uid: 50, gid: 0 }, inode(0o000, 1, 1), MAY_WRITE)).toBe(false);
    });
  });
});

describe('inodePermission', () => {
  it('falls back to genericPermission without ->permission', () => {
    const ctx = { task: new Task(1, 't'), cred: OTHER };
    expect(() => {
      runSync(inodePermission(ctx, inode(0o600, 1, 1), MAY_READ));
    }).toThrow(FsError);
    expect(() => {
      runSync(inodePermission(ctx, inode(0o604, 1, 1), MAY_READ));
    }).not.toThrow();
  });

  it('calls the filesystem ->permission instead of the generic rules', () => {
    const seen: [number, number][] = [];
    const hooked = new ToyFs(
      { d: {} },
      {
        permissionHook: (cred, i, mask) => {
          seen.push([cred.uid, mask]);
          if (cred.uid === 42)
            throw fsErrorOf(() => {
              genericPermission(OTHER, inode(0, 1, 1), MAY_READ);
            });
        },
      },
    );
    const dir = hooked.root.inode!;
    runSync(inodePermission({ task: new Task(1, 't'), cred: ROOT_CRED }, dir, MAY_EXEC));
    expect(seen).toEqual([[0, MAY_EXEC]]);
    const e = fsErrorOf(() => {
      runSync(
        inodePermission({ task: new Task(1, 't'), cred: { uid: 42, gid: 42 } }, dir, MAY_READ),
      );
    });
    expect(e.code).toBe('EACCES');
    expect(seen).toEqual([
      [0, MAY_EXEC],
      [42, MAY_READ],
    ]);
  });
});

describe('checkChmod (inode_owner_or_capable)', () => {
  it('allows the owner and root, refuses others with EPERM', () => {
    const i = inode(0o644, 1000, 100);
    expect(() => {
      checkChmod(OWNER, i);
    }).not.toThrow();
    expect(() => {
      checkChmod(ROOT_CRED, i);
    }).not.toThrow();
    for (const c of [GROUPIE, SUPP, OTHER]) {
      expect(
        fsErrorOf(() => {
          checkChmod(c, i);
        }).code,
      ).toBe('EPERM');
    }
  });
});

describe('checkChown (chown_ok / chgrp_ok)', () => {
  const i = inode(0o644, 1000, 100);
  const OWNER_IN_GROUPS: Cred = { uid: 1000, gid: 1000, groups: [200, 300] };

  it('root may change anything', () => {
    expect(() => {
      checkChown(ROOT_CRED, i, 5, 6);
    }).not.toThrow();
  });

  it('non-root cannot change the owner, not even the owner itself', () => {
    for (const c of [OWNER, OTHER, GROUPIE]) {
      expect(
        fsErrorOf(() => {
          checkChown(c, i, 5, -1);
        }).code,
      ).toBe('EPERM');
    }
    expect(
      fsErrorOf(() => {
        checkChown(OWNER, i, 0, -1);
      }).code,
    ).toBe('EPERM');
  });

  it('the owner may "change" the uid to itself', () => {
    expect(() => {
      checkChown(OWNER, i, 1000, -1);
    }).not.toThrow();
  });

  it('-1 keeps both values: a no-op chown is allowed for the owner', () => {
    expect(() => {
      checkChown(OWNER, i, -1, -1);
    }).not.toThrow();
  });

  it('the owner may change the group to its primary or a supplementary group', () => {
    expect(() => {
      checkChown(OWNER_IN_GROUPS, i, -1, 1000);
    }).not.toThrow();
    expect(() => {
      checkChown(OWNER_IN_GROUPS, i, -1, 200);
    }).not.toThrow();
    expect(() => {
      checkChown(OWNER_IN_GROUPS, i, 1000, 300);
    }).not.toThrow();
  });

  it('the owner may keep the current group', () => {
    expect(() => {
      checkChown(OWNER, i, -1, 100);
    }).not.toThrow();
  });

  it('the owner may not change the group to one it is not in', () => {
    expect(
      fsErrorOf(() => {
        checkChown(OWNER_IN_GROUPS, i, -1, 400);
      }).code,
    ).toBe('EPERM');
  });

  it('a non-owner may not change the group, even to one it is in', () => {
    expect(
      fsErrorOf(() => {
        checkChown(SUPP, i, -1, 7);
      }).code,
    ).toBe('EPERM');
    expect(
      fsErrorOf(() => {
        checkChown(GROUPIE, i, -1, 4000);
      }).code,
    ).toBe('EPERM');
  });
});
