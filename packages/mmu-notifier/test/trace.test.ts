import { ERAS, Machine, MAP, PROT, shrinkPage, type Era, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { MmuNotifier, mmuNotifierRegister, mmuNotifierUnregister, notifierCore, NotifierTrace, type CallbackRecord } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/helpers.js';

/** A driver with range callbacks that return 0 and log nothing. */
function quiet(name: string, ops: ConstructorParameters<typeof MmuNotifier>[0] = {}): MmuNotifier {
  return new MmuNotifier({ invalidateRangeStart: () => 0, invalidateRangeEnd: () => undefined, ...ops }, name);
}

describe('callback records', () => {
  it('v6: munmap gives start and end records with the driver, task, mm, range, event, result and zero duration', async () => {
    const { m, t } = setup('v6');
    const trace = NotifierTrace.attach(m);
    await v(mmuNotifierRegister(t, quiet('drv'), t.mm!));
    const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    await v(m.mem.munmap(t, a, 2 * P));
    const ranges = trace.findCallbacks({ callback: ['invalidate_range_start', 'invalidate_range_end'] });
    expect(ranges.map((r) => r.callback)).toEqual(['invalidate_range_start', 'invalidate_range_end']);
    const [start, end] = ranges as [CallbackRecord, CallbackRecord];
    expect(start).toEqual({
      seq: start.seq,
      id: start.id,
      callback: 'invalidate_range_start',
      driver: 'drv',
      task: 'cpu0',
      taskId: t.id,
      mm: t.mm!.id,
      start: a,
      end: a + 2 * P,
      pfn: -1,
      event: 'unmap',
      blockable: true,
      time: m.clock.now,
      returnTime: m.clock.now,
      duration: 0,
      result: 0,
      error: null,
    });
    expect(end).toMatchObject({ driver: 'drv', result: null, error: null, duration: 0 });
    expect(end.seq).toBeGreaterThan(start.seq);
    expect(trace.callbacks[start.id]).toBe(start);
    expect(trace.lifecycle).toEqual([{ seq: 0, step: 'registered', driver: 'drv', mm: t.mm!.id, task: 'cpu0', taskId: t.id, time: 0 }]);
  });

  it('a callback that sleeps inside a scheduled run has the virtual time it slept as its duration', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const proc = m.mem.createProcess('app');
    const setupTask = proc.task('setup');
    const trace = NotifierTrace.attach(m);
    const sleeper = new MmuNotifier(
      {
        invalidateRangeStart: (task) => {
          const slept = m.sched.sleep(task, 5000);
          return slept instanceof Promise ? slept.then(() => 0) : 0;
        },
      },
      'xpmem',
    );
    await v(mmuNotifierRegister(setupTask, sleeper, proc.mm!));
    let cpu: Task | null = null;
    proc.spawn('cpu0', async (task) => {
      cpu = task;
      await m.sched.sleep(task, 1000);
      const a = await v(m.mem.mmap(task, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(task, a, 7));
      await v(m.mem.munmap(task, a, P));
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    const [start] = trace.findCallbacks({ driver: 'xpmem', callback: 'invalidate_range_start' });
    expect(start).toMatchObject({ task: 'cpu0', taskId: cpu!.id, time: 1000, returnTime: 6000, duration: 5000, result: 0, event: 'unmap' });
  });

  it('a callback that throws is recorded with its error message and no result', async () => {
    const { m, t } = setup('v6');
    const trace = NotifierTrace.attach(m);
    await v(mmuNotifierRegister(t, new MmuNotifier({ invalidateRangeStart: () => { throw new Error('boom'); } }, 'bad'), t.mm!));
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.munmap(t, a, P));
    expect(trace.findCallbacks({ driver: 'bad' }).map((r) => [r.callback, r.result, r.error])).toEqual([['invalidate_range_start', null, 'boom']]);
    expect(m.report.violations.map((x) => x.kind)).toEqual(['driver-error']);
  });

  for (const era of ERAS) {
    it(`${era}: young callbacks record their boolean answer; release and the lifecycle are recorded at unregister`, async () => {
      const { m, t } = setup(era);
      const trace = NotifierTrace.attach(m);
      const sub = quiet('kvm', { clearFlushYoung: () => true, release: () => undefined });
      await v(mmuNotifierRegister(t, sub, t.mm!));
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      await v(m.mem.read(t, a));
      expect(await v(shrinkPage(m.mem, m.task('kswapd'), file.pageCache.get(0)!))).toBe('activate');
      const young = trace.findCallbacks({ callback: 'clear_flush_young' });
      expect(young.length).toBeGreaterThan(0);
      expect(young[0]).toMatchObject({ driver: 'kvm', task: 'kswapd', mm: t.mm!.id, start: a, end: a + P, blockable: false, result: true });
      await v(mmuNotifierUnregister(t, sub, t.mm!));
      expect(trace.findCallbacks({ callback: 'release' })).toMatchObject([{ start: -1, end: -1, mm: t.mm!.id, result: null }]);
      expect(trace.lifecycle.map((l) => l.step)).toEqual(['registered', 'unlisted', 'unregistered']);
      expect(trace.scans).toMatchObject([{ verdict: 'activate', pfn: file.pageCache.get(0)! }]);
    });
  }
});

describe('queries', () => {
  it('select callbacks by driver, callback, mm, task, time window and address overlap', async () => {
    const { m, t } = setup('v6');
    const other = m.mem.createProcess('other').task('cpu1');
    const trace = NotifierTrace.attach(m);
    await v(mmuNotifierRegister(t, quiet('a'), t.mm!));
    await v(mmuNotifierRegister(t, quiet('b'), t.mm!));
    await v(mmuNotifierRegister(other, quiet('a'), other.mm!));
    const x = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
    const y = await v(m.mem.mmap(other, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.munmap(t, x, P)); // [x, x+P) at time 0
    m.clock.advance(1000);
    await v(m.mem.munmap(t, x + 2 * P, 2 * P)); // [x+2P, x+4P) at time 1000
    m.clock.advance(1000);
    await v(m.mem.munmap(other, y, P)); // other mm at time 2000

    const starts = { callback: 'invalidate_range_start' } as const;
    expect(trace.findCallbacks({ ...starts, driver: 'b' }).map((r) => r.start)).toEqual([x, x + 2 * P]);
    expect(trace.findCallbacks({ ...starts, driver: 'a', mm: other.mm! }).map((r) => [r.task, r.start])).toEqual([['cpu1', y]]);
    expect(trace.findCallbacks({ ...starts, mm: t.mm!.id }).map((r) => r.driver)).toEqual(['b', 'a', 'b', 'a']);
    expect(trace.findCallbacks({ ...starts, task: 'cpu1' })).toHaveLength(1);
    expect(trace.findCallbacks({ ...starts, from: 500, to: 1500 }).map((r) => r.start)).toEqual([x + 2 * P, x + 2 * P]);
    expect(trace.findCallbacks({ ...starts, from: 2000 }).map((r) => r.mm)).toEqual([other.mm!.id]);
    expect(trace.findCallbacks({ ...starts, mm: t.mm!, overlaps: { start: x + 3 * P, end: x + 3 * P + 1 } }).map((r) => r.end)).toEqual([x + 4 * P, x + 4 * P]);
    expect(trace.findCallbacks({ ...starts, mm: t.mm!, overlaps: { start: x + P, end: x + 2 * P } })).toEqual([]); // the hole between the two unmaps
    expect(trace.findCallbacks({ ...starts, mm: null })).toEqual([]);
    expect(trace.findCallbacks({ driver: 'nobody' })).toEqual([]);
    expect(trace.findCallbacks().length).toBe(trace.callbacks.length);
  });

  it('release overlaps every address; a callback still running matches any later window', () => {
    const { m } = setup('v6');
    const trace = NotifierTrace.attach(m);
    const core = notifierCore(m);
    const task = m.task('k');
    const sub = { name: 'drv' };
    void core.invoke(task, sub, 'release', { mm: null, start: -1, end: -1, pfn: -1, event: null, blockable: true }, undefined, () => undefined);
    expect(trace.findCallbacks({ overlaps: { start: 0x1000, end: 0x2000 } })).toHaveLength(1);
    // Detached while a callback runs: its record stays open.
    void core.invoke(task, sub, 'invalidate_range_start', { mm: null, start: 0, end: P, pfn: -1, event: 'unmap', blockable: true }, 0, () => {
      trace.detach();
      return 0;
    });
    expect(trace.callbacks[1]).toMatchObject({ returnTime: null, duration: null });
    expect(trace.findCallbacks({ from: 1e9 }).map((r) => r.callback)).toEqual(['invalidate_range_start']);
  });

  it('select device accesses by device, pfn, generation and time', () => {
    const { m, t } = setup('v6');
    const trace = NotifierTrace.attach(m);
    const core = notifierCore(m);
    const access = (device: string, pfn: number, generation: number, write: boolean): void => core.deviceAccess({ device, task: t, mm: t.mm, address: 0x10000 + pfn * P, pfn, generation, write, time: m.clock.now });
    access('gpu0', 5, 0, false);
    m.clock.advance(100);
    access('gpu1', 5, 1, true);
    m.clock.advance(100);
    access('gpu0', 6, 0, false);
    expect(trace.findAccesses({ device: 'gpu0' }).map((a) => a.pfn)).toEqual([5, 6]);
    expect(trace.findAccesses({ pfn: 5 }).map((a) => a.device)).toEqual(['gpu0', 'gpu1']);
    expect(trace.findAccesses({ pfn: 5, generation: 1 }).map((a) => a.id)).toEqual([1]);
    expect(trace.findAccesses({ from: 50, to: 150 })).toMatchObject([{ device: 'gpu1', write: true, time: 100, taskId: t.id, task: 'cpu0', mm: t.mm!.id, address: 0x10000 + 5 * P }]);
    expect(trace.findAccesses({ to: 0 })).toHaveLength(1);
  });
});

/** A shared file page read by one process, with a driver registered that has no aging callbacks (GRU-like). */
async function filePage(era: Era): Promise<{ m: Machine; t: Task; trace: NotifierTrace; pfn: number; address: number; kswapd: Task; touch: (device?: string, generation?: number) => void }> {
  const { m, t } = setup(era, 64);
  const trace = NotifierTrace.attach(m);
  await v(mmuNotifierRegister(t, quiet('gru'), t.mm!));
  const file = m.mem.createFile('f', P);
  const address = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
  await v(m.mem.read(t, address));
  const pfn = file.pageCache.get(0)!;
  const touch = (device = 'gru0', generation = m.mem.frames.generation[pfn]!): void => {
    m.clock.advance(10);
    notifierCore(m).deviceAccess({ device, task: t, mm: t.mm, address, pfn, generation, write: false, time: m.clock.now });
  };
  return { m, t, trace, pfn, address, kswapd: m.task('kswapd'), touch };
}

describe('device-hot eviction', () => {
  for (const era of ERAS) {
    it(`${era}: fires for a page freed by reclaim after a device accessed it since the previous scan`, async () => {
      const { m, trace, pfn, kswapd, touch } = await filePage(era);
      const generation = m.mem.frames.generation[pfn]!;
      expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('activate');
      touch('gru0');
      touch('gru1');
      m.clock.advance(10);
      expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('freed');
      const hot = trace.deviceHotEvictions();
      expect(hot).toHaveLength(1);
      expect(hot[0]).toMatchObject({ pfn, generation, time: m.clock.now, scan: trace.scans[1], previousScan: trace.scans[0] });
      expect(hot[0]!.accesses.map((a) => a.device)).toEqual(['gru0', 'gru1']);
      expect(trace.toJSON().deviceHot).toEqual([{ pfn, generation, time: m.clock.now, scan: trace.scans[1]!.seq, previousScan: trace.scans[0]!.seq, accesses: [0, 1] }]);
    });

    it(`${era}: stays quiet when no device accessed the page since its previous scan, or only through another generation`, async () => {
      const { m, trace, pfn, kswapd, touch } = await filePage(era);
      touch(); // before the first scan: made hot, but that scan keeps the page
      touch('gru0', m.mem.frames.generation[pfn]! + 1); // another generation of the frame
      expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('activate');
      touch('gru0', m.mem.frames.generation[pfn]! + 1);
      expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('freed');
      expect(trace.scans.map((s) => s.verdict)).toEqual(['activate', 'freed']);
      expect(trace.deviceHotEvictions()).toEqual([]);
      expect(trace.toJSON().deviceHot).toEqual([]);
    });
  }

  it('counts accesses since allocation when the freeing scan is the first of the page', async () => {
    const { m, trace, pfn, kswapd, touch } = await filePage('v6');
    touch();
    expect(await v(shrinkPage(m.mem, kswapd, pfn, { walk: 'try-to-unmap' }))).toBe('freed');
    expect(trace.deviceHotEvictions()).toMatchObject([{ pfn, previousScan: null, accesses: [{ id: 0 }] }]);
  });

  it('finds nothing without scan records (scans: false)', async () => {
    const { m, t } = setup('v6', 64);
    const trace = NotifierTrace.attach(m, { scans: false });
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
    await v(m.mem.read(t, a));
    const pfn = file.pageCache.get(0)!;
    notifierCore(m).deviceAccess({ device: 'd', task: t, mm: t.mm, address: a, pfn, generation: m.mem.frames.generation[pfn]!, write: false, time: 0 });
    expect(await v(shrinkPage(m.mem, m.task('kswapd'), pfn, { walk: 'try-to-unmap' }))).toBe('freed');
    expect(trace.scans).toEqual([]);
    expect(trace.deviceHotEvictions()).toEqual([]);
  });
});

/** One program: two processes racing munmaps against a sleeping driver, a device access and reclaim. */
async function program(seed: number): Promise<{ json: string; chrome: string; trace: NotifierTrace }> {
  const m = new Machine({ era: 'v6', seed, memory: { frames: 64 }, schedule: { strategy: 'random' } });
  const trace = NotifierTrace.attach(m);
  const procs = [m.mem.createProcess('p0'), m.mem.createProcess('p1')];
  for (const [i, proc] of procs.entries()) {
    const sub = new MmuNotifier(
      {
        invalidateRangeStart: (task) => {
          const slept = m.sched.sleep(task, 100 * (i + 1));
          return slept instanceof Promise ? slept.then(() => 0) : 0;
        },
        invalidateRangeEnd: () => undefined,
      },
      `drv${i}`,
    );
    await v(mmuNotifierRegister(proc.task('setup'), sub, proc.mm!));
    proc.spawn(`cpu${i}`, async (task) => {
      for (let round = 0; round < 3; round++) {
        const a = await v(m.mem.mmap(task, { length: 2 * P, prot: RW, flags: ANON }));
        await v(m.mem.write(task, a, round));
        notifierCore(m).deviceAccess({ device: `dev${i}`, task, mm: task.mm, address: a, pfn: 1, generation: 0, write: true, time: m.clock.now });
        await v(m.mem.munmap(task, a, 2 * P));
        await m.sched.sleep(task, 10);
      }
    });
  }
  const file = m.mem.createFile('f', P);
  const reader = procs[0]!.task('reader');
  const a = await v(m.mem.mmap(reader, { length: P, prot: PROT.read, flags: MAP.shared, file }));
  await v(m.mem.read(reader, a));
  await v(shrinkPage(m.mem, m.task('kswapd'), file.pageCache.get(0)!));
  const r = await m.sched.run();
  expect(r.violations).toEqual([]);
  trace.detach();
  return { json: JSON.stringify(trace), chrome: JSON.stringify(trace.toChromeTrace()), trace };
}

describe('determinism', () => {
  it('the same program and seed give byte-identical JSON and Chrome traces', async () => {
    const first = await program(7);
    const second = await program(7);
    expect(first.trace.callbacks.length).toBeGreaterThan(10);
    expect(first.json).toBe(second.json);
    expect(first.chrome).toBe(second.chrome);
    const parsed = JSON.parse(first.json) as ReturnType<NotifierTrace['toJSON']>;
    expect(parsed).toEqual(first.trace.toJSON());
    expect(parsed).toMatchObject({ format: 'secondary-mmu/notifier-trace', version: 1, era: 'v6', seed: 7 });
    const seqs = [...parsed.callbacks, ...parsed.accesses, ...parsed.lifecycle, ...parsed.scans, ...parsed.allocs].map((r) => r.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(seqs.map((_, i) => i));
  });

  it('toJSON is a snapshot: a callback returning later does not change it', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const proc = m.mem.createProcess('app');
    const trace = NotifierTrace.attach(m);
    let snapshot: ReturnType<NotifierTrace['toJSON']> | null = null;
    const sub = new MmuNotifier({ invalidateRangeStart: (task) => ((snapshot = trace.toJSON()), andZero(m.sched.sleep(task, 50))) }, 'drv');
    await v(mmuNotifierRegister(proc.task('setup'), sub, proc.mm!));
    proc.spawn('cpu0', async (task) => {
      const a = await v(m.mem.mmap(task, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.munmap(task, a, P));
    });
    await m.sched.run();
    expect(snapshot!.callbacks).toMatchObject([{ callback: 'invalidate_range_start', returnTime: null, duration: null }]);
    expect(trace.callbacks[0]).toMatchObject({ returnTime: 50, duration: 50 });
  });
});

function andZero(x: void | Promise<void>): number | Promise<number> {
  return x instanceof Promise ? x.then(() => 0) : 0;
}

describe('Chrome trace format', () => {
  it('complete events in µs of virtual time, metadata naming tasks and processes, instants for accesses and scans', async () => {
    const { trace } = await program(3);
    const chrome = trace.toChromeTrace();
    expect(chrome.displayTimeUnit).toBe('ns');
    expect(JSON.parse(JSON.stringify(chrome))).toEqual(chrome);
    const events = chrome.traceEvents;
    for (const e of events) {
      expect(typeof e.pid).toBe('number');
      expect(typeof e.tid).toBe('number');
      expect(typeof e.ts).toBe('number');
    }
    const meta = events.filter((e) => e.ph === 'M');
    expect(events.slice(0, meta.length)).toEqual(meta); // metadata first
    const threadNames = meta.filter((e) => e.name === 'thread_name').map((e) => e.args.name);
    expect(threadNames).toEqual(expect.arrayContaining(['cpu0', 'cpu1', 'setup', 'reclaim scans']));
    expect(meta.filter((e) => e.name === 'process_name').map((e) => e.args.name)).toEqual(['tasks (v6, seed 3)', 'mm observation']);

    const complete = events.filter((e) => e.ph === 'X');
    expect(complete).toHaveLength(trace.callbacks.length);
    for (const [i, e] of complete.entries()) {
      const r = trace.callbacks[i]!;
      expect(e).toMatchObject({ name: `${r.driver}:${r.callback}`, ts: r.time / 1000, dur: r.duration! / 1000, tid: r.taskId + 1 });
      const named = meta.find((x) => x.name === 'thread_name' && x.pid === e.pid && x.tid === e.tid);
      expect(named?.args.name).toBe(r.task);
    }
    const sleepy = complete.find((e) => e.name === 'drv1:invalidate_range_start')!;
    expect(sleepy.dur).toBe(0.2);

    const instants = events.filter((e) => e.ph === 'i');
    expect(instants.filter((e) => e.cat === 'device')).toHaveLength(trace.accesses.length);
    expect(instants.filter((e) => e.cat === 'reclaim').map((e) => e.name)).toEqual(['scan activate']);
    expect(instants.filter((e) => e.cat === 'lifecycle').length).toBe(trace.lifecycle.length);
    for (const e of instants) expect(['t', 'p', 'g']).toContain(e.s);
    // Timed events are in trace order.
    const ts = events.filter((e) => e.ph !== 'M' && e.cat === 'mmu_notifier').map((e) => e.ts);
    expect(ts).toEqual([...ts].sort((x, y) => x - y));
  });

  it('a device-hot eviction is a global instant; a still-running callback is a begin event', async () => {
    const { m, trace, pfn, kswapd, touch } = await filePage('v6');
    touch();
    expect(await v(shrinkPage(m.mem, kswapd, pfn, { walk: 'try-to-unmap' }))).toBe('freed');
    void notifierCore(m).invoke(kswapd, { name: 'late' }, 'test_young', { mm: null, start: 0, end: P, pfn: -1, event: null, blockable: false }, false, () => {
      trace.detach();
      return false;
    });
    const events = trace.toChromeTrace().traceEvents;
    const hot = events.find((e) => e.cat === 'device-hot')!;
    expect(hot).toMatchObject({ ph: 'i', s: 'g', args: { pfn, devices: 'gru0' } });
    expect(events.indexOf(hot)).toBe(events.findIndex((e) => e.name === 'scan freed') + 1);
    expect(events.find((e) => e.name === 'late:test_young')).toMatchObject({ ph: 'B' });
    expect(events.find((e) => e.name === 'late:test_young')!.dur).toBeUndefined();
  });
});

describe('attach and detach', () => {
  it('detach removes both listeners; the records stay', async () => {
    const { m, t } = setup('v6', 64);
    const trace = NotifierTrace.attach(m);
    expect(notifierCore(m).listening).toBe(true);
    expect(m.mem.observers.active).toBe(true);
    await v(mmuNotifierRegister(t, quiet('drv'), t.mm!));
    trace.detach();
    expect(trace.attached).toBe(false);
    expect(notifierCore(m).listening).toBe(false);
    expect(m.mem.observers.active).toBe(false);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.munmap(t, a, P));
    expect(trace.callbacks).toEqual([]);
    expect(trace.lifecycle).toHaveLength(1);
    trace.detach(); // twice is harmless
  });

  it('two traces on one machine record independently', async () => {
    const { m, t } = setup('v6');
    const early = NotifierTrace.attach(m);
    await v(mmuNotifierRegister(t, quiet('drv'), t.mm!));
    const late = NotifierTrace.attach(m);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.munmap(t, a, P));
    expect(early.lifecycle).toHaveLength(1);
    expect(late.lifecycle).toHaveLength(0);
    expect(late.callbacks.map((r) => [r.id, r.seq])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(early.callbacks.map((r) => r.callback)).toEqual(late.callbacks.map((r) => r.callback));
  });
});
