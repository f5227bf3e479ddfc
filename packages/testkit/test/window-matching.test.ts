// What a window's pattern element matches, field by field, and how a pattern is counted
// (matchWindows) or awaited (traceWatch): over a hand-made trace, so each test names the
// exact records a rule must take and the ones it must leave.
import { PAGE_SIZE } from '@secondary-mmu/core-mm';
import type { CallbackRecord, DeviceAccessRecord, LifecycleRecord, ScanRecord } from '@secondary-mmu/mmu-notifier';
import { describe, expect, it } from 'vitest';
import type { ScenarioWindow, WindowElement } from '../src/scenario/schema.js';
import { matchWindows, traceWatch } from '../src/scenario/windows.js';
import type { ScenarioWorld } from '../src/scenario/world.js';

/** `buf` is mapped in mm 1, `other` in mm 2; driver `gpu` (device `gpu0`, mm 1) registered two subscribers. */
const BUF = 0x40_0000;
const OTHER = 0x80_0000;

type Rec =
  | ({ kind: 'callback' } & Partial<CallbackRecord>)
  | ({ kind: 'access' } & Partial<DeviceAccessRecord>)
  | ({ kind: 'lifecycle' } & Partial<LifecycleRecord>)
  | ({ kind: 'scan' } & Partial<ScanRecord>);

const cb = (r: Partial<CallbackRecord> = {}): Rec => ({ kind: 'callback', ...r });
const acc = (r: Partial<DeviceAccessRecord> = {}): Rec => ({ kind: 'access', ...r });
const life = (r: Partial<LifecycleRecord> = {}): Rec => ({ kind: 'lifecycle', ...r });
const scan = (r: Partial<ScanRecord> = {}): Rec => ({ kind: 'scan', ...r });

type Trace = { callbacks: CallbackRecord[]; accesses: DeviceAccessRecord[]; lifecycle: LifecycleRecord[]; scans: ScanRecord[] };

/** A world whose trace holds `records`, in that order (their `seq`); defaults are the plain case in mm 1. */
function worldOf(records: readonly Rec[]): ScenarioWorld & { trace: Trace } {
  const trace: Trace = { callbacks: [], accesses: [], lifecycle: [], scans: [] };
  records.forEach((rec, seq) => add(trace, rec, seq));
  return {
    trace,
    mappings: new Map([
      ['buf', { base: BUF, mmId: 1 }],
      ['other', { base: OTHER, mmId: 2 }],
    ]),
    drivers: new Map([['gpu', { instance: { device: { name: 'gpu0' }, mm: { id: 1 } }, subscribers: ['gpu-mn', 'gpu-interval'] }]]),
    reclaimed: [],
  } as unknown as ReturnType<typeof worldOf>;
}

function add(trace: Trace, rec: Rec, seq: number): void {
  const { kind, ...r } = rec;
  if (kind === 'callback') {
    trace.callbacks.push({ seq, id: trace.callbacks.length, callback: 'invalidate_range_start', driver: 'gpu-mn', task: 'cpu', taskId: 1, mm: 1, start: BUF, end: BUF + 2 * PAGE_SIZE, pfn: -1, event: 'unmap', blockable: true, time: seq, returnTime: seq, duration: 0, result: 0, error: null, ...r } as CallbackRecord);
  } else if (kind === 'access') {
    trace.accesses.push({ seq, id: trace.accesses.length, device: 'gpu0', task: 'engine', taskId: 2, mm: 1, address: BUF, pfn: 10, generation: 0, write: false, time: seq, ...r } as DeviceAccessRecord);
  } else if (kind === 'lifecycle') {
    trace.lifecycle.push({ seq, step: 'registered', driver: 'gpu-mn', mm: 1, task: 'setup', taskId: 0, time: seq, ...r });
  } else trace.scans.push({ seq, pfn: 10, generation: 0, verdict: 'freed', time: seq, ...r });
}

