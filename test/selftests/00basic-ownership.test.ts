/**
 * Ports of tools/testing/selftests/ftrace/test.d/00basic/test_ownership.tc and
 * 00basic/mount_options.tc: tracefs/eventfs ownership under mount options, remount, chown and
 * chgrp, and the ownership instances inherit.
 *
 * Translation: `mount -o remount,OPTS .` is fs.remount(OPTS); `stat -c %u`/`%g` is
 * fs.stat().uid/gid; `chown U f` is fs.chown(f, U, -1) and `chgrp G f` fs.chown(f, -1, G), all
 * as root, as the selftest runs; `cd instances/NAME` prefixes the paths. The accounts the
 * scripts find in /etc/passwd and /etc/group are fixed ids (OTHER_OWNER, OTHER_GROUP).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mount, type Tracefs } from '../../src/index';
import { errno, lsl, OTHER_GROUP, OTHER_OWNER } from './helpers';

const CANARY = ['events/timer', 'events/timer/timer_cancel', 'events/timer/timer_cancel/format'];
const ALL = [
  '.',
  'events',
  'events/sched',
  'events/sched/sched_switch',
  'events/sched/sched_switch/enable',
  ...CANARY,
];

/**
 * The selftest as of v6.9 (the "Run the tests twice as leftovers can cause issues" version;
 * the v6.8 one is the same without the loop). Every `test FILE GROUP` call is one `it`.
 * Nothing of it is left out.
 */
describe('00basic/test_ownership.tc: file and directory ownership changes for eventfs', () => {
  let fs!: Tracefs;
  let originalGroup = -1;
  let originalOwner = -1;
  beforeAll(() => {
    fs = mount();
  });

  it('original_group=`stat -c %g .`; original_owner=`stat -c %u .`', () => {
    originalGroup = fs.stat('.').gid;
    originalOwner = fs.stat('.').uid;
    expect([originalOwner, originalGroup]).toEqual([0, 0]);
    expect(OTHER_GROUP).not.toBe(originalGroup);
    expect(OTHER_OWNER).not.toBe(originalOwner);
  });

  /** test(): owner and group as expected, then chown to other_owner and back. */
  const testFile = (dir: string, file: string, group: () => number, label: string): void => {
    const path = dir === '' ? file : `${dir}/${file}`;
    it(`test ${path} ${label}`, () => {
      const st = fs.stat(path);
      expect(st.uid, `owner of ${path}`).toBe(originalOwner);
      expect(st.gid, `group of ${path}`).toBe(group());
      // "Note, the remount does not update ownership so test going to and from owner"
      fs.chown(path, OTHER_OWNER, -1);
      expect(fs.stat(path).uid, `owner of ${path} after chown`).toBe(OTHER_OWNER);
      fs.chown(path, originalOwner, -1);
      expect(fs.stat(path).uid, `owner of ${path} after chown back`).toBe(originalOwner);
    });
  };
  const other = (): number => OTHER_GROUP;
  const original = (): number => originalGroup;

  const chgrpOriginal = (dir: string, file: string): void => {
    const path = dir === '' ? file : `${dir}/${file}`;
    it(`chgrp $original_group ${path}`, () => {
      fs.chown(path, -1, originalGroup);
    });
  };

  const runTests = (dir: string): void => {
    for (const d of ALL) testFile(dir, d, other, '$other_group');

    chgrpOriginal(dir, 'events');
    testFile(dir, 'events', original, '$original_group');
    for (const d of ['.', ...ALL.slice(2)]) testFile(dir, d, other, '$other_group');

    chgrpOriginal(dir, 'events/sched');
    testFile(dir, 'events/sched', original, '$original_group');
    for (const d of ['.', ...ALL.slice(3)]) testFile(dir, d, other, '$other_group');

    chgrpOriginal(dir, 'events/sched/sched_switch');
    testFile(dir, 'events/sched/sched_switch', original, '$original_group');
    for (const d of ['.', ...ALL.slice(4)]) testFile(dir, d, other, '$other_group');

    chgrpOriginal(dir, 'events/sched/sched_switch/enable');
    testFile(dir, 'events/sched/sched_switch/enable', original, '$original_group');
    for (const d of ['.', ...CANARY]) testFile(dir, d, other, '$other_group');
  };

  for (const loop of [1, 2]) {
    describe(`iteration ${loop}`, () => {
      it('mount -o remount,gid=$other_group .', () => {
        fs.remount({ gid: OTHER_GROUP });
      });

      describe('run_tests', () => {
        runTests('');
      });

      it('mount -o remount,gid=$original_group .', () => {
        fs.remount({ gid: originalGroup });
      });

      for (const d of ALL) testFile('', d, original, '$original_group');

      const instance = `instances/test-${loop}`;
      it('chgrp $other_group instances', () => {
        fs.chown('instances', -1, OTHER_GROUP);
      });
      it(`mkdir ${instance}`, () => {
        fs.mkdir(instance);
      });

      describe(`cd ${instance}; run_tests`, () => {
        runTests(instance);
      });

      it(`cd ../..; rmdir ${instance}`, () => {
        fs.rmdir(instance);
        expect(errno(() => fs.stat(instance))).toBe('ENOENT');
      });
      it('chgrp $original_group instances', () => {
        fs.chown('instances', -1, originalGroup);
      });
    });
  }

  it('(not in the selftest) the mount is consistent and nothing leaks', () => {
    expect(fs.checkInvariants()).toEqual([]);
    const before = fs.counters();
    fs.shrink();
    const after = fs.counters();
    expect(after.negativeDentries).toBe(0);
    expect(after.eventfsInodes).toBe(before.eventfsInodes);
    expect(mount().counters()).toEqual(after);
  });
});

