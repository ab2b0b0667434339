#!/usr/bin/env node
/**
 * Render the HTML timeline of the kernel test robot's oops (robot-oops on 852e46e239), open it
 * in headless Chromium through playwright-core, step through it with the "next step" button and
 * the arrow keys, check that the highlighted step follows and that the violation row is shown,
 * and save a screenshot.
 *
 *   npm run build && node scripts/screenshot-timeline.mjs [--out /tmp/timeline.png]
 *
 * Without /usr/bin/chromium (or playwright-core) it prints 'skipped' and exits 0, so CI without
 * a browser is not broken. Exit status 1 means a check failed.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';
const root = resolve(import.meta.dirname, '..');
const outIdx = process.argv.indexOf('--out');
const out = outIdx > 0 ? process.argv[outIdx + 1] : '/tmp/timeline.png';

function skip(why) {
  console.log(`screenshot-timeline: skipped (${why})`);
  process.exit(0);
}

function check(cond, what) {
  if (!cond) {
    console.error(`screenshot-timeline: FAILED: ${what}`);
    process.exitCode = 1;
    throw new Error(what);
  }
  console.log(`  ok  ${what}`);
}

if (!existsSync(CHROMIUM))
  skip(`${CHROMIUM} is missing; apt-get install chromium to run this check`);

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  skip('playwright-core is not installed');
}

const dist = join(root, 'dist', 'index.js');
if (!existsSync(dist)) {
  console.error('screenshot-timeline: dist/index.js is missing: run `npm run build` first');
  process.exit(1);
}
const lib = await import(pathToFileURL(dist).href);
if (typeof lib.renderTimelineHtml !== 'function') {
  console.error(
    'screenshot-timeline: dist/ predates renderTimelineHtml: run `npm run build` first',
  );
  process.exit(1);
}

// The failure, as `tracefs-sim explore --scenario robot-oops --variant 852e46e239 --html` finds it.
const variant = '852e46e239';
const scenario = lib.scenarios['robot-oops'];
const cfg = { ...scenario.config, variant };
const found = lib.explore({ ...cfg, strategy: { kind: 'dfs', preemptionBound: 2 } });
const failure = found.failures[0];
if (failure === undefined) {
  console.error('screenshot-timeline: the simulator did not reproduce robot-oops on 852e46e239');
  process.exit(1);
}
const run = lib.replayWithSnapshots(cfg, failure.schedule);
const html = lib.renderTimelineHtml({ ...run, variant, scenario: 'robot-oops' });
const dir = mkdtempSync(join(tmpdir(), 'tracefs-timeline-'));
const file = join(dir, 'timeline.html');
writeFileSync(file, html);
console.log(`screenshot-timeline: ${file} (schedule ${run.schedule}, ${run.trace.length} steps)`);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  // The page is self-contained: any request beyond the file itself is a bug.
  const requests = [];
  page.on('request', (r) => {
    if (r.url() !== pathToFileURL(file).href) requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);

  const current = async () => Number(await page.getAttribute('tr.row.current', 'data-step'));
  const position = async () => (await page.textContent('#pos'))?.trim();

  check((await current()) === 0, 'the page opens on step 0');
  check(
    (await position()) === `step 0 of ${run.trace.length - 1}`,
    `the position reads "${await position()}"`,
  );

  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'next step' }).click();
  check(
    (await current()) === 3,
    `three clicks on "next step" highlight step 3 (got ${await current()})`,
  );
  check((await page.locator('tr.row.current').count()) === 1, 'exactly one row is highlighted');
  check(
    (await page.textContent('#state h2'))?.includes('State after step 3'),
    'the state panel follows the highlighted step',
  );
  await page.getByRole('button', { name: 'prev step' }).click();
  check((await current()) === 2, '"prev step" goes back to step 2');

  // The keyboard: → to the step that publishes 'sched' before ti->private is set.
  const publish = run.trace.findIndex((t) => t.what.includes('ti->private not set'));
  check(publish > 2, `the trace has the publish step (${publish})`);
  for (let k = await current(); k < publish; k++) await page.keyboard.press('ArrowRight');
  check((await current()) === publish, `→ keys reach step ${publish}`);
  const state = (await page.textContent('#state')) ?? '';
  // cpu0 is inside ->lookup: it holds the parent's i_rwsem (shared) across the publish.
  check(
    /i_rwsem\(events\)\s*held by cpu0/.test(state),
    'the state panel shows i_rwsem(events) held by cpu0',
  );
  check(/eventfs_mutex\s*free/.test(state), 'and eventfs_mutex free between its critical sections');
  check(
    /dentries\s*\d+/.test(state) && state.includes('events/sched'),
    'the state panel lists counters and dentries',
  );

  const violation = page.locator('#violation');
  check(await violation.isVisible(), 'the violation row is visible');
  const vtext = (await violation.textContent()) ?? '';
  check(
    vtext.includes('!! uninitialized-read in set_top_events_ownership'),
    `the violation row reads "${vtext.trim()}"`,
  );
  check(
    ((await page.textContent('#report')) ?? '').includes(
      'KMSAN: uninit-value in set_top_events_ownership',
    ),
    'the report at the top names the KMSAN splat',
  );
  check(
    ((await page.textContent('header')) ?? '').includes(run.schedule),
    'the header shows the schedule',
  );
  check(errors.length === 0, `no script errors${errors.length ? `: ${errors.join('; ')}` : ''}`);
  check(
    requests.length === 0,
    `no external requests${requests.length ? `: ${requests.join(', ')}` : ''}`,
  );

  await page.screenshot({ path: out, fullPage: true });
  console.log(`screenshot-timeline: saved ${out} (highlighted step ${await current()})`);
} finally {
  await browser.close();
}
