/**
 * A tiny in-memory filesystem for the VFS unit tests. Its tree of `ToyNode`s is the "disk";
 * the VFS sees it only through the operation tables, exactly as the kernel sees a filesystem:
 *
 * - `->lookup` resolves a name from the directory node's `children` Map, makes a fresh inode
 *   for it and d_add()s it; a miss returns null without d_add (or, with `negative: true`, caches
 *   a negative dentry with `dcache.add(dentry, null)`),
 * - regular files get `controlFops` (read/write at f_pos) or `simpleFileOps` from
 *   control-file.ts, with the node as i_private,
 * - directories get an `iterate` fop that emits '.', '..' and the children,
 * - `->mkdir`/`->rmdir` exist only with `mkdir: true`.
 *
 * Every positive dentry holds the only reference to its inode, so after everything is closed
 * and shrunk, the live inodes equal the live positive dentries.
 */
import { controlFops, simpleFileOps, syncWrite } from '../../src/vfs/control-file';
import type { Dentry } from '../../src/vfs/dentry';
import { fsErr, FsError, ViolationSignal, type Violation } from '../../src/vfs/errors';
import type { File } from '../../src/vfs/file';
import { Inode, type InodeAllocator } from '../../src/vfs/inode';
import { pathLookup } from '../../src/vfs/namei';
import { genericPermission } from '../../src/vfs/permission';
import { runSync, step, Task, type KOp } from '../../src/vfs/sched';
import { SuperBlock } from '../../src/vfs/super';
import {
  ROOT_CRED,
  S_IFDIR,
  S_IFREG,
  type Cred,
  type Ctx,
  type DentryOperations,
  type DirContext,
  type FileOperations,
  type InodeOperations,
} from '../../src/vfs/types';

/** One object of the toy filesystem's backing store. */
export interface ToyNode {
  readonly name: string;
  readonly kind: 'dir' | 'file';
  /** Stable inode number: every inode made for this node gets it. */
  readonly ino: number;
  /** Permission bits (no S_IFMT). */
  mode: number;
  uid: number;
  gid: number;
  /** Directory entries (dirs only). */
  readonly children: Map<string, ToyNode>;
  /** File contents (files only). */
  content: string;
  /** Overrides the default read/write fops of a file. */
  fops?: FileOperations;
  /** Set by ->rmdir. */
  removed: boolean;
}

/** A tree description: a string is a file with that content, an object a directory. */
export interface TreeSpec {
  readonly [name: string]: string | TreeSpec;
}

export interface ToyOptions {
  /** Cache misses as hashed negative dentries (`dcache.add(dentry, null)`). */
  readonly negative?: boolean;
  /** s_d_op for every dentry. */
  readonly dentryOps?: DentryOperations;
  /** Yield an interleaving point inside ->lookup (so tests can pause a lookup half-way). */
  readonly lookupYields?: boolean;
  /** Give directories ->mkdir and ->rmdir. */
  readonly mkdir?: boolean;
  /** Give directories a ->permission that records its calls and then defers to generic rules. */
  readonly permissionHook?: (cred: Cred, inode: Inode, mask: number) => void;
}

/** The allocator: plain struct inodes, no filesystem-private fields. */
export const toyAllocator: InodeAllocator<Inode> = {
  create: (sb) => new Inode(sb),
};

export const rootCtx = (): Ctx => ({ task: new Task(1, 't'), cred: ROOT_CRED });

export function ctxFor(cred: Cred, id = 2, name = 'user'): Ctx {
  return { task: new Task(id, name), cred };
}

export class ToyFs {
  readonly sb: SuperBlock;
  readonly root: Dentry;
  readonly rootNode: ToyNode;
  readonly ctx: Ctx = rootCtx();
  /** Every ->lookup call, by name. */
  readonly lookups: string[] = [];
  /** Every ->release call (file close), by file name. */
  readonly releases: string[] = [];
  dirIops!: InodeOperations;
  fileIops!: InodeOperations;
  dirFops!: FileOperations;
  fileFops!: FileOperations;

  constructor(
    tree: TreeSpec = {},
    readonly opts: ToyOptions = {},
  ) {
    this.makeTables();
    this.sb = new SuperBlock(toyAllocator, opts.dentryOps ?? null);
    this.rootNode = this.node('/', 'dir', 0o755);
    this.build(this.rootNode, tree);
    const inode = this.makeInode(this.rootNode);
    this.root = this.sb.dcache.makeRoot(inode);
    this.root.pinned = true;
    this.sb.root = this.root;
  }

