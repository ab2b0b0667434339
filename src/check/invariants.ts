/**
 * The invariants of SEMANTICS.md, checked over a whole mount: what KASAN, KMSAN, lockdep and
 * refcount debugging would each complain about, plus eventfs's own rules (no negative dentry
 * hides a name eventfs would find; every eventfs_inode's kref equals the references to it).
 */
import type { EventfsBase } from '../eventfs/base';
import { EventfsInode } from '../eventfs/eventfs-inode';
import { TRACEFS_EVENT_INODE, TracefsInode } from '../tracefs/inode';
import type { TracefsSuper } from '../tracefs/super';
import type { Violation } from '../vfs/errors';
import type { Lock } from '../vfs/sched';

/** What the checker looks at. */
export interface CheckTarget {
  readonly tracefs: TracefsSuper;
  readonly eventfs: EventfsBase;
  /** Locks that must be free when no operation runs. */
  readonly locks?: readonly Lock[];
  /** Whether any operation is in flight (locks and in-lookup dentries may then be busy). */
  readonly quiescent?: boolean;
}

function v(kind: Violation['kind'], site: string, message: string): Violation {
  return { kind, site, message };
}

/** Run every check; an empty array means all hold. */
export function checkInvariants(t: CheckTarget): Violation[] {
  const out: Violation[] = [];
  const { sb } = t.tracefs;
  const dcache = sb.dcache;
  const fsdataRefs = new Map<EventfsInode, number>();
  const childCount = new Map<object, number>();

  for (const d of dcache.live) {
    if (d.isPoisoned) {
      out.push(v('use-after-free', 'dcache', `freed ${d.describe()} is still on the live list`));
      continue;
    }
    const c = d.count;
    if (c < 0) out.push(v('refcount', 'dcache', `${d.describe()} has d_count ${c}`));
    if (!d.isRoot) {
      const p = d.parent;
      if (p.isPoisoned)
        out.push(v('use-after-free', 'dcache', `${d.describe()} has a freed parent`));
      else childCount.set(p, (childCount.get(p) ?? 0) + 1);
    }
    const inode = d.inode;
    if (inode !== null) {
      if (inode.isPoisoned) {
        out.push(v('use-after-free', 'dcache', `${d.describe()} points at an evicted inode`));
      } else if (inode instanceof TracefsInode && d.hashed && exposesUninit(inode)) {
        out.push(
          v(
            'invariant',
            'dcache',
            `hashed ${d.describe()} exposes an eventfs directory inode whose ti->private was never set`,
          ),
        );
      } else if (inode.count < 1) {
        out.push(v('refcount', 'dcache', `${d.describe()}'s inode has i_count ${inode.count}`));
      }
    }
    const fsd = d.fsdata;
    if (fsd instanceof EventfsInode && !d.released) {
      if (fsd.isPoisoned)
        out.push(
          v('use-after-free', 'dcache', `${d.describe()}'s d_fsdata is a freed eventfs_inode`),
        );
      else fsdataRefs.set(fsd, (fsdataRefs.get(fsd) ?? 0) + 1);
    }
    // No negative dentry shadows a name eventfs would find.
    if (inode === null && d.hashed && !d.isRoot) {
      const shadow = shadowedName(d.parent.inode, d.name);
      if (shadow !== null) {
        out.push(
          v(
            'invariant',
            'dcache',
            `negative dentry '${d.path()}' hides ${shadow} that eventfs would find`,
          ),
        );
      }
    }
  }
  for (const d of dcache.live) {
    if (d.isPoisoned) continue;
    const need = (childCount.get(d) ?? 0) + (d.pinned ? 1 : 0);
    if (d.count < need && !dcache.dying.has(d)) {
      out.push(
        v('refcount', 'dcache', `${d.describe()} has d_count ${d.count} but ${need} holders`),
      );
    }
  }

  // Every eventfs_inode: kref = dentries pointing at it + the list's (or root's) own reference.
  for (const ei of t.eventfs.live) {
    if (ei.isPoisoned) {
      out.push(v('use-after-free', 'eventfs', `freed ${ei.describe()} still counted live`));
      continue;
    }
    if (!t.eventfs.refcounted) continue;
    const expected = (fsdataRefs.get(ei) ?? 0) + (ei.isFreed ? 0 : 1);
    if (ei.kref !== expected) {
      out.push(
        v('refcount', 'eventfs', `${ei.describe()} has kref ${ei.kref}, expected ${expected}`),
      );
    }
  }
  for (const [ei] of fsdataRefs) {
    if (!t.eventfs.live.has(ei))
      out.push(v('use-after-free', 'eventfs', `dentry points at untracked ${ei.describe()}`));
  }

  if (t.quiescent ?? true) {
    for (const l of t.locks ?? []) {
      const h = l.holders();
      if (h.length > 0)
        out.push(
          v('deadlock', l.name, `${l.name} still held by ${h.map((x) => x.name).join(', ')}`),
        );
    }
  }
  return out;
}

/**
 * An eventfs directory's ->permission and ->getattr read ti->private without eventfs_mutex:
 * once its dentry is hashed, that field must hold its final value.
 */
function exposesUninit(inode: TracefsInode): boolean {
  if (inode.tracefsPartInitialised) return false;
  const flags = inode.peekFlags();
  return (
    flags === undefined ||
    ((flags & TRACEFS_EVENT_INODE) !== 0 && (inode.mode & 0o170000) === 0o040000)
  );
}

/** If `name` under this directory inode is something eventfs would return, say what. */
function shadowedName(dir: unknown, name: string): string | null {
  if (!(dir instanceof TracefsInode) || dir.isPoisoned) return null;
  if (((dir.peekFlags() ?? 0) & TRACEFS_EVENT_INODE) === 0) return null;
  const ei = dir.peekTiPrivate();
  if (!(ei instanceof EventfsInode) || ei.isPoisoned || ei.isFreed) return null;
  if (ei.children.some((c) => c.name === name && !c.isFreed)) return `directory '${name}'`;
  const entry = ei.entries.find((e) => e.name === name);
  if (entry !== undefined && entry.callback(name, ei.data) !== null) return `file '${name}'`;
  return null;
}
