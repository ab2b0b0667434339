/**
 * A self-contained HTML page of one interleaving: per-CPU swim lanes (one column per CPU, one
 * row per step, blocks coloured by what the step did), the failure report on top, and a stepper
 * (slider, buttons, ← → keys) that shows the machine's state after each step: who holds which
 * lock, what each CPU waits for, the object counters and the live dentries. The state comes from
 * {@link replayWithSnapshots}, which runs a schedule on a {@link Machine} and snapshots it after
 * every step. Everything here is pure: strings in, strings out; the CLI writes the files.
 */
import type { Counters } from '../facade';
import type { Violation } from '../vfs/errors';
import type { Lock } from '../vfs/sched';
import { execute, followSchedule } from './explore';
import type { Machine, SimConfig, TraceStep } from './machine';
import type { OpResult } from './ops';
import { formatViolation } from './report';

/** What a step did, for colouring. */
export type StepKind = 'lock' | 'publish' | 'free' | 'violation' | 'return' | 'other';

/** Legend order and labels of {@link StepKind}s. */
export const STEP_KINDS: readonly { readonly kind: StepKind; readonly label: string }[] = [
  { kind: 'lock', label: 'lock acquire' },
  { kind: 'publish', label: 'publish (d_add, d_instantiate, new inode)' },
  { kind: 'free', label: 'free / release' },
  { kind: 'return', label: 'operation returns' },
  { kind: 'other', label: 'other step' },
  { kind: 'violation', label: 'violation' },
];

/** Colours of the step kinds: the block border/accent and its fill. */
export const KIND_COLORS: Readonly<Record<StepKind, { readonly fg: string; readonly bg: string }>> =
  {
    lock: { fg: '#d97706', bg: '#fff3d6' },
    publish: { fg: '#15803d', bg: '#e2f5e7' },
    free: { fg: '#7c3aed', bg: '#efe8fd' },
    return: { fg: '#2563eb', bg: '#e4ecfd' },
    other: { fg: '#64748b', bg: '#eef1f5' },
    violation: { fg: '#b91c1c', bg: '#fbd5d5' },
  };

const FREE_SITES = new Set([
  'dentry_free',
  '__dentry_kill',
  'dentry_unlink_inode',
  'call_srcu',
  'eventfs_workfn',
  'simple_recursive_removal',
]);