  get dcache() {
    return this.sb.dcache;
  }

  /** How many times ->lookup ran for `name`. */
  lookupCount(name: string): number {
    return this.lookups.filter((n) => n === name).length;
  }

  /** A new backing-store node (not yet linked). */
  node(name: string, kind: 'dir' | 'file', mode: number, content = ''): ToyNode {
    return {
      name,
      kind,
      ino: this.sb.inodes.nextIno(),
      mode,
      uid: 0,
      gid: 0,
      children: new Map(),
      content,
      removed: false,
    };
  }

  private build(dir: ToyNode, tree: TreeSpec): void {
    for (const [name, v] of Object.entries(tree)) {
      if (typeof v === 'string') dir.children.set(name, this.node(name, 'file', 0o644, v));
      else {
        const sub = this.node(name, 'dir', 0o755);
        dir.children.set(name, sub);
        this.build(sub, v);
      }
    }
  }

  /** The backing node at a '/'-separated path (throws if missing). */
  at(path: string): ToyNode {
    let n = this.rootNode;
    for (const c of path.split('/').filter((s) => s.length > 0)) {
      const next = n.children.get(c);
      if (next === undefined) throw new Error(`toyfs: no node ${path}`);
      n = next;
    }
    return n;
  }

  /** Link a new node below the directory at `dirPath`. */
  add(dirPath: string, name: string, kind: 'dir' | 'file', mode?: number, content = ''): ToyNode {
    const n = this.node(name, kind, mode ?? (kind === 'dir' ? 0o755 : 0o644), content);
    this.at(dirPath).children.set(name, n);
    return n;
  }

  /** Build a fresh inode for a node: the dentry that gets it holds the only reference. */
  makeInode(node: ToyNode): Inode {
    const inode = this.sb.newInode();
    inode.ino = node.ino;
    inode.uid = node.uid;
    inode.gid = node.gid;
    inode.private = node;
    if (node.kind === 'dir') {
      inode.mode = S_IFDIR | node.mode;
      inode.nlink = 2;
      inode.iop = this.dirIops;
      inode.fop = this.dirFops;
    } else {
      inode.mode = S_IFREG | node.mode;
      inode.size = node.content.length;
      inode.iop = this.fileIops;
      inode.fop = node.fops ?? this.fileFops;
    }
    return inode;
  }

  /** Run an operation to completion with the synchronous driver. */
  run<R>(op: KOp<R>): R {
    return runSync(op);
  }

  /** Walk `path` and keep the reference forever, tracefs style (d.pinned). */
  pin(path: string): Dentry {
    const d = runSync(pathLookup(this.ctx, this.root, path));
    d.pinned = true;
    return d;
  }

  /**
   * The dentries that must survive a full shrink: the pinned ones and every ancestor they hold
   * a reference on.
   */
  pinnedSet(): Set<Dentry> {
    const out = new Set<Dentry>();
    for (const d of this.dcache.live) {
      if (!d.pinned) continue;
      for (let p = d; !out.has(p); p = p.parent) {
        out.add(p);
        if (p.isRoot) break;
      }
    }
    return out;
  }

  // ---- operation tables -------------------------------------------------------------------

  /** ->lookup: a hit makes a fresh inode and d_add()s it; a miss returns null. */
  *lookupOp(_ctx: Ctx, dir: Inode, dentry: Dentry): KOp<Dentry | null> {
    this.lookups.push(dentry.name);
    if (this.opts.lookupYields === true) yield step('toy_lookup', `toy_lookup('${dentry.name}')`);
    const parent = dir.private as ToyNode;
    const node = parent.children.get(dentry.name);
    if (node === undefined) {
      if (this.opts.negative === true) this.sb.dcache.add(dentry, null);
      return null;
    }
    this.sb.dcache.add(dentry, this.makeInode(node));
    return null;
  }

  /** ->mkdir: link a node and instantiate the dentry (d_add when ->lookup left it unhashed). */
  // eslint-disable-next-line require-yield
  *mkdirOp(_ctx: Ctx, dir: Inode, dentry: Dentry, mode: number): KOp<void> {
    const parent = dir.private as ToyNode;
    const node = this.node(dentry.name, 'dir', mode);
    parent.children.set(dentry.name, node);
    const inode = this.makeInode(node);
    if (dentry.hashed) this.sb.dcache.instantiate(dentry, inode);
    else this.sb.dcache.add(dentry, inode);
    dir.nlink++;
  }

