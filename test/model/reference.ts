/**
 * A reference model of what user space should see in a tracefs mount with a small catalog:
 * a Map from normalised path to { kind, mode, uid, gid, nlink, what the file does }, derived
 * from a handful of state (instances, kprobes, enabled events per instance, saved chmod/chown
 * attributes), plus a Linux-style path resolver over that map. It knows nothing about dentries
 * or caching: whatever the dcache does, the mount must agree with this model.
 *
 * Semantics encoded (kernel v6.8 as SEMANTICS.md describes it, fs/namei.c for the walk):
 * - tracefs root: S_IFDIR | mount mode (default 0700), nlink 2 + its sub-directories;
 *   `instances/` and instance directories 0750; control files 0640 (writable) / 0440.
 * - eventfs directories 0755 with nlink 1; enable/filter/trigger 0640, format/id/header_* 0440;
 *   every eventfs file has ino EVENTFS_FILE_INODE_INO; chmod/chown are saved by eventfs and
 *   survive eviction; they die with the directory (kprobe removal, instance rmdir).
 * - path walk: '' is ENOENT; each component needs a directory (ENOTDIR) with search permission
 *   (EACCES); '..' at the root stays at the root; a trailing '/' demands a directory.
 */
import { createCatalog, EVENTFS_FILE_INODE_INO, type EventCatalog } from '../../src/index';

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const FILE_INO = EVENTFS_FILE_INODE_INO;

/** The small catalog every model test uses: sched (2 events) and irq (1 event). */
export const SMALL_SYSTEMS: readonly { name: string; events: readonly string[] }[] = [
  { name: 'sched', events: ['sched_switch', 'sched_wakeup'] },
  { name: 'irq', events: ['irq_handler_entry'] },
];

export function smallCatalog(): EventCatalog {
  return createCatalog(
    SMALL_SYSTEMS.map((s) => ({ name: s.name, events: s.events.map((name) => ({ name })) })),
  );
}

/** The group kprobes created with `p:NAME schedule` land in. */
export const KPROBE_GROUP = 'kprobes';

/** What reading/writing a node does, as far as this model tracks it. */
export type Content =
  | { readonly t: 'none' }
  | { readonly t: 'eventEnable'; readonly inst: string; readonly key: string }
  | { readonly t: 'sysEnable'; readonly inst: string; readonly sys: string }
  | { readonly t: 'topEnable'; readonly inst: string }
  | { readonly t: 'setEvent'; readonly inst: string }
  | { readonly t: 'availableEvents' }
  | { readonly t: 'kprobeEvents' }
  /** No ->write: writing is EINVAL. Content not modelled. */
  | { readonly t: 'readonly' }
  /** Writable with semantics this model does not track (filter, trigger, tracing_on, ...). */
  | { readonly t: 'other' };

export interface MNode {
  /** Normalised path: '/' for the root, 'a/b' otherwise. */
  readonly path: string;
  readonly kind: 'dir' | 'file';
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
  /** Lives in eventfs (the ino rules and the saved attributes apply). */
  readonly eventfs: boolean;
  /** An `events` directory itself (pinned, ownership follows its parent). */
  readonly eventsTop: boolean;
  readonly content: Content;
  /**
   * Which instance an open file pins (its ->open takes trace_array_get(), so rmdir of that
   * instance is EBUSY while it is open), '' for the top one, null for none.
   */
  readonly pinsInstance: string | null;
  /** For event files: the event (`sys:name`) the file belongs to. */
  readonly event: string | null;
  /** Child names (directories only). */
  readonly children: readonly string[];
}

export interface ModelCred {
  readonly uid: number;
  readonly gid: number;
  readonly groups?: readonly number[];
}