/**
 * The same script with `ls -l` style listings: each run_tests check also seen through readdir
 * + stat of every entry, the way `ls -ln` shows it. Not in the selftest; it is what an
 * administrator running test_ownership by hand looks at.
 */
describe('00basic/test_ownership.tc, seen through `ls -ln`', () => {
  it('after remount gid=$other_group every entry shows root:$other_group', () => {
    const fs = mount();
    fs.remount({ gid: OTHER_GROUP });
    expect(lsl(fs, 'events/sched/sched_switch')).toEqual([
      `-rw-r----- 0 ${OTHER_GROUP} enable`,
      `-rw-r----- 0 ${OTHER_GROUP} filter`,
      `-rw-r----- 0 ${OTHER_GROUP} trigger`,
      `-r--r----- 0 ${OTHER_GROUP} format`,
      `-r--r----- 0 ${OTHER_GROUP} id`,
    ]);
    expect(lsl(fs, 'events/timer').slice(0, 2)).toEqual([
      `-rw-r----- 0 ${OTHER_GROUP} filter`,
      `-rw-r----- 0 ${OTHER_GROUP} enable`,
    ]);
    expect(
      lsl(fs, 'events/timer')
        .slice(2)
        .filter((l) => !l.startsWith(`drwxr-xr-x 0 ${OTHER_GROUP} `)),
    ).toEqual([]);
    expect(lsl(fs, '.').filter((l) => l.includes('?'))).toEqual([]);
    expect(lsl(fs, '.').filter((l) => l.split(' ')[2] !== String(OTHER_GROUP))).toEqual([]);
  });

  // As in the selftest, everything is looked up (cached) before the chgrp. For entries looked up
  // for the first time after a chgrp of `events`, v6.8 and the model differ (v6.8:
  // update_top_events_attr() keeps the top `events` ei following the root; the model, like
  // d57cf30c4c07 in v6.10, gives them the group chgrp saved on `events`): not asserted here.
  it('chgrp of events/sched shows on it only; the entries beneath keep following the mount', () => {
    const fs = mount();
    fs.remount({ gid: OTHER_GROUP });
    lsl(fs, 'events');
    lsl(fs, 'events/sched');
    fs.chown('events', -1, 0);
    fs.chown('events/sched', -1, 0);
    expect(lsl(fs, 'events').find((l) => l.endsWith(' sched'))).toBe('drwxr-xr-x 0 0 sched');
    expect(lsl(fs, 'events').find((l) => l.endsWith(' timer'))).toBe(
      `drwxr-xr-x 0 ${OTHER_GROUP} timer`,
    );
    expect(lsl(fs, 'events/sched').filter((l) => !l.includes(` 0 ${OTHER_GROUP} `))).toEqual([]);
  });

  it('an instance made under a chgrp-ed instances/ shows its group all the way down', () => {
    const fs = mount();
    fs.chown('instances', -1, OTHER_GROUP);
    fs.mkdir('instances/foo');
    expect(lsl(fs, 'instances')).toEqual([`drwxr-x--- 0 ${OTHER_GROUP} foo`]);
    for (const dir of ['instances/foo', 'instances/foo/events', 'instances/foo/events/sched']) {
      expect(
        lsl(fs, dir).filter((l) => !l.includes(` 0 ${OTHER_GROUP} `)),
        dir,
      ).toEqual([]);
    }
    fs.rmdir('instances/foo');
    expect(fs.checkInvariants()).toEqual([]);
  });
});

