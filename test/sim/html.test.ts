/**
 * The timeline pictures: replayWithSnapshots agrees with replay and snapshots what it should,
 * and the HTML and SVG renderers produce standalone, well-formed documents that show every
 * step, the violation and the schedule. No DOM here: string checks and a small tag-balance
 * parser.
 */
import { describe, expect, it } from 'vitest';
import {
  classifyStep,
  createCatalog,
  explore,
  renderTimelineHtml,
  renderTimelineSvg,
  replay,
  replayWithSnapshots,
  scenarios,
  SNAPSHOT_DENTRIES,
  type SimConfig,
  type TimelineInput,
  type TraceStep,
} from '../../src/index';

const VOID = new Set(['meta', 'input', 'br', 'link', 'img', 'hr', 'wbr', 'col', 'source']);

/**
 * Check that tags balance. `xml`: every element must be closed (or self-closed); otherwise HTML
 * void elements need no end tag. Script and style contents and comments are skipped. Returns
 * the problems found and the element counts by name.
 */
function checkTags(doc: string, xml: boolean): { problems: string[]; counts: Map<string, number> } {
  const problems: string[] = [];
  const counts = new Map<string, number>();
  const stack: string[] = [];
  const body = doc
    .replace(/<\?xml[^>]*\?>/, '')
    .replace(/<!DOCTYPE[^>]*>/i, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/(<(script|style)\b[^>]*>)[\s\S]*?(<\/\2>)/g, '$1$3');
  const tag =
    /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(body); m !== null; m = tag.exec(body)) {
    const between = body.slice(last, m.index);
    if (between.includes('<') || between.includes('>'))
      problems.push(`stray angle bracket near: ${between.slice(0, 60)}`);
    if (/&(?!(?:amp|lt|gt|quot|#39|#\d+|#x[0-9a-f]+);)/i.test(between))
      problems.push(`unescaped & near: ${between.slice(0, 60)}`);
    last = tag.lastIndex;
    const [, close, name, attrs, self] = m;
    const n = name!.toLowerCase();
    if (xml && /\s[\w:-]+\s*=\s*[^\s"']/.test(attrs!))
      problems.push(`unquoted attribute in <${n}>`);
    if (close === '/') {
      const top = stack.pop();
      if (top !== n) problems.push(`</${n}> closes <${top ?? 'nothing'}>`);
      continue;
    }
    counts.set(n, (counts.get(n) ?? 0) + 1);
    if (self === '/' || (!xml && VOID.has(n))) continue;
    stack.push(n);
  }
  if (/[<>]/.test(body.slice(last).trim())) problems.push('trailing angle bracket');
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return { problems, counts };
}

/** Text as the renderers escape it. */
function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const robot = scenarios['robot-oops']!;
const robotCfg: SimConfig = { ...robot.config, variant: '852e46e239' };
const robotFailure = explore({ ...robotCfg, strategy: { kind: 'dfs', preemptionBound: 2 } })
  .failures[0]!;

describe('replayWithSnapshots', () => {
  it('runs the same interleaving as replay', () => {
    const a = replay(robotCfg, robotFailure.schedule);
    const b = replayWithSnapshots(robotCfg, robotFailure.schedule);
    expect(b.trace).toEqual(a.trace);
    expect(b.violation).toEqual(a.violation);
    expect(b.schedule).toBe(a.schedule);
    expect(b.results).toEqual(a.results);
    expect(b.preemptions).toBe(robotFailure.preemptions);
    expect(b.cpuNames).toEqual(['cpu0', 'cpu1']);
  });

  it('completes a short schedule with the default policy, like replay', () => {
    const cfg: SimConfig = { ...robot.config, variant: 'fixed' };
    const a = replay(cfg, '1');
    const b = replayWithSnapshots(cfg, '1');
    expect(b.schedule).toBe(a.schedule);
    expect(b.violation).toBeNull();
    expect(b.snapshots).toHaveLength(b.trace.length);
  });

  it('snapshots locks, CPUs, counters and dentries after every step', () => {
    const r = replayWithSnapshots(robotCfg, robotFailure.schedule);
    expect(r.snapshots).toHaveLength(r.trace.length);
    expect(r.initial.counters).toEqual({
      dentries: 9,
      negativeDentries: 0,
      inodes: 9,
      eventfsInodes: 6,
    });
    expect(r.initial.locks.map((l) => l.name)).toEqual(['eventfs_mutex', 'event_mutex']);
    expect(r.initial.cpus.map((c) => c.state)).toEqual(['idle', 'idle']);
    // cpu0 holds the parent's i_rwsem while ->lookup publishes 'sched'.
    const publish = r.trace.findIndex((t) => t.what.includes('ti->private not set'));
    expect(publish).toBeGreaterThan(0);
    const s = r.snapshots[publish]!;
    expect(s.locks).toContainEqual({ name: 'i_rwsem(events)', holders: ['cpu0'] });
    expect(s.cpus[0]!.held).toEqual(['i_rwsem(events)']);
    expect(s.dentries.find((d) => d.path === 'events/sched')).toMatchObject({
      negative: false,
      hashed: true,
    });
    // Before the publish the same dentry was negative: d_add('sched', NULL).
    const dAdd = r.trace.findIndex((t) => t.what.startsWith("d_add('sched', NULL)"));
    expect(r.snapshots[dAdd]!.dentries.find((d) => d.path === 'events/sched')?.negative).toBe(true);
    expect(r.snapshots[dAdd]!.counters.negativeDentries).toBe(1);
    expect(r.final.counters).toEqual(r.snapshots[r.snapshots.length - 1]!.counters);
  });

  it('reports a CPU waiting for a lock as blocked, and who holds it', () => {
    // Two kprobe writes; cpu1 runs from step 5 on and takes event_mutex, cpu0 then waits.
    const cfg: SimConfig = {
      tasks: [
        [{ op: 'appendFile', path: 'kprobe_events', data: 'p:a schedule\n' }],
        [{ op: 'appendFile', path: 'kprobe_events', data: 'p:b schedule\n' }],
      ],
    };
    const r = replayWithSnapshots(cfg, '000001');
    const i = r.snapshots.findIndex((s) => s.cpus.some((c) => c.state === 'blocked'));
    expect(i).toBeGreaterThan(0);
    const s = r.snapshots[i]!;
    expect(s.cpus[0]).toMatchObject({ state: 'blocked', at: 'mutex_lock(event_mutex)', held: [] });
    expect(s.cpus[1]!.held).toEqual(['event_mutex']);
    expect(s.locks).toContainEqual({ name: 'event_mutex', holders: ['cpu1'] });
    expect(r.final.cpus.map((c) => c.state)).toEqual(['done', 'done']);
  });

  it(`lists at most ${SNAPSHOT_DENTRIES} dentries and counts the rest`, () => {
    const catalog = createCatalog([
      {
        name: 'many',
        events: Array.from({ length: 12 }, (_, i) => ({ name: `ev${i}` })),
      },
    ]);
    const cfg: SimConfig = {
      catalog,
      setup: (fs) => {
        for (let i = 0; i < 12; i++) {
          fs.stat(`events/many/ev${i}/enable`);
          fs.stat(`events/many/ev${i}/id`);
        }
      },
      tasks: [[{ op: 'stat', path: 'events/many' }]],
    };
    const r = replayWithSnapshots(cfg, '');
    expect(r.initial.counters.dentries).toBe(9 + 1 + 12 * 3);
    expect(r.initial.dentries).toHaveLength(SNAPSHOT_DENTRIES);
    expect(r.initial.dentries.length + r.initial.moreDentries).toBe(r.initial.counters.dentries);
  });

  it('rejects a schedule that does not fit, like replay', () => {
    expect(() => replayWithSnapshots(robotCfg, '2')).toThrow(RangeError);
    expect(() => replayWithSnapshots(robotCfg, 'x')).toThrow(TypeError);
  });
});

describe('classifyStep', () => {
  const t = (what: string, site = 'x'): TraceStep => ({ step: 0, cpu: 0, site, what, op: 'op' });
  it('sorts steps into kinds', () => {
    expect(classifyStep(t('mutex_lock(eventfs_mutex)'))).toBe('lock');
    expect(classifyStep(t('down_read(i_rwsem)'))).toBe('lock');
    expect(classifyStep(t("publish dir 'sched' (ti->private not set yet)"))).toBe('publish');
    expect(classifyStep(t("d_add('sched', NULL)"))).toBe('publish');
    expect(classifyStep(t("new_inode for 'sched'"))).toBe('publish');
    expect(classifyStep(t("free dentry 'enable'"))).toBe('free');
    expect(classifyStep(t("d_iput('enable'", 'dentry_unlink_inode'))).toBe('free');
    expect(classifyStep(t('!! uninitialized-read in set_top_events_ownership'))).toBe('violation');
    expect(classifyStep(t('stat events/sched -> ok', 'return'))).toBe('return');
    expect(classifyStep(t("lookup 'events'"))).toBe('other');
  });
});

const robotRun = replayWithSnapshots(robotCfg, robotFailure.schedule);
const robotInput: TimelineInput = { ...robotRun, variant: '852e46e239', scenario: 'robot-oops' };

describe('renderTimelineHtml', () => {
  const html = renderTimelineHtml(robotInput);

  it('is one standalone document: no external scripts, styles, fonts or images', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<img\b/i);
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    expect(html.match(/<style>/g)).toHaveLength(1);
  });

  it('balances its tags', () => {
    const { problems, counts } = checkTags(html, false);
    expect(problems).toEqual([]);
    expect(counts.get('html')).toBe(1);
    expect(counts.get('body')).toBe(1);
  });

  it('shows every step, the report, the violation and the schedule', () => {
    for (const t of robotRun.trace) {
      expect(html).toContain(`data-step="${t.step}"`);
      expect(html).toContain(esc(t.what));
    }
    expect(html.match(/<tr class="row /g)).toHaveLength(robotRun.trace.length);
    expect(html).toContain('KMSAN: uninit-value in set_top_events_ownership');
    expect(html).toMatch(/<tr class="row kind-violation violation[^"]*"[^>]*id="violation"/);
    expect(html).toContain(robotRun.schedule);
    expect(html).toContain(
      `tracefs-sim replay --variant 852e46e239 --scenario robot-oops ${robotRun.schedule}`,
    );
    // Lanes: one column per CPU.
    expect(html).toContain('<th scope="col">CPU0<');
    expect(html).toContain('<th scope="col">CPU1<');
    // Stepping controls.
    for (const id of ['first', 'prev', 'next', 'last', 'to-violation', 'slider'])
      expect(html).toContain(`id="${id}"`);
    expect(html).toContain('>next step ▶</button>');
  });

  it('embeds the snapshots as JSON that round-trips', () => {
    const m = /<script type="application\/json" id="timeline-data">([\s\S]*?)<\/script>/.exec(html);
    expect(m).not.toBeNull();
    const data = JSON.parse(m![1]!) as {
      rows: { step: number; kind: string }[];
      snapshots: unknown[];
      lanes: string[];
    };
    expect(data.rows).toHaveLength(robotRun.trace.length);
    expect(data.rows[data.rows.length - 1]!.kind).toBe('violation');
    expect(data.snapshots).toEqual(JSON.parse(JSON.stringify(robotRun.snapshots)));
    expect(data.lanes).toEqual(['CPU0', 'CPU1']);
  });

  it('escapes what it shows, also inside the embedded JSON', () => {
    const evil: TimelineInput = {
      variant: 'fixed',
      scenario: 'x<y',
      schedule: '0',
      violation: null,
      trace: [{ step: 0, cpu: 0, site: 's', what: '</script><b>&amp;"\'', op: 'o<p' }],
    };
    const out = renderTimelineHtml(evil);
    expect(out).not.toContain('</script><b>');
    expect(out).not.toContain('<b>&amp;');
    expect(out).toContain('&lt;/script&gt;&lt;b&gt;&amp;amp;&quot;&#39;');
    expect(checkTags(out, false).problems).toEqual([]);
    expect(out).toContain('no violation');
  });

  it('adds a row for a violation no step raised (deadlock, end-of-run check)', () => {
    const input: TimelineInput = {
      variant: 'fixed',
      schedule: '01',
      trace: [
        { step: 0, cpu: 0, site: 'a', what: 'mutex_lock(m)', op: 'stat a' },
        { step: 1, cpu: 1, site: 'b', what: 'mutex_lock(n)', op: 'stat b' },
      ],
      violation: {
        kind: 'deadlock',
        site: 'x',
        message: 'deadlock: every CPU is blocked',
        step: 2,
      },
    };
    const out = renderTimelineHtml(input);
    expect(out).toMatch(
      /<tr class="row kind-violation violation switch" data-index="2" data-step="2" id="violation"><td class="stepno">2<\/td><td colspan="2">/,
    );
    expect(out).toContain('!! deadlock in x');
    expect(checkTags(out, false).problems).toEqual([]);
    expect(checkTags(renderTimelineSvg(input), true).problems).toEqual([]);
  });

  it('marks an unexpected result on its own step', () => {
    const s = scenarios['eviction-race']!;
    const cfg: SimConfig = { ...s.config, variant: '852e46e239' };
    const f = explore({ ...cfg, strategy: { kind: 'dfs', preemptionBound: 2 } }).failures[0]!;
    const run = replayWithSnapshots(cfg, f.schedule);
    const out = renderTimelineHtml({ ...run, variant: '852e46e239', scenario: s.name });
    const v = run.violation!;
    expect(out).toContain(`data-step="${v.step}" id="violation"`);
    expect(out.match(/<tr class="row /g)).toHaveLength(run.trace.length);
    expect(out).toContain('CPU1 (kswapd1)');
  });
});

describe('renderTimelineSvg', () => {
  const svg = renderTimelineSvg(robotInput);

  it('is a well-formed standalone SVG document', () => {
    expect(
      svg.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"',
      ),
    ).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const { problems, counts } = checkTags(svg, true);
    expect(problems).toEqual([]);
    expect(counts.get('svg')).toBe(1);
    expect(svg).not.toMatch(/(?:xlink:)?href=/);
    expect(svg).not.toMatch(/<(?:script|foreignObject|image)\b/);
    const [, w, h] = /width="(\d+)" height="(\d+)" viewBox="0 0 \1 \2"/.exec(svg) ?? [];
    expect(Number(w)).toBeGreaterThan(400);
    expect(Number(h)).toBeGreaterThan(300);
  });

  it('draws one block per step with the violation marked', () => {
    expect(svg.match(/<g class="step /g)).toHaveLength(robotRun.trace.length);
    expect(svg.match(/<g class="step kind-violation"/g)).toHaveLength(1);
    expect(svg).toContain('✖ 14');
    expect(svg).toContain('KMSAN: uninit-value in set_top_events_ownership');
    expect(svg).toContain(robotRun.schedule);
    expect(svg).toContain('CPU0');
    expect(svg).toContain('CPU1');
    for (const t of robotRun.trace) expect(svg).toContain(esc(`${t.site}: ${t.what}`));
    // A legend with every kind.
    for (const label of ['lock acquire', 'free / release', 'violation', 'context switch'])
      expect(svg).toContain(`>${label}</text>`);
  });

  it('escapes text', () => {
    const out = renderTimelineSvg({
      variant: 'fixed',
      schedule: '0',
      violation: null,
      trace: [{ step: 0, cpu: 0, site: 's&t', what: '<x> & "y"', op: '' }],
    });
    expect(checkTags(out, true).problems).toEqual([]);
    expect(out).toContain('&lt;x&gt; &amp; &quot;y&quot;');
  });
});
