import { describe, expect, it } from 'vitest';
import { Inode, InodeTable, UNINIT, type InodeAllocator } from '../../src/vfs/inode';
import { readInit, type MaybeUninit } from '../../src/vfs/poison';
import { SuperBlock } from '../../src/vfs/super';
import { S_IFDIR, type FileOperations, type InodeOperations } from '../../src/vfs/types';
import { toyAllocator, violationOf } from './toyfs';

/** An inode with a filesystem-private field, to watch what the slab does with it. */
class FsInode extends Inode {
  extra: MaybeUninit<string> = UNINIT;
}

function fsAllocator(log: string[]): InodeAllocator<FsInode> {
  return {
    create: (sb) => {
      log.push('create');
      return new FsInode(sb);
    },
    scrub: (inode) => {
      log.push('scrub');
      inode.extra = UNINIT;
    },
    init: () => {
      log.push('init');
    },
  };
}

function table(): { sb: SuperBlock; t: InodeTable } {
  const sb = new SuperBlock(toyAllocator, null);
  return { sb, t: sb.inodes };
}

describe('InodeTable.nextIno (get_next_ino)', () => {
  it('hands out increasing numbers from 1', () => {
    const { t } = table();
    expect(t.nextIno()).toBe(1);
    expect(t.nextIno()).toBe(2);
    expect(t.nextIno()).toBe(3);
  });

  it('starts at firstIno when given', () => {
    const t = new InodeTable(toyAllocator, 100);
    expect(t.nextIno()).toBe(100);
    expect(t.nextIno()).toBe(101);
  });

  it('is not consumed by newInode (the filesystem assigns i_ino)', () => {
    const { sb, t } = table();
    const i = sb.newInode();
    expect(i.ino).toBe(0);
    expect(t.nextIno()).toBe(1);
  });
});

describe('InodeTable.newInode (new_inode)', () => {
  it('returns a live inode with the VFS fields initialised', () => {
    const { sb, t } = table();
    const i = sb.newInode();
    expect(i).toBeInstanceOf(Inode);
    expect(i.sb).toBe(sb);
    expect(i.isPoisoned).toBe(false);
    expect(i.count).toBe(1);
    expect(i.nlink).toBe(1);
    expect(i.mode).toBe(0);
    expect(i.uid).toBe(0);
    expect(i.gid).toBe(0);
    expect(i.size).toBe(0);
    expect(i.private).toBeNull();
    expect(i.iop).toEqual({});
    expect(i.fop).toEqual({});
    expect(i.dead).toBe(false);
    expect(t.live).toBe(1);
    expect(sb.newInode().serial).toBe(i.serial + 1);
    expect(t.live).toBe(2);
  });

  it('calls create for fresh memory and init on every allocation', () => {
    const log: string[] = [];
    const sb = new SuperBlock(fsAllocator(log), null);
    const i = sb.newInode();
    expect(log).toEqual(['create', 'init']);
    expect(() => readInit(i.extra, 'extra')).toThrow();
    i.extra = 'set';
    expect(readInit(i.extra, 'extra')).toBe('set');
  });

  it('lets the filesystem set its fields', () => {
    const { sb } = table();
    const i = sb.newInode();
    const iop: InodeOperations = {};
    const fop: FileOperations = {};
    i.ino = 9;
    i.mode = S_IFDIR | 0o700;
    i.uid = 5;
    i.gid = 6;
    i.size = 7;
    i.nlink = 2;
    i.iop = iop;
    i.fop = fop;
    i.private = 'p';
    expect([i.ino, i.mode, i.uid, i.gid, i.size, i.nlink]).toEqual([
      9,
      S_IFDIR | 0o700,
      5,
      6,
      7,
      2,
    ]);
    expect(i.iop).toBe(iop);
    expect(i.fop).toBe(fop);
    expect(i.private).toBe('p');
    expect(i.describe()).toBe('inode #9');
  });
});