/** How many records of `records` the one element `e` matches (a one-element window counts each). */
function count(records: readonly Rec[], e: WindowElement): number {
  return matchWindows(worldOf(records), [{ name: 'w', pattern: [e] }]).w!;
}

/** Which of `records` (by index) `e` matches, each looked at alone. */
function which(records: readonly Rec[], e: WindowElement): number[] {
  return records.flatMap((r, i) => (count([r], e) === 1 ? [i] : []));
}

describe('a callback element', () => {
  it('names one callback or several; any callback when none is named', () => {
    const recs = [cb({ callback: 'invalidate_range_start' }), cb({ callback: 'invalidate_range_end' }), cb({ callback: 'release', event: null })];
    expect(which(recs, { kind: 'callback', callback: 'invalidate_range_end' })).toEqual([1]);
    expect(which(recs, { kind: 'callback', callback: ['release', 'invalidate_range_start'] })).toEqual([0, 2]);
    expect(which(recs, { kind: 'callback' })).toEqual([0, 1, 2]);
  });

  it('a driver: one of its subscribers, in its mm or in none (the page-keyed hook)', () => {
    const recs = [cb({ driver: 'gpu-mn' }), cb({ driver: 'gpu-interval' }), cb({ driver: 'nic' }), cb({ driver: 'gpu-mn', mm: 2 }), cb({ driver: 'gpu-mn', mm: null })];
    expect(which(recs, { kind: 'callback', driver: 'gpu' })).toEqual([0, 1, 4]);
  });

  it('a task: the calling one', () => {
    expect(which([cb({ task: 'cpu' }), cb({ task: 'kswapd' })], { kind: 'callback', task: 'kswapd' })).toEqual([1]);
  });

  it('an event, or several: a call without one never matches them', () => {
    const recs = [cb({ event: 'unmap' }), cb({ event: 'clear' }), cb({ event: null }), cb({ event: 'migrate' })];
    expect(which(recs, { kind: 'callback', event: 'clear' })).toEqual([1]);
    expect(which(recs, { kind: 'callback', event: ['migrate', 'unmap'] })).toEqual([0, 3]);
    expect(which(recs, { kind: 'callback' })).toEqual([0, 1, 2, 3]);
  });

  it('blockable: the range may block (true) or may not (false)', () => {
    const recs = [cb({ blockable: true }), cb({ blockable: false })];
    expect(which(recs, { kind: 'callback', blockable: true })).toEqual([0]);
    expect(which(recs, { kind: 'callback', blockable: false })).toEqual([1]);
  });

  it('failed: a throw, a nonzero code, or false from an interval callback; 0, true, or false from another callback succeeded', () => {
    const recs = [
      cb({ result: 0 }),
      cb({ result: -11 }),
      cb({ result: 0, error: 'boom' }),
      cb({ callback: 'interval_invalidate', result: false }),
      cb({ callback: 'interval_invalidate', result: true }),
      cb({ callback: 'clear_flush_young', event: null, result: false }),
      cb({ callback: 'release', event: null, result: null }),
    ];
    expect(which(recs, { kind: 'callback', failed: true })).toEqual([1, 2, 3]);
    expect(which(recs, { kind: 'callback', failed: false })).toEqual([0, 4, 5, 6]);
  });

  it('covers: a range of the address\'s mm holding its page, [start, end)', () => {
    const page1 = BUF + PAGE_SIZE;
    const recs = [
      cb({ start: BUF, end: BUF + 2 * PAGE_SIZE }),
      cb({ start: page1, end: page1 + PAGE_SIZE }),
      cb({ start: BUF, end: page1 }),
      cb({ start: page1 + PAGE_SIZE, end: page1 + 2 * PAGE_SIZE }),
      cb({ mm: 2, start: BUF, end: BUF + 2 * PAGE_SIZE }),
      cb({ mm: null, start: -1, end: -1 }),
    ];
    expect(which(recs, { kind: 'callback', covers: 'buf[1]' })).toEqual([0, 1]);
    expect(which(recs, { kind: 'callback', covers: 'other[0]' })).toEqual([]);
    expect(which([cb({ mm: 2, start: OTHER, end: OTHER + PAGE_SIZE })], { kind: 'callback', covers: 'other[0]' })).toEqual([0]);
  });

  it('never matches an access, a lifecycle step or a scan', () => {
    expect(which([acc(), life(), scan()], { kind: 'callback' })).toEqual([]);
  });
});

