/**
 * Regressions from the trace's first review: each test names the bug it caught in a
 * comment; each failed before its fix.
 */
import { MAP, PROT, shrinkPage } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, NotifierTrace } from '../src/index.js';
import { ANON, P, pfnAt, RW, setup, v } from './support/helpers.js';

describe('trace regressions: callback records', () => {
  // BUG throw-undefined: core.invoke reports a throw to listeners as `error`, and the
  // trace decides "it threw" by `error !== undefined`. A callback that throws
  // `undefined` (or returns `Promise.reject()` with no reason) is a driver-error
  // violation, yet its record shows the core's fallback (0 / false) as the driver's
  // result and `error: null`: a failed callback looks like a successful one.
  it('a callback that rejects with no reason is recorded as failed, not as returning the fallback 0', async () => {
    const { m, t } = setup('v6');
    const trace = NotifierTrace.attach(m);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await v(mmuNotifierRegister(t, new MmuNotifier({ invalidateRangeStart: () => Promise.reject() }, 'bad'), t.mm!));
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.munmap(t, a, P));
    expect(m.report.violations.map((x) => x.kind)).toEqual(['driver-error']);
    const [r] = trace.findCallbacks({ driver: 'bad' });
    expect(r!.result).toBeNull(); // is 0: the fallback, as if the driver had answered 0
    expect(r!.error).not.toBeNull(); // is null: no sign that it failed
  });

  // BUG throw-undefined (synchronous form): same cause, `throw undefined` in a young callback.
  it('a young callback that throws undefined is recorded as failed, not as answering false', async () => {
    const { m, t } = setup('v6');
    const trace = NotifierTrace.attach(m);
    await v(
      mmuNotifierRegister(
        t,
        new MmuNotifier(
          {
            clearFlushYoung: () => {
              // eslint-disable-next-line @typescript-eslint/only-throw-error
              throw undefined;
            },
          },
          'bad',
        ),
        t.mm!,
      ),
    );
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
    await v(m.mem.read(t, a));
    await v(shrinkPage(m.mem, m.task('kswapd'), file.pageCache.get(0)!));
    expect(m.report.violations.map((x) => x.kind)).toContain('driver-error');
    const young = trace.findCallbacks({ driver: 'bad', callback: 'clear_flush_young' });
    expect(young.length).toBeGreaterThan(0);
    expect(young.map((r) => [r.result, r.error === null])).toEqual(young.map(() => [null, false])); // is [[false, true]]
  });
});

describe('trace regressions: device-hot eviction', () => {
  // BUG gen-before-alloc: core-mm bumps a frame's generation when it is freed, not when
  // it is allocated, so a free frame already carries the generation of the page it will
  // next hold. An access made while the frame was free (through a handle established on
  // the free frame — itself a use-after-free) is keyed `pfn:generation` like accesses to
  // the next page, and when reclaim frees that page the trace reports a device-hot
  // eviction although no device touched the page after it was allocated (the definition
  // in device-hot.ts: "since the previous scan of it (or since it was allocated …)").
  it('accesses made while the frame was free do not make the page it later holds device-hot', async () => {
    const { m, t } = setup('v6', 64);
    const trace = NotifierTrace.attach(m);
    // A page comes and goes: its frame is free now, at the generation its next page will have.
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    const frame = pfnAt(t, a);
    await v(m.mem.munmap(t, a, P));
    const freeGeneration = m.mem.frames.generation[frame]!;
    // A buggy device maps and reads the free frame: the oracle reports it (use-after-free).
    const dev = new DeviceMmu(m, { name: 'gpu', driverClass: 'holds-references' });
    const h = dev.establish(t, t.mm!, a, frame, { writable: false });
    await v(dev.read(t, h));
    dev.drop(h);
    expect(m.report.violations.map((x) => x.kind)).toEqual(['use-after-free', 'use-after-free']);
    // Only now is the frame allocated again: a file page no device ever touches.
    const file = m.mem.createFile('f', P);
    const b = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
    await v(m.mem.read(t, b));
    const pfn = file.pageCache.get(0)!;
    expect([pfn, m.mem.frames.generation[pfn]]).toEqual([frame, freeGeneration]); // same frame, same generation
    await v(m.mem.munmap(t, b, P));
    expect(await v(shrinkPage(m.mem, m.task('kswapd'), pfn))).toBe('freed');
    expect(trace.deviceHotEvictions()).toEqual([]); // reports one, blaming the read made before the page existed
    expect(trace.toJSON().deviceHot).toEqual([]);
  });
});