/**
 * 00basic/mount_options.tc (v6.12, "Test tracefs GID mount option"). `umount` + `mount -o
 * remount` is a remount here (the model has one superblock per mount() and no umount; the
 * options the script gives are all the remount changes). Left out: finish_ftrace/setup of the
 * harness around the unmount (they reset tracing state the check does not look at).
 */
describe('00basic/mount_options.tc: tracefs GID mount option', () => {
  let fs!: Tracefs;
  let originalGroup = -1;
  beforeAll(() => {
    fs = mount();
  });

  const checkGid = (dir: string, expected: () => number): void => {
    for (const file of [
      '.',
      'events',
      'events/sched',
      'events/sched/sched_switch',
      'events/sched/sched_switch/enable',
    ]) {
      const path = dir === '' ? file : `${dir}/${file}`;
      it(`check_gid: ${path}`, () => {
        expect(fs.stat(path).gid).toBe(expected());
      });
    }
  };

  it('original_group=$(stat -c %g .); remount with gid=$other_group', () => {
    originalGroup = fs.stat('.').gid;
    fs.remount({ gid: OTHER_GROUP });
  });
  checkGid('', () => OTHER_GROUP);

  it('create_instance: mkdir instances/test-XXXXXX', () => {
    fs.mkdir('instances/test-1');
  });
  // "Check that files created after the mount inherit the GID"
  checkGid('instances/test-1', () => OTHER_GROUP);
  it('remove_instance', () => {
    fs.rmdir('instances/test-1');
  });

  it('remount with the original gid', () => {
    fs.remount({ gid: originalGroup });
  });
  checkGid('', () => originalGroup);
});

/**
 * Not a selftest: test_ownership.tc with the roles of uid= and gid= swapped (remount uid=, chown
 * of the directories, chgrp back and forth in test()), since the selftest only exercises gid=.
 */
describe('00basic/test_ownership.tc mirrored for the uid= mount option', () => {
  let fs!: Tracefs;
  beforeAll(() => {
    fs = mount();
  });

  const testFile = (dir: string, file: string, owner: () => number): void => {
    const path = dir === '' ? file : `${dir}/${file}`;
    it(`test ${path} owner ${String(owner())}`, () => {
      const st = fs.stat(path);
      expect(st.uid, `owner of ${path}`).toBe(owner());
      expect(st.gid, `group of ${path}`).toBe(0);
      fs.chown(path, -1, OTHER_GROUP);
      expect(fs.stat(path).gid).toBe(OTHER_GROUP);
      fs.chown(path, -1, 0);
      expect(fs.stat(path).gid).toBe(0);
    });
  };

  it('mount -o remount,uid=$other_owner .', () => {
    fs.remount({ uid: OTHER_OWNER });
  });
  for (const d of ALL) testFile('', d, () => OTHER_OWNER);
  it('chown 0 events events/sched', () => {
    fs.chown('events', 0, -1);
    fs.chown('events/sched', 0, -1);
  });
  testFile('', 'events', () => 0);
  testFile('', 'events/sched', () => 0);
  for (const d of ['.', ...ALL.slice(3)]) testFile('', d, () => OTHER_OWNER);
  it('mount -o remount,uid=0 .', () => {
    fs.remount({ uid: 0 });
  });
  for (const d of ALL) testFile('', d, () => 0);
  it('chown $other_owner instances; mkdir instances/foo', () => {
    fs.chown('instances', OTHER_OWNER, -1);
    fs.mkdir('instances/foo');
  });
  for (const d of ALL) testFile('instances/foo', d, () => OTHER_OWNER);
  it('rmdir instances/foo; nothing broken', () => {
    fs.rmdir('instances/foo');
    expect(fs.checkInvariants()).toEqual([]);
  });
});