export interface MountOpts {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/** Saved attributes (what chmod/chown set), by normalised path. */
interface SavedAttr {
  mode?: number;
  uid?: number;
  gid?: number;
}

export type Resolved =
  | { readonly ok: true; readonly node: MNode }
  | { readonly ok: true; readonly node: null; readonly parent: MNode; readonly name: string }
  | { readonly ok: false; readonly code: string };

export interface ModelEvent {
  readonly sys: string;
  readonly name: string;
  readonly key: string;
}

export function join(parent: string, name: string): string {
  return parent === '/' ? name : `${parent}/${name}`;
}

export function parentOf(path: string): string {
  if (path === '/') return '/';
  const i = path.lastIndexOf('/');
  return i < 0 ? '/' : path.slice(0, i);
}

/** True for `path` itself or anything below it. */
function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export class ModelError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const M_EXEC = 1;
const M_WRITE = 2;
const M_READ = 4;
export const MAY = { EXEC: M_EXEC, WRITE: M_WRITE, READ: M_READ } as const;

/** generic_permission() with the superuser's DAC override. */
export function permitted(cred: ModelCred, node: MNode, mask: number): boolean {
  if (cred.uid === 0) {
    return (mask & M_EXEC) === 0 || node.kind === 'dir' || (node.mode & 0o111) !== 0;
  }
  let bits: number;
  if (cred.uid === node.uid) bits = (node.mode >> 6) & 7;
  else if (inGroup(cred, node.gid)) bits = (node.mode >> 3) & 7;
  else bits = node.mode & 7;
  return (mask & ~bits) === 0;
}

export const ROOT: ModelCred = { uid: 0, gid: 0 };

/** in_group_p(): the caller's gid or one of its supplementary groups. */
export function inGroup(cred: ModelCred, gid: number): boolean {
  return cred.gid === gid || (cred.groups ?? []).includes(gid);
}

export class RefModel {
  /** Instance names in creation order. */
  readonly instances: string[] = [];
  /** kprobe event names in registration order. */
  readonly kprobes: string[] = [];
  /** Enabled events (`sys:name`) per instance ('' = top). */
  readonly enabled = new Map<string, Set<string>>([['', new Set()]]);
  /** Saved chmod/chown by normalised path. */
  private readonly attrs = new Map<string, SavedAttr>();
  /** Inode numbers seen so far (directories and tracefs files), by normalised path. */
  readonly inos = new Map<string, number>();
  #tree: Map<string, MNode> | null = null;
  /** Registration serials: a re-created instance or probe is a new object ('i:'/'k:' + name). */
  private readonly born = new Map<string, number>();
  #serial = 0;

  constructor(public mount: MountOpts = { uid: 0, gid: 0, mode: 0o700 }) {}

  /** mount -o remount,mode=M: the root directory's mode bits (over any chmod of it). */
  remountMode(mode: number): void {
    this.mount = { ...this.mount, mode: mode & 0o7777 };
    const a = this.attrs.get('/');
    if (a !== undefined) delete a.mode;
    this.changed();
  }

  // ---- derived views ---------------------------------------------------------------------

  /** Registered events in list order: the newest kprobe first, then the catalog. */
  events(): ModelEvent[] {
    const out: ModelEvent[] = [];
    for (let i = this.kprobes.length - 1; i >= 0; i--) {
      const name = this.kprobes[i]!;
      out.push({ sys: KPROBE_GROUP, name, key: `${KPROBE_GROUP}:${name}` });
    }
    for (const s of SMALL_SYSTEMS)
      for (const name of s.events) out.push({ sys: s.name, name, key: `${s.name}:${name}` });
    return out;
  }

  systems(): string[] {
    const out = SMALL_SYSTEMS.map((s) => s.name);
    if (this.kprobes.length > 0) out.push(KPROBE_GROUP);
    return out;
  }

  tree(): Map<string, MNode> {
    this.#tree ??= this.build();
    return this.#tree;
  }

  node(path: string): MNode | undefined {
    return this.tree().get(path);
  }

  private changed(): void {
    this.#tree = null;
  }

