/**
 * The recipe of docs/node-fs-adapter.md: code written against node:fs (fixtures/consumer.ts)
 * runs unchanged against the model through vi.mock('node:fs', ...), with '/sys/kernel/tracing'
 * mapped to the mount root.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Tracefs } from '../../src/index';

// vi.mock() is hoisted above the imports: share what the factory builds through vi.hoisted().
const mocked = vi.hoisted(() => ({ tracefs: undefined as Tracefs | undefined }));

vi.mock('node:fs', async () => {
  const { createCatalog, createFs, mount } = await import('../../src/index');
  const tracefs = mount({
    catalog: createCatalog([
      { name: 'demo', events: [{ name: 'tick' }, { name: 'tock' }] },
      { name: 'sched', events: [{ name: 'sched_switch' }, { name: 'sched_wakeup' }] },
    ]),
  });
  mocked.tracefs = tracefs;
  const fs = createFs(tracefs, {
    root: '/sys/kernel/tracing',
    // Consumers that call Buffer methods get Buffers.
    toBuffer: (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  });
  return { ...fs, default: fs };
});

// Imported after the mock is registered (vi.mock is hoisted, so this is the mocked node:fs).
import { enableEvent, listEvents } from './fixtures/consumer';
import * as fsModule from 'node:fs';
import fsDefault from 'node:fs';

const ROOT = '/sys/kernel/tracing';

describe('vi.mock(node:fs) with createFs', () => {
  it('the consumer lists the model events', () => {
    expect(listEvents(ROOT)).toEqual([
      'demo/tick',
      'demo/tock',
      'sched/sched_switch',
      'sched/sched_wakeup',
    ]);
  });

  it('the consumer enables an event and reads set_event back', () => {
    expect(enableEvent(ROOT, 'sched/sched_switch')).toBe('sched:sched_switch\n');
    expect(enableEvent(ROOT, 'demo/tock')).toBe('demo:tock\nsched:sched_switch\n');
    // The same state, seen through the model itself.
    expect(mocked.tracefs!.readFile('events/sched/sched_switch/enable')).toBe('1\n');
  });

  it('the consumer sees Node-shaped errors', () => {
    let err: unknown;
    try {
      enableEvent(ROOT, 'demo/nope');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'ENOENT',
      syscall: 'open',
      path: `${ROOT}/events/demo/nope/enable`,
    });
    expect(() => listEvents('/sys/kernel/debug/tracing')).toThrow(
      "ENOENT: no such file or directory, scandir '/sys/kernel/debug/tracing/events'",
    );
  });

  it('named and default exports are the adapter', () => {
    expect(fsModule.existsSync(`${ROOT}/set_event`)).toBe(true);
    expect(fsDefault.existsSync(`${ROOT}/trace_pipe`)).toBe(false);
    expect(Buffer.isBuffer(fsModule.readFileSync(`${ROOT}/events/demo/tick/id`))).toBe(true);
  });
});

describe('a fresh mount per test with vi.doMock', () => {
  beforeEach(() => {
    vi.resetModules();
  });

  it('rebinds node:fs for the next dynamic import', async () => {
    const { createFs, mount, createCatalog } = await import('../../src/index');
    const tracefs = mount({
      catalog: createCatalog([{ name: 'only', events: [{ name: 'one' }] }]),
    });
    vi.doMock('node:fs', () => {
      const fs = createFs(tracefs, { root: ROOT });
      return { ...fs, default: fs };
    });
    const consumer = await import('./fixtures/consumer');
    expect(consumer.listEvents(ROOT)).toEqual(['only/one']);
    expect(consumer.enableEvent(ROOT, 'only/one')).toBe('only:one\n');
    vi.doUnmock('node:fs');
  });

  it('and the next test starts from another mount', async () => {
    const { createFs, mount, createCatalog } = await import('../../src/index');
    const tracefs = mount({
      catalog: createCatalog([{ name: 'other', events: [{ name: 'two' }] }]),
    });
    vi.doMock('node:fs', () => {
      const fs = createFs(tracefs, { root: ROOT });
      return { ...fs, default: fs };
    });
    const consumer = await import('./fixtures/consumer');
    expect(consumer.listEvents(ROOT)).toEqual(['other/two']);
    expect(consumer.enableEvent(ROOT, 'other/two')).toBe('other:two\n');
    vi.doUnmock('node:fs');
  });
});