describe('iget / iput', () => {
  it('iget takes a reference, iput drops it, the last iput evicts', () => {
    const { sb, t } = table();
    const i = sb.newInode();
    expect(t.iget(i)).toBe(i);
    expect(i.count).toBe(2);
    t.iput(i, 'site1');
    expect(i.count).toBe(1);
    expect(i.isPoisoned).toBe(false);
    expect(t.live).toBe(1);
    t.iput(i, 'evict_site');
    expect(i.isPoisoned).toBe(true);
    expect(i.freedAt).toBe('evict_site');
    expect(t.live).toBe(0);
  });

  it('reports access to an evicted inode as a use-after-free', () => {
    const { sb, t } = table();
    const i = sb.newInode();
    i.ino = 42;
    t.iput(i, 'iput');
    for (const read of [
      () => i.ino,
      () => i.mode,
      () => i.uid,
      () => i.gid,
      () => i.nlink,
      () => i.size,
      () => i.iop,
      () => i.fop,
      () => i.private,
      () => i.count,
    ]) {
      expect(violationOf(read).kind).toBe('use-after-free');
    }
    const w = violationOf(() => {
      i.mode = 0;
    });
    expect(w.kind).toBe('use-after-free');
    const v = violationOf(() => i.ino);
    expect(v.message).toContain('BUG: KASAN: slab-use-after-free');
    expect(v.message).toContain('i_ino');
    expect(v.message).toContain('inode #42');
    expect(v.message).toContain('freed in iput');
  });

  it('reports iget/iput on an evicted inode as a use-after-free (i_count is poisoned)', () => {
    const { sb, t } = table();
    const i = sb.newInode();
    t.iput(i, 'x');
    expect(
      violationOf(() => {
        t.iput(i, 'again');
      }).kind,
    ).toBe('use-after-free');
    expect(violationOf(() => t.iget(i)).kind).toBe('use-after-free');
    expect(t.live).toBe(0);
  });

  it('reports iput below zero on a live inode as a refcount violation', () => {
    const { sb, t } = table();
    const i = sb.newInode();
    i.count = 0;
    const v = violationOf(() => {
      t.iput(i, 'my_iput');
    });
    expect(v.kind).toBe('refcount');
    expect(v.site).toBe('my_iput');
    expect(v.message).toContain('i_count 0');
    expect(i.isPoisoned).toBe(false);
    expect(t.live).toBe(1);
  });

  it('reports ihold on a zero count as a refcount violation', () => {
    const { sb, t } = table();
    const i = sb.newInode();
    i.count = 0;
    const v = violationOf(() => t.iget(i));
    expect(v.kind).toBe('refcount');
    expect(v.site).toBe('ihold');
  });

  it('poisoning twice is a double free', () => {
    const { sb, t } = table();
    const i = sb.newInode();
    t.iput(i, 'first');
    const v = violationOf(() => {
      i.poison('second');
    });
    expect(v.kind).toBe('bug');
    expect(v.message).toContain('double free');
    expect(v.message).toContain('first');
  });
});

describe('slab recycling and quarantine', () => {
  it('does not reuse freed memory until 64 later frees pushed it out of quarantine', () => {
    const log: string[] = [];
    const sb = new SuperBlock(fsAllocator(log), null);
    const t = sb.inodes;
    const first = sb.newInode();
    first.extra = 'old';
    const others = Array.from({ length: 64 }, () => sb.newInode());
    t.iput(first, 'free_first');
    // Fill the quarantine with 63 more frees: 64 objects in quarantine, none reusable.
    for (const o of others.slice(0, 63)) t.iput(o, 'free');
    log.length = 0;
    const fresh = sb.newInode();
    expect(fresh).not.toBe(first);
    expect(others.slice(0, 63)).not.toContain(fresh);
    expect(log).toEqual(['create', 'init']);
    expect(first.isPoisoned).toBe(true);
    // The 65th free pushes the oldest (first) out of quarantine onto the free list.
    t.iput(others[63]!, 'free');
    log.length = 0;
    const recycled = sb.newInode();
    expect(recycled).toBe(first);
    expect(log).toEqual(['scrub', 'init']);
    expect(recycled.isPoisoned).toBe(false);
    expect(recycled.freedAt).toBeNull();
    expect(recycled.count).toBe(1);
    expect(recycled.ino).toBe(0);
    expect(recycled.private).toBeNull();
    // The filesystem's field was scrubbed back to garbage (KMSAN's view of reuse).
    expect(recycled.extra).toBe(UNINIT);
    const v = violationOf(() => readInit(recycled.extra, 'extra'));
    expect(v.kind).toBe('uninitialized-read');
    expect(v.message).toContain('extra');
    // Only one object had left quarantine.
    log.length = 0;
    sb.newInode();
    expect(log).toEqual(['create', 'init']);
  });

  it('reuses recycled objects last-freed-first and resets every VFS field', () => {
    const { sb, t } = table();
    const inodes = Array.from({ length: 66 }, () => sb.newInode());
    for (const i of inodes) {
      i.mode = 0o777;
      i.dead = true;
      i.size = 10;
      t.iput(i, 'free');
    }
    expect(t.live).toBe(0);
    // inodes[0] and inodes[1] left quarantine, in that order; the free list is a stack.
    const a = sb.newInode();
    const b = sb.newInode();
    expect(a).toBe(inodes[1]);
    expect(b).toBe(inodes[0]);
    for (const x of [a, b]) {
      expect(x.mode).toBe(0);
      expect(x.size).toBe(0);
      expect(x.dead).toBe(false);
    }
    expect(a.serial).toBeGreaterThan(inodes[65]!.serial);
    const c = sb.newInode();
    expect(inodes).not.toContain(c);
    expect(t.live).toBe(3);
  });

  it('a stale pointer to a recycled inode sees the new object (as in the kernel)', () => {
    const { sb, t } = table();
    const stale = sb.newInode();
    t.iput(stale, 'free');
    for (let k = 0; k < 64; k++) t.iput(sb.newInode(), 'free');
    const reuse = sb.newInode();
    expect(reuse).toBe(stale);
    reuse.ino = 77;
    expect(stale.ino).toBe(77);
  });
});