  /** ->rmdir: only empty directories; the VFS's S_DEAD is set here. */
  // eslint-disable-next-line require-yield
  *rmdirOp(_ctx: Ctx, dir: Inode, dentry: Dentry): KOp<void> {
    const parent = dir.private as ToyNode;
    const victim = dentry.inode!;
    const node = victim.private as ToyNode;
    if (node.children.size > 0) throw fsErr('ENOTEMPTY');
    parent.children.delete(dentry.name);
    node.removed = true;
    victim.dead = true;
    victim.nlink = 0;
    dir.nlink--;
  }

  /** ->permission (with `permissionHook`): record, then the generic rules. */
  *permissionOp(ctx: Ctx, inode: Inode, mask: number): KOp<void> {
    yield step('toy_permission', 'toy_permission');
    this.opts.permissionHook?.(ctx.cred, inode, mask);
    genericPermission(ctx.cred, inode, mask);
  }

  /** Directory listing: '.', '..', then the children in insertion order. */
  // eslint-disable-next-line require-yield
  *iterateOp(_ctx: Ctx, file: File, dctx: DirContext): KOp<void> {
    const d = file.dentry;
    if (dctx.pos === 0) {
      if (!dctx.emit('.', file.inode.ino, 'dir')) return;
      dctx.pos = 1;
    }
    if (dctx.pos === 1) {
      if (!dctx.emit('..', d.parent.inode!.ino, 'dir')) return;
      dctx.pos = 2;
    }
    const children = [...(file.inode.private as ToyNode).children.values()];
    for (let i = dctx.pos - 2; i < children.length; i++) {
      const c = children[i]!;
      if (!dctx.emit(c.name, c.ino, c.kind)) return;
      dctx.pos++;
    }
  }

  // eslint-disable-next-line require-yield
  *releaseOp(node: ToyNode): KOp<void> {
    this.releases.push(node.name);
  }

  private makeTables(): void {
    const opts = this.opts;
    this.dirIops = Object.freeze({
      lookup: (ctx: Ctx, dir: Inode, d: Dentry) => this.lookupOp(ctx, dir, d),
      ...(opts.mkdir === true
        ? {
            mkdir: (ctx: Ctx, dir: Inode, d: Dentry, mode: number) =>
              this.mkdirOp(ctx, dir, d, mode),
            rmdir: (ctx: Ctx, dir: Inode, d: Dentry) => this.rmdirOp(ctx, dir, d),
          }
        : {}),
      ...(opts.permissionHook !== undefined
        ? {
            permission: (ctx: Ctx, inode: Inode, mask: number) =>
              this.permissionOp(ctx, inode, mask),
          }
        : {}),
    });
    this.fileIops = Object.freeze({});
    this.dirFops = Object.freeze({
      iterate: (ctx: Ctx, file: File, dctx: DirContext) => this.iterateOp(ctx, file, dctx),
    });
    // Regular files: the node's content, written in place at f_pos (growing the file).
    this.fileFops = controlFops<ToyNode>(
      {
        read: (node) => node.content,
        write: syncWrite<ToyNode>((_ctx, node, text, file) => {
          const pos = file.pos;
          const before = node.content.slice(0, pos).padEnd(pos, '\0');
          node.content = before + text + node.content.slice(pos + text.length);
          file.inode.size = node.content.length;
          return text.length;
        }),
        release: (_ctx, node) => this.releaseOp(node),
      },
      'toy',
    );
  }
}

/** A read-only file built with simpleFileOps. */
export function readOnlyFops(): FileOperations {
  return simpleFileOps<ToyNode>({ read: (n) => n.content }, 'ro');
}

/** A write-only file built with simpleFileOps that records what it was given. */
export function writeOnlyFops(sink: string[]): FileOperations {
  return simpleFileOps<ToyNode>(
    {
      write: (_n, text) => {
        sink.push(text);
        return undefined;
      },
    },
    'wo',
  );
}

/** Run `fn` and return the kernel violation it raised. */
export function violationOf(fn: () => unknown): Violation {
  try {
    fn();
  } catch (e) {
    if (e instanceof ViolationSignal) return e.violation;
    throw e;
  }
  throw new Error('expected a ViolationSignal, nothing was thrown');
}

/** Run `fn` and return the FsError it raised. */
export function fsErrorOf(fn: () => unknown): FsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FsError) return e;
    throw e;
  }
  throw new Error('expected an FsError, nothing was thrown');
}