  private build(): Map<string, MNode> {
    const t = new Map<string, MNode>();
    const kids = new Map<string, string[]>();
    const { uid, gid } = this.mount;
    const add = (
      path: string,
      kind: 'dir' | 'file',
      perm: number,
      extra: Partial<Omit<MNode, 'path' | 'kind' | 'mode' | 'children'>> = {},
    ): void => {
      const saved = this.attrs.get(path);
      const type = kind === 'dir' ? S_IFDIR : S_IFREG;
      const node: MNode = {
        path,
        kind,
        mode: type | (saved?.mode ?? perm),
        uid: saved?.uid ?? uid,
        gid: saved?.gid ?? gid,
        nlink: 1,
        eventfs: false,
        eventsTop: false,
        content: { t: 'none' },
        pinsInstance: null,
        event: null,
        ...extra,
        children: [],
      };
      const list: string[] = [];
      kids.set(path, list);
      t.set(path, { ...node, children: list });
      if (path !== '/') kids.get(parentOf(path))!.push(path.slice(path.lastIndexOf('/') + 1));
    };
    const file = (path: string, perm: number, content: Content, pinsInstance: string | null) => {
      add(path, 'file', perm, { content, pinsInstance });
    };

    add('/', 'dir', this.mount.mode & 0o7777, { nlink: 4 });
    file('available_events', 0o440, { t: 'availableEvents' }, null);
    const instanceFiles = (inst: string, dir: string): void => {
      const p = (n: string) => join(dir, n);
      file(p('available_tracers'), 0o440, { t: 'readonly' }, inst);
      file(p('current_tracer'), 0o640, { t: 'other' }, inst);
      file(p('tracing_on'), 0o640, { t: 'other' }, inst);
      file(p('set_event'), 0o640, { t: 'setEvent', inst }, inst);
      const ev = p('events');
      add(ev, 'dir', 0o755, { eventfs: true, eventsTop: true });
      // kernel/trace/trace_events.c (v6.8): events/enable (system_tr_open), header_page and
      // header_event (tracing_open_generic_tr), <system>/enable and <system>/filter
      // (subsystem_open), <event>/enable and <event>/filter (tracing_open_file_tr) all take
      // trace_array_get(); <event>/trigger (event_trigger_regex_open), <event>/format
      // (trace_format_open) and <event>/id (no ->open) take no reference on the instance.
      const efile = (
        path: string,
        perm: number,
        content: Content,
        pins: boolean,
        event: string | null = null,
      ) => {
        add(path, 'file', perm, {
          eventfs: true,
          content,
          pinsInstance: pins ? inst : null,
          event,
        });
      };
      efile(join(ev, 'enable'), 0o640, { t: 'topEnable', inst }, true);
      efile(join(ev, 'header_page'), 0o440, { t: 'readonly' }, true);
      efile(join(ev, 'header_event'), 0o440, { t: 'readonly' }, true);
      for (const sys of this.systems()) {
        const sd = join(ev, sys);
        add(sd, 'dir', 0o755, { eventfs: true });
        efile(join(sd, 'filter'), 0o640, { t: 'other' }, true);
        efile(join(sd, 'enable'), 0o640, { t: 'sysEnable', inst, sys }, true);
        for (const e of this.events()) {
          if (e.sys !== sys) continue;
          const ed = join(sd, e.name);
          add(ed, 'dir', 0o755, { eventfs: true });
          efile(join(ed, 'enable'), 0o640, { t: 'eventEnable', inst, key: e.key }, true, e.key);
          efile(join(ed, 'filter'), 0o640, { t: 'other' }, true, e.key);
          efile(join(ed, 'trigger'), 0o640, { t: 'other' }, false, e.key);
          efile(join(ed, 'format'), 0o440, { t: 'readonly' }, false, e.key);
          efile(join(ed, 'id'), 0o440, { t: 'readonly' }, false, e.key);
        }
      }
    };
    instanceFiles('', '/');
    file('kprobe_events', 0o640, { t: 'kprobeEvents' }, null);
    add('instances', 'dir', 0o750, { nlink: 2 + this.instances.length });
    for (const name of this.instances) {
      const dir = join('instances', name);
      add(dir, 'dir', 0o750, { nlink: 3 });
      instanceFiles(name, dir);
    }
    return t;
  }

  // ---- path walk ---------------------------------------------------------------------------

  /**
   * link_path_walk() + the last component, over the model. With `allowNegativeLast`, a missing
   * last name resolves to { node: null, parent }.
   */
  resolve(path: string, cred: ModelCred = ROOT, allowNegativeLast = false): Resolved {
    if (path.length === 0) return { ok: false, code: 'ENOENT' };
    const comps = path.split('/').filter((c) => c.length > 0);
    const trailing = path.endsWith('/');
    let cur = this.node('/')!;
    for (let i = 0; i < comps.length; i++) {
      const c = comps[i]!;
      if (cur.kind !== 'dir') return { ok: false, code: 'ENOTDIR' };
      if (!permitted(cred, cur, M_EXEC)) return { ok: false, code: 'EACCES' };
      if (c === '.') continue;
      if (c === '..') {
        // follow_dotdot(): never above the root of the mount.
        if (cur.path !== '/') cur = this.node(parentOf(cur.path))!;
        continue;
      }
      const next = this.node(join(cur.path, c));
      if (next === undefined) {
        if (allowNegativeLast && i === comps.length - 1)
          return { ok: true, node: null, parent: cur, name: c };
        return { ok: false, code: 'ENOENT' };
      }
      cur = next;
    }
    if (trailing && cur.kind !== 'dir' && !allowNegativeLast) return { ok: false, code: 'ENOTDIR' };
    return { ok: true, node: cur };
  }