describe('an access element', () => {
  it('a device: its device name in its mm', () => {
    const recs = [acc(), acc({ device: 'nic0' }), acc({ mm: 2 })];
    expect(which(recs, { kind: 'access', device: 'gpu' })).toEqual([0]);
    expect(which(recs, { kind: 'access' })).toEqual([0, 1, 2]);
  });

  it('a task, and write or read', () => {
    const recs = [acc({ task: 'engine', write: false }), acc({ task: 'dma', write: true })];
    expect(which(recs, { kind: 'access', task: 'dma' })).toEqual([1]);
    expect(which(recs, { kind: 'access', write: true })).toEqual([1]);
    expect(which(recs, { kind: 'access', write: false })).toEqual([0]);
  });

  it('at: any byte of that page, in that mm', () => {
    const recs = [acc({ address: BUF + PAGE_SIZE }), acc({ address: BUF + PAGE_SIZE + 100 }), acc({ address: BUF + 2 * PAGE_SIZE - 1 }), acc({ address: BUF }), acc({ address: BUF + 2 * PAGE_SIZE }), acc({ mm: 2, address: BUF + PAGE_SIZE })];
    expect(which(recs, { kind: 'access', at: 'buf[1]' })).toEqual([0, 1, 2]);
  });

  it('never matches a callback, a lifecycle step or a scan', () => {
    expect(which([cb(), life(), scan()], { kind: 'access' })).toEqual([]);
  });
});

describe('a lifecycle element', () => {
  it('names one step or several; any step when none is named', () => {
    const recs = [life({ step: 'registered' }), life({ step: 'unlisted' }), life({ step: 'freed' })];
    expect(which(recs, { kind: 'lifecycle', step: 'unlisted' })).toEqual([1]);
    expect(which(recs, { kind: 'lifecycle', step: ['freed', 'registered'] })).toEqual([0, 2]);
    expect(which(recs, { kind: 'lifecycle' })).toEqual([0, 1, 2]);
  });

  it('a driver: one of its subscribers, in its mm or in none; a task', () => {
    const recs = [life({ driver: 'gpu-interval' }), life({ driver: 'nic' }), life({ mm: 2 }), life({ mm: null, task: 'exit' })];
    expect(which(recs, { kind: 'lifecycle', driver: 'gpu' })).toEqual([0, 3]);
    expect(which(recs, { kind: 'lifecycle', task: 'exit' })).toEqual([3]);
  });

  it('never matches a callback, an access or a scan', () => {
    expect(which([cb(), acc(), scan()], { kind: 'lifecycle' })).toEqual([]);
  });
});

describe('a scan element', () => {
  it('a verdict', () => {
    const recs = [scan({ verdict: 'keep' }), scan({ verdict: 'freed' })];
    expect(which(recs, { kind: 'scan', verdict: 'freed' })).toEqual([1]);
    expect(which(recs, { kind: 'scan' })).toEqual([0, 1]);
  });

  it('at: a page a reclaim step named by that address, mm and frame', () => {
    const world = worldOf([scan({ pfn: 10 }), scan({ pfn: 11 }), scan({ pfn: 12 }), scan({ pfn: 13 }), cb()]);
    world.reclaimed.push({ mm: 1, address: BUF + PAGE_SIZE, pfn: 10 }, { mm: 2, address: BUF + PAGE_SIZE, pfn: 11 }, { mm: 1, address: BUF, pfn: 12 });
    expect(matchWindows(world, [{ name: 'w', pattern: [{ kind: 'scan', at: 'buf[1]' }] }])).toEqual({ w: 1 });
    expect(matchWindows(world, [{ name: 'w', pattern: [{ kind: 'scan', at: 'buf[0]' }] }])).toEqual({ w: 1 });
    expect(matchWindows(world, [{ name: 'w', pattern: [{ kind: 'scan', at: 'other[0]' }] }])).toEqual({ w: 0 });
  });

  it('never matches a callback, an access or a lifecycle step', () => {
    expect(which([cb(), acc(), life()], { kind: 'scan' })).toEqual([]);
  });
});

