/**
 * inode_permission() and generic_permission() (fs/namei.c), with the capability overrides the
 * superuser has (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), plus the ownership checks of
 * notify_change()/setattr_prepare() for chmod and chown (fs/attr.c).
 */
import { fsErr } from './errors';
import type { Inode } from './inode';
import type { KOp } from './sched';
import { isDirMode, MAY_EXEC, MAY_WRITE, type Cred, type Ctx } from './types';

/** in_group_p(). */
export function inGroup(cred: Cred, gid: number): boolean {
  return cred.gid === gid || (cred.groups?.includes(gid) ?? false);
}

/** generic_permission(): owner, group, other class bits; root overrides DAC as in Linux. */
export function genericPermission(cred: Cred, inode: Inode, mask: number): void {
  const mode = inode.mode;
  const m = mask & 7;
  if (cred.uid === 0) {
    // CAP_DAC_OVERRIDE: anything but executing a file with no x bit at all.
    if ((m & MAY_EXEC) === 0 || isDirMode(mode) || (mode & 0o111) !== 0) return;
    throw fsErr('EACCES');
  }
  let bits: number;
  if (cred.uid === inode.uid) bits = (mode >> 6) & 7;
  else if (inGroup(cred, inode.gid)) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  if ((m & ~bits) !== 0) throw fsErr('EACCES');
}

/** inode_permission(): the filesystem's ->permission if it has one, else generic_permission(). */
export function* inodePermission(ctx: Ctx, inode: Inode, mask: number): KOp<void> {
  const perm = inode.iop.permission;
  if (perm !== undefined) yield* perm(ctx, inode, mask);
  else genericPermission(ctx.cred, inode, mask);
}

/** inode_owner_or_capable(): chmod needs ownership or CAP_FOWNER. */
export function checkChmod(cred: Cred, inode: Inode): void {
  if (cred.uid !== 0 && cred.uid !== inode.uid) throw fsErr('EPERM');
}

/**
 * chown_ok()/chgrp_ok(): only CAP_CHOWN changes the owner; the owner may change the group to
 * one of its own groups.
 */
export function checkChown(cred: Cred, inode: Inode, uid: number, gid: number): void {
  if (cred.uid === 0) return;
  const owner = cred.uid === inode.uid;
  // chown_ok(): only the owner may "change" the owner to itself.
  if (uid !== -1 && !(owner && uid === inode.uid)) throw fsErr('EPERM');
  // chgrp_ok(): the owner, to one of its groups or the current group.
  if (gid !== -1 && !(owner && (inGroup(cred, gid) || gid === inode.gid))) throw fsErr('EPERM');
}

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_IXGRP = 0o010;

/**
 * setattr_prepare(): a chmod by a caller without CAP_FSETID who is not in the file's group
 * silently loses S_ISGID.
 */
export function chmodMode(cred: Cred, inode: Inode, mode: number): number {
  if (cred.uid !== 0 && !inGroup(cred, inode.gid)) return mode & ~S_ISGID;
  return mode;
}

/**
 * chown_common() + notify_change(): changing ownership of a non-directory kills S_ISUID, and
 * S_ISGID when group-execute is set (setattr_should_drop_sgid). Returns the new mode, or
 * undefined when it stays.
 */
export function chownKillsSetid(inode: Inode): number | undefined {
  const mode = inode.mode;
  if (isDirMode(mode)) return undefined;
  let m = mode;
  if ((m & S_ISUID) !== 0) m &= ~S_ISUID;
  if ((m & S_ISGID) !== 0 && (m & S_IXGRP) !== 0) m &= ~S_ISGID;
  return m === mode ? undefined : m & 0o7777;
}

export { MAY_WRITE };