  /** resolve() that throws ModelError. */
  lookup(path: string, cred: ModelCred = ROOT): MNode {
    const r = this.resolve(path, cred);
    if (!r.ok) throw new ModelError(r.code);
    return r.node!;
  }

  // ---- reads -------------------------------------------------------------------------------

  /**
   * Which incarnation of an event an instance has now (null: none). An open event file whose
   * event went away (kprobe removed, instance removed) answers ENODEV from then on, even if an
   * event of the same name comes back (EVENT_FILE_FL_FREED on the old trace_event_file).
   */
  eventIdent(inst: string, key: string): string | null {
    if (inst !== '' && !this.instances.includes(inst)) return null;
    const colon = key.indexOf(':');
    const sys = key.slice(0, colon);
    const name = key.slice(colon + 1);
    if (sys === KPROBE_GROUP && !this.kprobes.includes(name)) return null;
    const i = this.born.get(`i:${inst}`) ?? 0;
    const k = sys === KPROBE_GROUP ? (this.born.get(`k:${name}`) ?? 0) : 0;
    return `${i}/${k}`;
  }

  isEnabled(inst: string, key: string): boolean {
    return this.enabled.get(inst)?.has(key) ?? false;
  }

  /** The text a read of a modelled file returns; undefined when the model does not track it. */
  content(node: MNode): string | undefined {
    const c = node.content;
    const state = (inst: string, keys: string[]): string => {
      let set = 0;
      for (const k of keys) set |= 1 << (this.isEnabled(inst, k) ? 1 : 0);
      return `${['?', '0', '1', 'X'][set]!}\n`;
    };
    switch (c.t) {
      case 'eventEnable':
        return this.isEnabled(c.inst, c.key) ? '1\n' : '0\n';
      case 'sysEnable':
        return state(
          c.inst,
          this.events()
            .filter((e) => e.sys === c.sys)
            .map((e) => e.key),
        );
      case 'topEnable':
        return state(
          c.inst,
          this.events().map((e) => e.key),
        );
      case 'setEvent':
        return this.events()
          .filter((e) => this.isEnabled(c.inst, e.key))
          .map((e) => `${e.key}\n`)
          .join('');
      case 'availableEvents':
        return this.events()
          .map((e) => `${e.key}\n`)
          .join('');
      case 'kprobeEvents':
        return this.kprobes.map((n) => `p:${KPROBE_GROUP}/${n} schedule\n`).join('');
      default:
        return undefined;
    }
  }

  // ---- state changes (all throw ModelError like the kernel would) ---------------------------

  /** event_enable_write / system_enable_write: "0" or "1", anything else EINVAL. */
  writeEnable(node: MNode, text: string): void {
    const c = node.content;
    if (c.t !== 'eventEnable' && c.t !== 'sysEnable' && c.t !== 'topEnable')
      throw new Error(`model: ${node.path} is not an enable file`);
    if (!/^[01]\n?$/.test(text)) throw new ModelError('EINVAL');
    const on = text.startsWith('1');
    const set = this.enabled.get(c.inst)!;
    const keys =
      c.t === 'eventEnable'
        ? [c.key]
        : this.events()
            .filter((e) => c.t === 'topEnable' || e.sys === c.sys)
            .map((e) => e.key);
    for (const k of keys) {
      if (on) set.add(k);
      else set.delete(k);
    }
  }

  /** What opening set_event with O_TRUNC does: every event of the instance off. */
  clearEvents(inst: string): void {
    this.enabled.get(inst)!.clear();
  }

  /** One set_event token (ftrace_set_clr_event); no match is EINVAL. */
  setEventToken(inst: string, token: string): void {
    const enable = !token.startsWith('!');
    const buf = enable ? token : token.slice(1);
    const colon = buf.indexOf(':');
    const hits = this.events().filter((e) => {
      if (colon < 0) return buf === e.name || buf === e.sys;
      const sys = buf.slice(0, colon);
      const ev = buf.slice(colon + 1);
      return (
        (sys === '' || sys === '*' || sys === e.sys) && (ev === '' || ev === '*' || ev === e.name)
      );
    });
    if (hits.length === 0) throw new ModelError('EINVAL');
    const set = this.enabled.get(inst)!;
    for (const h of hits) {
      if (enable) set.add(h.key);
      else set.delete(h.key);
    }
  }

