/**
 * The built command end to end: `npx tsup` once, then `node dist/cli.js` with a script piped to
 * `shell`, and `explore`/`replay` writing their --html/--svg pictures. `demo` (what `npm start`
 * runs) still works.
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist', 'cli.js');
let dir = '';

beforeAll(() => {
  execSync('npx tsup --silent', { cwd: root, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'tracefs-cli-'));
}, 60_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function run(
  args: readonly string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    input: input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tracefs-sim shell with a script on stdin', () => {
  it('prints only the outputs and exits 0 when every command succeeded', () => {
    const r = run(
      ['shell'],
      [
        'pwd',
        'cd events/sched/sched_switch',
        'ls',
        "echo 'p:myprobe schedule' >> /kprobe_events",
        'cat /kprobe_events',
        'ls /events/kprobes',
        'counters',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        '/',
        'enable',
        'filter',
        'format',
        'id',
        'trigger',
        'p:kprobes/myprobe schedule',
        'enable',
        'filter',
        'myprobe',
        'dentries=12 (negative 0) inodes=12 eventfs_inodes=2119',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('tracefs:/');
  });

  it('keeps going after a failure and exits 1', () => {
    const r = run(['shell'], 'ls nope\ncat /events\necho still here\n');
    expect(r.stdout).toBe('still here\n');
    expect(r.stderr).toBe(
      "ls: cannot access 'nope': No such file or directory\ncat: /events: Is a directory\n",
    );
    expect(r.status).toBe(1);
  });

  it('exit N ends the script with that status', () => {
    const r = run(['shell'], 'echo a\nexit 3\necho never\n');
    expect(r.stdout).toBe('a\n');
    expect(r.status).toBe(3);
  });

  it('applies --variant and the mount options', () => {
    const r = run(
      ['shell', '--variant', 'rfc-lookup-d_add', '--uid', '1000', '--gid', '100', '--mode', '0750'],
      'ls -ld /\n',
    );
    expect(r.stdout).toBe('drwxr-x--- 4 1000 100 0 /\n');
    expect(r.status).toBe(0);
  });

  it('rejects bad options with the usage and status 2', () => {
    const r = run(['shell', '--variant', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tracefs-sim: no variant 'nope'/);
    expect(r.stderr).toContain('usage: tracefs-sim');
    expect(run(['shell', '--bogus']).status).toBe(2);
  });
});

describe('explore and replay --html / --svg', () => {
  it('explore writes both pictures of the failure it found', () => {
    const html = join(dir, 'explore.html');
    const svg = join(dir, 'explore.svg');
    const r = run([
      'explore',
      '--scenario',
      'robot-oops',
      '--variant',
      '852e46e239',
      '--html',
      html,
      '--svg',
      svg,
    ]);
    expect(r.status).toBe(1);
    const schedule = /^schedule: (\d+)$/m.exec(r.stdout)?.[1];
    expect(schedule).toBeDefined();
    expect(r.stderr).toContain(`wrote ${html} (15 steps, schedule ${schedule!})`);
    expect(r.stderr).toContain(`wrote ${svg} (15 steps, schedule ${schedule!})`);
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('KMSAN: uninit-value in set_top_events_ownership');
    expect(page).toContain(schedule);
    const pic = readFileSync(svg, 'utf8');
    expect(pic).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(pic).toContain('uninitialized-read');
  });

  it('keeps --json output clean: the notes go to stderr', () => {
    const html = join(dir, 'json.html');
    const r = run([
      'explore',
      '--scenario',
      'robot-oops',
      '--variant',
      '852e46e239',
      '--json',
      '--html',
      html,
    ]);
    const parsed = JSON.parse(r.stdout) as { failures: unknown[] };
    expect(parsed.failures).toHaveLength(1);
    expect(r.stderr).toContain(`wrote ${html}`);
  });

  it('explore without a failure pictures the default interleaving', () => {
    const svg = join(dir, 'clean.svg');
    const r = run(['explore', '--scenario', 'robot-oops', '--variant', 'fixed', '--svg', svg]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('no failure found: the pictures show the default interleaving');
    expect(readFileSync(svg, 'utf8')).toContain('no violation along this schedule');
  });

  it('replay writes the pictures of the given schedule', () => {
    const html = join(dir, 'replay.html');
    const r = run([
      'replay',
      '--scenario',
      'robot-oops',
      '--variant',
      '852e46e239',
      '000000000001111',
      '--html',
      html,
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('BUG: KMSAN: uninit-value in set_top_events_ownership');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('id="violation"');
    expect(page).toContain('000000000001111');
  });

  it('an empty file name is a usage error', () => {
    const r = run(['replay', '--scenario', 'robot-oops', '0', '--html', '']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--html takes a file name');
  });
});

describe('demo (npm start)', () => {
  it('still runs and exits 0', () => {
    const r = run(['demo']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      '# tracefs-sim demo: a tracefs mount with the fixed eventfs (v6.8)',
    );
    expect(r.stdout).toContain('invariants: all hold');
  });
});
