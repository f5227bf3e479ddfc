import { createRequire } from 'node:module';
import { Machine, MAP, PROT, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';

// The built package's two entries side by side: a driver registering through the
// CommonJS entry and a runner tracing and judging through the ESM one share one
// notifier core per machine (its state hangs off the machine, never off a module).
type MmuNotifierPackage = typeof import('@secondary-mmu/mmu-notifier');
const esm: MmuNotifierPackage = await import('@secondary-mmu/mmu-notifier');
const cjs = createRequire(import.meta.url)('@secondary-mmu/mmu-notifier') as MmuNotifierPackage;
const P = 4096;

/** A subscription of `copy` that logs `name:callback event`. */
function logger(copy: MmuNotifierPackage, log: string[], name: string) {
  return new copy.MmuNotifier(
    {
      invalidateRangeStart: (_t: Task, _s, r) => (log.push(`${name}:start ${r.event}`), 0),
      invalidateRangeEnd: (_t: Task, _s, r) => void log.push(`${name}:end ${r.event}`),
    },
    name,
  );
}

describe('mmu-notifier: one runtime for the ESM and the CommonJS entry', () => {
  it('the entries are two copies', () => {
    expect(cjs.notifierCore).not.toBe(esm.notifierCore);
  });

  it('subscriptions registered through either entry are on one list, traced and dispatched alike', async () => {
    const m = new Machine({ era: 'v6' });
    const t = m.mem.createProcess('app').task('cpu0');
    const trace = esm.NotifierTrace.attach(m);
    const log: string[] = [];
    await cjs.mmuNotifierRegister(t, logger(cjs, log, 'cjs'), t.mm!);
    await esm.mmuNotifierRegister(t, logger(esm, log, 'esm'), t.mm!);
    expect(cjs.notifierCore(m)).toBe(esm.notifierCore(m));
    expect(esm.subscriptionsOf(t.mm!)?.list.map((s) => s.name)).toEqual(['esm', 'cjs']);
    expect(cjs.subscriptionsOf(t.mm!)).toBe(esm.subscriptionsOf(t.mm!));
    const a = await m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous });
    await m.mem.write(t, a, 1);
    await m.mem.munmap(t, a, P);
    expect(log).toEqual(['esm:start unmap', 'cjs:start unmap', 'esm:end unmap', 'cjs:end unmap']);
    expect(trace.callbacks.filter((c) => c.callback === 'invalidate_range_start').map((c) => c.driver)).toEqual(['esm', 'cjs']);
    expect(m.report.violations).toEqual([]);
  });

  it('the ESM oracle judges a device of the CommonJS entry: a translation kept past munmap is caught', async () => {
    const m = new Machine({ era: 'v6' });
    const t = m.mem.createProcess('app').task('cpu0');
    const oracle = esm.coherenceOracle(m);
    expect(cjs.coherenceOracle(m)).toBe(oracle);
    const device = new cjs.DeviceMmu(m, { name: 'stale', driverClass: 'no-references' });
    const sub = new cjs.MmuNotifier({ invalidateRangeStart: () => 0 }, 'stale'); // never drops its translation
    device.answerFor(sub);
    await cjs.mmuNotifierRegister(t, sub, t.mm!);
    const a = await m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous });
    await m.mem.write(t, a, 5);
    const pfn = t.mm!.pageTable.lookup(a / P)!.word[(a / P) % 512]!;
    const h = device.establish(t, t.mm!, a, pfn, { writable: true });
    expect(oracle.violations()).toEqual([]);
    await m.mem.munmap(t, a, P);
    await device.read(t, h);
    expect(oracle.violations().map((v) => v.kind)).toEqual(['use-after-free']);
    expect(m.report.violations.map((v) => v.kind)).toEqual(['use-after-free']);
  });
});