describe('matchWindows: a pattern as a subsequence of the trace, in seq order', () => {
  const start: WindowElement = { kind: 'callback', callback: 'invalidate_range_start' };
  const end: WindowElement = { kind: 'callback', callback: 'invalidate_range_end' };
  const access: WindowElement = { kind: 'access' };

  it('counts occurrences that do not overlap, each element after the previous one across kinds', () => {
    const recs = [acc(), cb(), acc(), acc(), cb({ callback: 'invalidate_range_end' }), cb(), cb({ callback: 'invalidate_range_end' }), acc()];
    const world = worldOf(recs);
    expect(matchWindows(world, [
      { name: 'inside', pattern: [start, access, end] },
      { name: 'after', pattern: [end, access] },
      { name: 'one', pattern: [access] },
    ] as ScenarioWindow[])).toEqual({ inside: 1, after: 1, one: 4 });
  });

  it('an element before the previous one in seq order does not complete the pattern', () => {
    expect(matchWindows(worldOf([acc(), cb()]), [{ name: 'w', pattern: [start, access] }] as ScenarioWindow[])).toEqual({ w: 0 });
    expect(matchWindows(worldOf([cb(), acc()]), [{ name: 'w', pattern: [start, access] }] as ScenarioWindow[])).toEqual({ w: 1 });
  });

  it('every window is counted, a missed one as 0; no window, no entry', () => {
    expect(matchWindows(worldOf([cb()]), [{ name: 'a', pattern: [start] }, { name: 'b', pattern: [end] }] as ScenarioWindow[])).toEqual({ a: 1, b: 0 });
    expect(matchWindows(worldOf([cb()]), [])).toEqual({});
  });
});

describe('traceWatch: an await holds once the trace has a matching event, and stays held', () => {
  it.each([
    ['callback', cb({ callback: 'invalidate_range_end' }), { kind: 'callback', callback: 'invalidate_range_end' }],
    ['access', acc({ write: true }), { kind: 'access', write: true }],
    ['lifecycle', life({ step: 'freed' }), { kind: 'lifecycle', step: 'freed' }],
  ] as const)('a %s: false until one is recorded, then true', (_, hit, element) => {
    const world = worldOf([cb({ callback: 'release', event: null }), acc(), life(), scan()]);
    const held = traceWatch(world, element);
    expect(held()).toBe(false);
    add(world.trace, { ...hit, kind: hit.kind } as Rec, 4);
    expect(held()).toBe(true);
    // The trace only grows: what held holds (even were the record gone).
    world.trace.callbacks.length = 0;
    world.trace.accesses.length = 0;
    world.trace.lifecycle.length = 0;
    expect(held()).toBe(true);
  });

  it('looks past the records that do not match', () => {
    const world = worldOf([cb(), cb(), cb({ task: 'kswapd' })]);
    expect(traceWatch(world, { kind: 'callback', task: 'kswapd' })()).toBe(true);
    expect(traceWatch(world, { kind: 'callback', task: 'oom' })()).toBe(false);
  });

  it('a scan is looked at again once a reclaim step names its page; one such scan among others holds it', () => {
    const world = worldOf([scan({ pfn: 9 }), scan({ pfn: 10 })]);
    const held = traceWatch(world, { kind: 'scan', at: 'buf[0]' });
    expect(held()).toBe(false);
    world.reclaimed.push({ mm: 1, address: BUF, pfn: 10 });
    expect(held()).toBe(true);
    // Once held, held: the scans are not looked at again.
    world.reclaimed.length = 0;
    expect(held()).toBe(true);
  });
});
