/**
 * The inconsistent-lock-state splat says both usages in words and where the first was
 * registered (task, and site when the caller gave one), so the reader finds the other
 * half of the deadlock. Interrupts disabled outside a handler register no usage.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, localIrqRestore, localIrqSave, runHardirq, SpinLock } from '../../src/index.js';
import { kinds, sync } from '../support/lock-helpers.js';

describe('inconsistent lock state: the report', () => {
  it('handler first: names both usages and the registering task and site', () => {
    const k = new Kernel();
    const s = new SpinLock(k, 'tlb_lock');
    sync(runHardirq(k.task('engine'), (t) => {
      sync(s.lock(t, 'handler.c:10'));
      sync(s.unlock(t));
    }));
    const cpu = k.task('cpu0');
    sync(s.lock(cpu, 'process.c:20'));
    sync(s.unlock(cpu));
    const [v] = k.report.violations;
    expect(v!.message).toBe('inconsistent lock state: inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage of tlb_lock: taken with interrupts enabled by cpu0, and in an interrupt handler before');
    expect(v!.details).toEqual(['{IN-HARDIRQ-W} state was registered by engine at handler.c:10', 'possible deadlock: the interrupt arrives on the CPU holding the lock and spins on it']);
    expect(v!.site).toBe('process.c:20');
  });

  it('interrupts enabled first: the reverse wording, the registering task without a site', () => {
    const k = new Kernel();
    const s = new SpinLock(k, 'tlb_lock');
    const cpu = k.task('cpu0');
    sync(s.lock(cpu));
    sync(s.unlock(cpu));
    sync(runHardirq(k.task('engine'), (t) => {
      sync(s.lock(t));
      sync(s.unlock(t));
    }));
    const [v] = k.report.violations;
    expect(v!.message).toBe('inconsistent lock state: inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage of tlb_lock: taken in an interrupt handler by engine, and with interrupts enabled before');
    expect(v!.details![0]).toBe('{HARDIRQ-ON-W} state was registered by cpu0');
  });

  it('interrupts disabled outside a handler register no usage: a later handler use is quiet', () => {
    const k = new Kernel();
    const s = new SpinLock(k, 'tlb_lock');
    const cpu = k.task('cpu0');
    localIrqSave(cpu);
    sync(s.lock(cpu));
    sync(s.unlock(cpu));
    localIrqRestore(cpu);
    sync(runHardirq(k.task('engine'), (t) => {
      sync(s.lock(t));
      sync(s.unlock(t));
    }));
    expect(kinds(k.report.violations)).toEqual([]);
  });
});