  /** `p:NAME schedule` >> kprobe_events. */
  addKprobe(name: string): void {
    if (this.kprobes.includes(name)) throw new ModelError('EEXIST');
    this.kprobes.push(name);
    this.born.set(`k:${name}`, ++this.#serial);
    this.changed();
  }

  /**
   * `-:NAME` >> kprobe_events: ENOENT when there is no such probe, EBUSY while it is enabled in
   * any instance (unregister_trace_kprobe -> trace_probe_is_enabled). Open files of the event do
   * not block it: they hold event_file_get() references, not the call's refcnt that
   * trace_event_dyn_busy() reads, and answer ENODEV once the event is gone (EVENT_FILE_FL_FREED).
   */
  removeKprobe(name: string): void {
    const idx = this.kprobes.indexOf(name);
    if (idx < 0) throw new ModelError('ENOENT');
    const key = `${KPROBE_GROUP}:${name}`;
    if ([...this.enabled.values()].some((s) => s.has(key))) throw new ModelError('EBUSY');
    this.kprobes.splice(idx, 1);
    for (const inst of ['', ...this.instances]) {
      const ev = join(inst === '' ? '/' : join('instances', inst), 'events');
      this.forget(join(join(ev, KPROBE_GROUP), name));
      if (this.kprobes.length === 0) this.forget(join(ev, KPROBE_GROUP));
    }
    this.changed();
  }

  /** mkdir instances/NAME (the EEXIST case is the walk's, see mkdir()). */
  addInstance(name: string): void {
    if (this.instances.includes(name)) throw new ModelError('EEXIST');
    this.instances.push(name);
    this.born.set(`i:${name}`, ++this.#serial);
    this.enabled.set(name, new Set());
    this.changed();
  }

  /** rmdir instances/NAME: EBUSY while `isPinned(name)` (one of its files is open). */
  removeInstance(name: string, isPinned: (inst: string) => boolean): void {
    const idx = this.instances.indexOf(name);
    if (idx < 0) throw new ModelError('ENOENT');
    if (isPinned(name)) throw new ModelError('EBUSY');
    this.instances.splice(idx, 1);
    this.enabled.delete(name);
    this.forget(join('instances', name));
    this.changed();
  }

  /**
   * chmod(2) as `cred` (fs/attr.c setattr_prepare): only the owner or root (EPERM); a caller
   * that is neither in the file's group nor privileged (CAP_FSETID) silently loses S_ISGID.
   * Remembered: tracefs keeps the inode, eventfs saves it in the ei.
   */
  chmod(node: MNode, mode: number, cred: ModelCred = ROOT): void {
    if (cred.uid !== 0 && cred.uid !== node.uid) throw new ModelError('EPERM');
    let m = mode & 0o7777;
    if (cred.uid !== 0 && !inGroup(cred, node.gid)) m &= ~0o2000;
    const a = this.attrs.get(node.path) ?? {};
    a.mode = m;
    this.attrs.set(node.path, a);
    this.changed();
  }

  /**
   * chown(2) as `cred`; -1 keeps a value. chown_ok(): only root changes the owner (the owner
   * may "change" it to itself); chgrp_ok(): the owner, to the current group or one of its own.
   * chown_common() then asks for ATTR_KILL_SUID on every non-directory, and ATTR_KILL_SGID when
   * it is S_ISGID and group-executable (or the caller is unprivileged and outside the group):
   * notify_change() turns those into a mode change, whoever the caller is.
   */
  chown(node: MNode, uid: number, gid: number, cred: ModelCred = ROOT): void {
    if (cred.uid !== 0) {
      const owner = cred.uid === node.uid;
      if (uid !== -1 && !(owner && uid === node.uid)) throw new ModelError('EPERM');
      if (gid !== -1 && !(owner && (gid === node.gid || inGroup(cred, gid))))
        throw new ModelError('EPERM');
    }
    const a = this.attrs.get(node.path) ?? {};
    if (node.kind === 'file') {
      let m = node.mode & 0o7777;
      const capable = cred.uid === 0;
      if ((m & 0o4000) !== 0) m &= ~0o4000;
      if ((m & 0o2000) !== 0 && ((m & 0o010) !== 0 || !(capable || inGroup(cred, node.gid))))
        m &= ~0o2000;
      if (m !== (node.mode & 0o7777)) {
        // setattr_prepare() on the resulting ATTR_MODE: S_ISGID needs the (new) group.
        if (!capable && !inGroup(cred, gid === -1 ? node.gid : gid)) m &= ~0o2000;
        a.mode = m;
      }
    }
    if (uid !== -1) a.uid = uid;
    if (gid !== -1) a.gid = gid;
    this.attrs.set(node.path, a);
    this.changed();
  }

  /** A subtree went away: its saved attributes and inode numbers with it. */
  private forget(prefix: string): void {
    for (const k of [...this.attrs.keys()]) if (under(k, prefix)) this.attrs.delete(k);
    for (const k of [...this.inos.keys()]) if (under(k, prefix)) this.inos.delete(k);
  }

  // ---- syscalls over the model (error codes as fs/namei.c orders them) -----------------------

  /** mkdir(2): only `instances/NAME` creates anything. */
  mkdir(path: string, cred: ModelCred = ROOT): void {
    const { parent, last } = this.walkParent(path, cred);
    if (last === undefined || last === '.' || last === '..') throw new ModelError('EEXIST');
    if (this.node(join(parent.path, last)) !== undefined) throw new ModelError('EEXIST');
    if (!permitted(cred, parent, M_WRITE | M_EXEC)) throw new ModelError('EACCES');
    if (parent.path !== 'instances') throw new ModelError('EPERM');
    this.addInstance(last);
  }

  /** rmdir(2): only `instances/NAME` can go. */
  rmdir(path: string, isPinned: (inst: string) => boolean, cred: ModelCred = ROOT): void {
    const { parent, last } = this.walkParent(path, cred);
    if (last === undefined) throw new ModelError('EBUSY');
    if (last === '.') throw new ModelError('EINVAL');
    if (last === '..') throw new ModelError('ENOTEMPTY');
    const victim = this.node(join(parent.path, last));
    if (victim === undefined) throw new ModelError('ENOENT');
    // may_delete(): permission on the parent before the type of the victim.
    if (!permitted(cred, parent, M_WRITE | M_EXEC)) throw new ModelError('EACCES');
    if (victim.kind !== 'dir') throw new ModelError('ENOTDIR');
    if (parent.path !== 'instances') throw new ModelError('EPERM');
    this.removeInstance(last, isPinned);
  }

  /** filename_parentat(): the parent directory and the last component. */
  private walkParent(path: string, cred: ModelCred): { parent: MNode; last: string | undefined } {
    if (path.length === 0) throw new ModelError('ENOENT');
    const comps = path.split('/').filter((c) => c.length > 0);
    const last = comps.at(-1);
    const prefix = comps.slice(0, -1).join('/');
    const parent = prefix === '' ? this.node('/')! : this.lookup(prefix, cred);
    // The prefix walk from the root ('/' + prefix) is what lookup() above did.
    if (parent.kind !== 'dir') throw new ModelError('ENOTDIR');
    return { parent, last };
  }

  /**
   * open(path, 'w'): O_CREAT|O_TRUNC|O_WRONLY. Returns the node to write to. A missing last name
   * is EACCES (no ->create), a trailing slash with O_CREAT is EISDIR (open_last_lookups), a
   * directory is EISDIR.
   */
  openForWrite(path: string, cred: ModelCred = ROOT): MNode {
    const r = this.resolve(path, cred, true);
    if (!r.ok) throw new ModelError(r.code);
    const comps = path.split('/').filter((c) => c.length > 0);
    const lastIsNorm = comps.length > 0 && comps.at(-1) !== '.' && comps.at(-1) !== '..';
    if (path.endsWith('/') && lastIsNorm) throw new ModelError('EISDIR');
    if (r.node === null) {
      if (!permitted(cred, r.parent, M_WRITE | M_EXEC)) throw new ModelError('EACCES');
      throw new ModelError('EACCES');
    }
    if (r.node.kind === 'dir') throw new ModelError('EISDIR');
    if (!permitted(cred, r.node, M_WRITE)) throw new ModelError('EACCES');
    return r.node;
  }

  /** Remember (or check) an inode number; returns the expected one or undefined if new. */
  expectIno(node: MNode, seen: number): number | undefined {
    if (node.eventfs && node.kind === 'file') return FILE_INO;
    const known = this.inos.get(node.path);
    if (known !== undefined) return known;
    this.inos.set(node.path, seen);
    return undefined;
  }
}

/** Sorted `name:type` list of a model directory, for comparing with readdir. */
export function modelListing(m: RefModel, dir: MNode): string[] {
  return dir.children.map((n) => `${n}:${m.node(join(dir.path, n))!.kind}`).sort();
}