/** Classify a trace step by the interleaving point it reached. */
export function classifyStep(t: TraceStep): StepKind {
  if (t.what.startsWith('!!')) return 'violation';
  if (t.site === 'return') return 'return';
  if (/^(?:mutex_lock|down_read|down_write|spin_lock)\(/.test(t.what)) return 'lock';
  if (/^(?:publish |d_add\(|d_instantiate|new_inode)/.test(t.what)) return 'publish';
  if (FREE_SITES.has(t.site) || /^(?:free |d_release|d_iput|dput|kfree|remove )/.test(t.what))
    return 'free';
  return 'other';
}

/** One lock and its holders at a step. */
export interface LockState {
  readonly name: string;
  /** Task names (cpu0, kswapd2, ...); empty when free. */
  readonly holders: readonly string[];
}

/** One CPU at a step. */
export interface CpuState {
  readonly name: string;
  /** done, blocked (waiting for a lock or condition), runnable (stopped at a point), idle. */
  readonly state: 'done' | 'blocked' | 'runnable' | 'idle';
  /** The interleaving point it stopped at, if any. */
  readonly at: string;
  /** The operation it is running. */
  readonly op: string;
  /** Locks it holds, in acquisition order. */
  readonly held: readonly string[];
}

/** One live dentry at a step. */
export interface DentryState {
  /** Creation serial: tells apart two dentries of one path. */
  readonly id: number;
  /** Path from the mount root ('/' for the root). */
  readonly path: string;
  /** d_lockref.count. */
  readonly count: number;
  readonly negative: boolean;
  /** On its parent's hash chain. */
  readonly hashed: boolean;
}

/** The machine's state after a step. */
export interface StepSnapshot {
  readonly locks: readonly LockState[];
  readonly cpus: readonly CpuState[];
  readonly counters: Counters;
  /** Live dentries by creation order, at most {@link SNAPSHOT_DENTRIES}. */
  readonly dentries: readonly DentryState[];
  /** Live dentries left out of `dentries`. */
  readonly moreDentries: number;
}

/** How many dentries a snapshot lists. */
export const SNAPSHOT_DENTRIES = 40;

/** What {@link replayWithSnapshots} returns: a replay plus the state after every step. */
export interface SnapshotReplay {
  readonly violation: Violation | null;
  readonly trace: readonly TraceStep[];
  readonly results: readonly (readonly OpResult[])[];
  /** The schedule actually run (completed by the default policy if short). */
  readonly schedule: string;
  /** Context switches away from a CPU that could have continued. */
  readonly preemptions: number;
  /** Task names per CPU (cpu0, cpu1, ..., kswapdN for the memory-pressure CPU). */
  readonly cpuNames: readonly string[];
  /** The state before the first step (after setup). */
  readonly initial: StepSnapshot;
  /** `snapshots[i]`: the state after `trace[i]`. */
  readonly snapshots: readonly StepSnapshot[];
  /** The state once the run ended (differs from the last snapshot only by end-of-run checks). */
  readonly final: StepSnapshot;
}

function snapshot(m: Machine): StepSnapshot {
  const fs = m.fs;
  const dentries: DentryState[] = [];
  const lockNames = new Map<Lock, string>();
  const live = [...fs.tracefs.sb.dcache.live].filter((d) => !d.isPoisoned);
  live.sort((a, b) => a.serial - b.serial);
  for (const d of live) {
    try {
      const path = d.path() || '/';
      const inode = d.inode;
      if (inode !== null && !inode.isPoisoned) lockNames.set(inode.lock, `i_rwsem(${path})`);
      if (dentries.length < SNAPSHOT_DENTRIES) {
        dentries.push({
          id: d.serial,
          path,
          count: d.count,
          negative: inode === null,
          hashed: d.hashed,
        });
      }
    } catch {
      // A half-torn-down dentry (the run oopsed): leave it out of the picture.
    }
  }
  const name = (l: Lock): string => lockNames.get(l) ?? l.name;
  const locks: LockState[] = [fs.eventfs.mutex, fs.tracing.eventMutex].map((l) => ({
    name: l.name,
    holders: l.owner === null ? [] : [l.owner.name],
  }));
  const cpus: CpuState[] = m.cpus.map((c) => {
    const p = c.pending;
    let state: CpuState['state'];
    if (c.done) state = 'done';
    else if (p === null) state = 'idle';
    else if (p.kind === 'block' && !p.ready()) state = 'blocked';
    else state = 'runnable';
    const held = c.task.held.map(name);
    for (const l of c.task.held) {
      if (l === fs.eventfs.mutex || l === fs.tracing.eventMutex) continue;
      const n = name(l);
      const have = locks.find((x) => x.name === n);
      if (have === undefined) locks.push({ name: n, holders: [c.task.name] });
      else if (!have.holders.includes(c.task.name)) (have.holders as string[]).push(c.task.name);
    }
    return {
      name: c.task.name,
      state,
      at: c.done ? '' : (p?.what ?? ''),
      op: c.done ? '' : c.current,
      held,
    };
  });
  return {
    locks,
    cpus,
    counters: fs.counters(),
    dentries,
    moreDentries: Math.max(0, live.length - dentries.length),
  };
}

/**
 * Replay `schedule` like {@link replay} (past its end the default policy finishes the run) and
 * snapshot the machine after every step: locks and their holders, per-CPU state, the counters,
 * and up to {@link SNAPSHOT_DENTRIES} live dentries.
 */
export function replayWithSnapshots(cfg: SimConfig, schedule: string): SnapshotReplay {
  let initial: StepSnapshot | null = null;
  const snapshots: StepSnapshot[] = [];
  const run = execute(cfg, followSchedule(schedule), (m, step) => {
    if (step < 0) initial = snapshot(m);
    else snapshots.push(snapshot(m));
  });
  const m = run.machine;
  return {
    violation: m.violation,
    trace: m.trace,
    results: m.results(),
    schedule: run.choices.join(''),
    preemptions: run.preemptions,
    cpuNames: m.cpus.map((c) => c.task.name),
    initial: initial!,
    snapshots,
    final: snapshot(m),
  };
}

/** What the renderers draw. A {@link SnapshotReplay} plus a variant is enough. */
export interface TimelineInput {
  readonly variant: string;
  /** Scenario name, for the title and the replay command. */
  readonly scenario?: string;
  /** A title; default: "<scenario> on <variant>". */
  readonly title?: string;
  readonly schedule: string;
  readonly trace: readonly TraceStep[];
  readonly violation: Violation | null;
  readonly preemptions?: number;
  readonly cpuNames?: readonly string[];
  /** State after each step (aligned with `trace`); without them the page has no state panel. */
  readonly snapshots?: readonly StepSnapshot[];
  readonly initial?: StepSnapshot;
  readonly final?: StepSnapshot;
}

/** Escape text for HTML/XML content and attribute values. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** One row of a rendered timeline. */
export interface TimelineRow {
  readonly step: number;
  /** Lane, or null for a row across every lane (a deadlock or end-of-run finding). */
  readonly cpu: number | null;
  readonly what: string;
  readonly site: string;
  readonly op: string;
  readonly kind: StepKind;
  /** The CPU differs from the previous row's. */
  readonly switched: boolean;
}

/** The rows to draw: the trace, the violation's step marked, and a final row for a violation no step raised. */
export function timelineRows(input: TimelineInput): TimelineRow[] {
  const v = input.violation;
  const vStep = v?.step;
  const rows: TimelineRow[] = input.trace.map((t, i) => ({
    step: t.step,
    cpu: t.cpu,
    what: t.what,
    site: t.site,
    op: t.op,
    kind: v !== null && vStep === t.step ? 'violation' : classifyStep(t),
    switched: i > 0 && input.trace[i - 1]!.cpu !== t.cpu,
  }));
  if (v !== null && !rows.some((r) => r.kind === 'violation')) {
    const cpu = v.cpu !== undefined && v.cpu < laneCount(input) ? v.cpu : null;
    rows.push({
      step: input.trace.length,
      cpu,
      what: `!! ${v.kind} in ${v.site}`,
      site: v.site,
      op: cpu === null ? 'end of run' : (lastOp(input.trace, cpu) ?? ''),
      kind: 'violation',
      switched: true,
    });
  }
  return rows;
}

/** Number of lanes (CPUs). */
export function laneCount(input: TimelineInput): number {
  return Math.max(input.cpuNames?.length ?? 0, ...input.trace.map((t) => t.cpu + 1), 1);
}

/** Lane names: CPU0 (cpu0), ... */
export function laneNames(input: TimelineInput): string[] {
  return Array.from({ length: laneCount(input) }, (_, i) => {
    const task = input.cpuNames?.[i];
    return task !== undefined && task !== `cpu${i}` ? `CPU${i} (${task})` : `CPU${i}`;
  });
}

/** The operations a lane ran, in order. */
export function laneOps(input: TimelineInput, cpu: number): string[] {
  const ops: string[] = [];
  for (const t of input.trace) {
    if (t.cpu === cpu && t.op !== '' && ops[ops.length - 1] !== t.op) ops.push(t.op);
  }
  return ops;
}

function lastOp(trace: readonly TraceStep[], cpu: number | undefined): string | undefined {
  return [...trace].reverse().find((t) => t.cpu === cpu)?.op;
}

/** The page title. */
export function timelineTitle(input: TimelineInput): string {
  if (input.title !== undefined) return input.title;
  return input.scenario !== undefined
    ? `${input.scenario} on ${input.variant}`
    : `interleaving on ${input.variant}`;
}

/** The replay command line of the input. */
export function replayCommand(input: TimelineInput): string {
  return input.scenario !== undefined
    ? `tracefs-sim replay --variant ${input.variant} --scenario ${input.scenario} ${input.schedule}`
    : `replay(config, '${input.schedule}')`;
}

/** The report block: the violation like a kernel report, or a clean-run note. */
export function reportText(input: TimelineInput): string {
  const v = input.violation;
  if (v === null) {
    return `no violation: ${timelineTitle(input)} ran clean along this schedule (${input.trace.length} steps)`;
  }
  return formatViolation(v, input.variant, lastOp(input.trace, v.cpu));
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const CSS = `
:root { --ink:#1c2430; --muted:#5b6675; --line:#d9dee5; --paper:#ffffff; --bg:#f3f5f8; --hl:#fff4c2; --hl-edge:#e0a800; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif; }
.mono, pre, code, .block, td.stepno, .dtable td, .ltable td { font-family: ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,"Liberation Mono",monospace; }
header { background:#1c2733; color:#fff; padding:14px 24px 12px; }
header h1 { margin:0; font-size:19px; font-weight:600; letter-spacing:.01em; }
header .meta { margin-top:4px; color:#c5cfdb; font-size:13px; }
header .meta code { color:#fff; background:#2c3a4a; padding:1px 6px; border-radius:4px; }
.wrap { padding:16px 24px 28px; }
.report { margin:0 0 14px; background:#fff; border:1px solid #f1c4c4; border-left:5px solid #c62828; border-radius:6px; padding:10px 14px; font-size:12.5px; line-height:1.45; white-space:pre-wrap; overflow-wrap:anywhere; }
.report.clean { border-color:#bfe3c9; border-left-color:#2e7d32; }
.replay { margin:-6px 0 14px; color:var(--muted); font-size:12.5px; }
.replay code { background:#e7ebf0; padding:1px 6px; border-radius:4px; color:var(--ink); }
.controls { position:sticky; top:0; z-index:5; display:flex; flex-wrap:wrap; align-items:center; gap:8px; background:var(--bg); padding:8px 0 10px; border-bottom:1px solid var(--line); margin-bottom:12px; }
.controls button { font:inherit; font-size:13px; padding:5px 11px; border:1px solid #b8c1cc; background:#fff; border-radius:6px; cursor:pointer; color:var(--ink); }
.controls button:hover { background:#eef2f7; }
.controls button.danger { border-color:#e3a5a5; color:#a51d1d; }
.controls input[type=range] { flex:1 1 220px; min-width:160px; accent-color:#1c2733; }
.controls .pos { font-variant-numeric:tabular-nums; min-width:11em; font-weight:600; }
.controls .hint { color:var(--muted); font-size:12px; }
.legend { display:flex; flex-wrap:wrap; gap:6px 16px; margin:0 0 12px; font-size:12.5px; color:var(--muted); }
.legend span { display:inline-flex; align-items:center; gap:6px; }
.legend i { display:inline-block; width:22px; height:12px; border-radius:3px; border-left:4px solid; }
.main { display:grid; grid-template-columns:minmax(0,1fr) 390px; gap:18px; align-items:start; }
@media (max-width: 1100px) { .main { grid-template-columns:1fr; } }
.lanes-box { background:var(--paper); border:1px solid var(--line); border-radius:8px; overflow:hidden; }
table.lanes { width:100%; border-collapse:separate; border-spacing:0; table-layout:fixed; }
table.lanes th { text-align:left; padding:8px 10px; background:#eef1f5; border-bottom:1px solid var(--line); font-size:13px; vertical-align:top; }
table.lanes th .ops { display:block; font-weight:400; color:var(--muted); font-size:11.5px; margin-top:2px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
table.lanes th.stepno, td.stepno { width:56px; text-align:right; padding-right:10px; color:var(--muted); }
table.lanes td { padding:2px 8px; border-left:1px solid #e8ebef; height:30px; }
table.lanes tr.switch td { border-top:1px dashed #c8cfd8; }
td.stepno { font-size:12px; border-left:none !important; font-variant-numeric:tabular-nums; }
.block { display:block; font-size:12px; padding:4px 8px; border-radius:4px; border-left:4px solid; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
tr.row { cursor:pointer; }
tr.row.future { opacity:.38; }
tr.row.violation.future { opacity:.8; }
tr.row.current td { background:var(--hl); }
tr.row.current td.stepno { color:var(--ink); font-weight:700; box-shadow: inset 4px 0 0 var(--hl-edge); }
tr.row.current .block { box-shadow:0 0 0 2px var(--ink); }
tr.row.violation .block { background:#c62828 !important; border-left-color:#7f1010 !important; color:#fff; font-weight:700; }
tr.row.violation td.stepno { color:#c62828; font-weight:700; }
.state { background:var(--paper); border:1px solid var(--line); border-radius:8px; padding:12px 14px; position:sticky; top:62px; max-height:calc(100vh - 76px); overflow:auto; }
.state h2 { font-size:15px; margin:0 0 4px; }
.state h3 { font-size:12px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:14px 0 6px; }
.state .what { font-size:12.5px; background:#f4f6f9; border-radius:6px; padding:6px 8px; overflow-wrap:anywhere; }
.state .what b { font-weight:600; }
.state table { width:100%; border-collapse:collapse; font-size:12.5px; }
.state td { padding:3px 6px; border-bottom:1px solid #edf0f3; vertical-align:top; }
.state td.num { text-align:right; font-variant-numeric:tabular-nums; }
.held { color:#a15c00; font-weight:600; }
.free-lock { color:var(--muted); }
.st-blocked { color:#b45309; font-weight:600; }
.st-done { color:var(--muted); }
.delta-up { color:#15803d; font-size:11.5px; }
.delta-down { color:#7c3aed; font-size:11.5px; }
.dtable tr.new td { background:#e6f6ea; }
.dtable tr.changed td { background:#fff4d6; }
.dtable tr.gone td { color:#8a94a3; text-decoration:line-through; }
.neg { color:#b45309; }
.muted { color:var(--muted); }
footer { color:var(--muted); font-size:12px; margin-top:16px; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('timeline-data').textContent);
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.row'));
  var slider = document.getElementById('slider');
  var pos = document.getElementById('pos');
  var state = document.getElementById('state');
  var n = rows.length;
  var cur = 0;
  if (n === 0) return;
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function snapAt(i) {
    if (!data.snapshots) return null;
    if (i < data.snapshots.length) return data.snapshots[i];
    return data.final || data.snapshots[data.snapshots.length - 1] || data.initial;
  }
  function prevSnap(i) {
    return i === 0 ? data.initial : snapAt(i - 1);
  }
  function delta(a, b) {
    var d = a - b;
    if (d > 0) return ' <span class="delta-up">+' + d + '</span>';
    if (d < 0) return ' <span class="delta-down">' + d + '</span>';
    return '';
  }
  function renderState(i) {
    if (!state) return;
    var row = data.rows[i];
    var s = snapAt(i);
    var p = prevSnap(i);
    var h = '<h2>State after step ' + row.step + '</h2>';
    h += '<div class="what mono"><b>' + esc(row.cpu === null ? 'all CPUs' : data.lanes[row.cpu]) + '</b> · ' +
      esc(row.site) + '<br>' + esc(row.what) + (row.op ? '<br><span class="muted">in ' + esc(row.op) + '</span>' : '') + '</div>';
    if (!s) { state.innerHTML = h; return; }
    h += '<h3>Locks</h3><table class="ltable">';
    s.locks.forEach(function (l) {
      h += '<tr><td>' + esc(l.name) + '</td><td>' + (l.holders.length
        ? '<span class="held">held by ' + esc(l.holders.join(', ')) + '</span>'
        : '<span class="free-lock">free</span>') + '</td></tr>';
    });
    h += '</table><h3>CPUs</h3><table>';
    s.cpus.forEach(function (c, k) {
      h += '<tr><td class="mono">' + esc(data.lanes[k] || c.name) + '</td><td><span class="st-' + c.state + '">' + c.state + '</span>' +
        (c.at ? ' <span class="muted">at</span> <span class="mono">' + esc(c.at) + '</span>' : '') +
        (c.held.length ? '<br><span class="held">holds ' + esc(c.held.join(', ')) + '</span>' : '') + '</td></tr>';
    });
    var c = s.counters, pc = p ? p.counters : c;
    h += '</table><h3>Counters</h3><table>' +
      '<tr><td>dentries</td><td class="num mono">' + c.dentries + delta(c.dentries, pc.dentries) + '</td></tr>' +
      '<tr><td>negative dentries</td><td class="num mono">' + c.negativeDentries + delta(c.negativeDentries, pc.negativeDentries) + '</td></tr>' +
      '<tr><td>inodes</td><td class="num mono">' + c.inodes + delta(c.inodes, pc.inodes) + '</td></tr>' +
      '<tr><td>eventfs_inodes</td><td class="num mono">' + c.eventfsInodes + delta(c.eventfsInodes, pc.eventfsInodes) + '</td></tr></table>';
    var before = {};
    if (p) p.dentries.forEach(function (d) { before[d.id] = d; });
    h += '<h3>Live dentries (' + (s.dentries.length + s.moreDentries) + ')</h3><table class="dtable"><tr><td class="muted">path</td><td class="num muted">count</td><td class="muted"></td></tr>';
    var seen = {};
    s.dentries.forEach(function (d) {
      var b = before[d.id];
      seen[d.id] = true;
      var cls = !b ? 'new' : (b.count !== d.count || b.negative !== d.negative || b.hashed !== d.hashed ? 'changed' : '');
      h += '<tr class="' + cls + '"><td>' + esc(d.path) + '</td><td class="num">' + d.count + '</td><td>' +
        (d.negative ? '<span class="neg">negative</span>' : 'positive') + (d.hashed ? '' : ' <span class="muted">unhashed</span>') + '</td></tr>';
    });
    if (p) p.dentries.forEach(function (d) {
      if (!seen[d.id] && s.moreDentries === 0) h += '<tr class="gone"><td>' + esc(d.path) + '</td><td class="num">' + d.count + '</td><td>freed</td></tr>';
    });
    if (s.moreDentries > 0) h += '<tr><td colspan="3" class="muted">… and ' + s.moreDentries + ' more</td></tr>';
    h += '</table>';
    state.innerHTML = h;
  }
  function go(i, scroll) {
    cur = Math.max(0, Math.min(n - 1, i));
    rows.forEach(function (r, k) {
      r.classList.toggle('current', k === cur);
      r.classList.toggle('future', k > cur);
      r.setAttribute('aria-current', k === cur ? 'step' : 'false');
    });
    slider.value = String(cur);
    pos.textContent = 'step ' + data.rows[cur].step + ' of ' + data.rows[n - 1].step;
    renderState(cur);
    if (scroll !== false) rows[cur].scrollIntoView({ block: 'nearest' });
    try { history.replaceState(null, '', '#step=' + data.rows[cur].step); } catch (e) { /* file: URLs in some browsers */ }
  }
  function byId(id, f) { var e = document.getElementById(id); if (e) e.addEventListener('click', f); }
  byId('first', function () { go(0); });
  byId('prev', function () { go(cur - 1); });
  byId('next', function () { go(cur + 1); });
  byId('last', function () { go(n - 1); });
  byId('to-violation', function () {
    for (var k = 0; k < n; k++) if (data.rows[k].kind === 'violation') return go(k);
  });
  slider.addEventListener('input', function () { go(Number(slider.value), true); });
  rows.forEach(function (r, k) { r.addEventListener('click', function () { go(k); }); });
  document.addEventListener('keydown', function (e) {
    if (e.target && e.target.tagName === 'INPUT' && e.target !== slider) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown' || e.key === 'j') { go(cur + 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp' || e.key === 'k') { go(cur - 1); e.preventDefault(); }
    else if (e.key === 'Home') { go(0); e.preventDefault(); }
    else if (e.key === 'End') { go(n - 1); e.preventDefault(); }
  });
  var m = /step=(\\d+)/.exec(location.hash);
  var start = 0;
  if (m) for (var k = 0; k < n; k++) if (data.rows[k].step === Number(m[1])) start = k;
  go(start, false);
})();
`;

/** Render one interleaving as a standalone HTML document (inline CSS and JS, no external assets). */
export function renderTimelineHtml(input: TimelineInput): string {
  const rows = timelineRows(input);
  const lanes = laneNames(input);
  const title = timelineTitle(input);
  const v = input.violation;
  const e = escapeXml;
  const head = lanes
    .map((name, i) => {
      const ops = laneOps(input, i).join(' · ');
      return `<th scope="col">${e(name)}<span class="ops" title="${e(ops)}">${e(ops || 'idle')}</span></th>`;
    })
    .join('');
  const body = rows
    .map((r, i) => {
      const cls = ['row', `kind-${r.kind}`];
      if (r.kind === 'violation') cls.push('violation');
      if (r.switched) cls.push('switch');
      const c = KIND_COLORS[r.kind];
      const block = `<span class="block" style="border-left-color:${c.fg};background:${c.bg}" title="${e(`${r.site}: ${r.what} (${r.op})`)}">${e(r.what)}</span>`;
      const cells =
        r.cpu === null
          ? `<td colspan="${lanes.length}">${block}</td>`
          : lanes.map((_, k) => `<td>${k === r.cpu ? block : ''}</td>`).join('');
      const id = r.kind === 'violation' ? ' id="violation"' : '';
      return `<tr class="${cls.join(' ')}" data-index="${i}" data-step="${r.step}"${id}><td class="stepno">${r.step}</td>${cells}</tr>`;
    })
    .join('\n');
  const legend = STEP_KINDS.map(
    ({ kind, label }) =>
      `<span><i style="border-left-color:${KIND_COLORS[kind].fg};background:${kind === 'violation' ? '#c62828' : KIND_COLORS[kind].bg}"></i>${e(label)}</span>`,
  ).join('');
  const data = {
    lanes,
    rows: rows.map((r) => ({
      step: r.step,
      cpu: r.cpu,
      what: r.what,
      site: r.site,
      op: r.op,
      kind: r.kind,
    })),
    initial: input.initial ?? null,
    snapshots: input.snapshots ?? null,
    final: input.final ?? null,
  };
  const pre = input.preemptions;
  const meta = [
    `eventfs=${input.variant}`,
    `${input.trace.length} steps`,
    ...(pre !== undefined ? [`${pre} preemption${pre === 1 ? '' : 's'}`] : []),
    `schedule <code>${e(input.schedule)}</code>`,
  ].join(' · ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tracefs-sim">
<title>${e(title)} · tracefs-sim</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${e(v === null ? title : `${title}: ${v.kind} in ${v.site}`)}</h1>
<div class="meta">${meta}</div>
</header>
<div class="wrap">
<pre class="report${v === null ? ' clean' : ''}" id="report">${e(
    reportText(input)
      .split('\n')
      .filter((l) => !/^=+$/.test(l))
      .join('\n'),
  )}</pre>
<div class="replay">replay: <code>${e(replayCommand(input))}</code></div>
<div class="controls" role="toolbar" aria-label="step through the interleaving">
<button type="button" id="first" title="first step (Home)">◀◀ first</button>
<button type="button" id="prev" title="previous step (←)">◀ prev step</button>
<button type="button" id="next" title="next step (→)">next step ▶</button>
<button type="button" id="last" title="last step (End)">last ▶▶</button>
${v !== null ? '<button type="button" class="danger" id="to-violation">jump to violation</button>' : ''}
<input type="range" id="slider" min="0" max="${Math.max(0, rows.length - 1)}" value="0" step="1" aria-label="step">
<span class="pos" id="pos" aria-live="polite">step ${rows[0]?.step ?? 0}</span>
<span class="hint">← → keys · click a row</span>
</div>
<div class="legend">${legend}</div>
<div class="main">
<div class="lanes-box">
<table class="lanes">
<thead><tr><th class="stepno" scope="col">step</th>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</div>
${input.snapshots !== undefined ? '<aside class="state" id="state" aria-live="polite"></aside>' : '<aside class="state" id="state"><p class="muted">No state snapshots in this rendering.</p></aside>'}
</div>
<footer>tracefs-sim · ${e(title)} · schedule ${e(input.schedule)}</footer>
</div>
<script type="application/json" id="timeline-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
