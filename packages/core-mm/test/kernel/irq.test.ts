/**
 * The interrupt-like context: a handler run by `runHardirq` is atomic (might-sleep says
 * "in_interrupt"), and lockdep's interrupt-safety rule reports a spinlock taken both in
 * a handler and elsewhere with interrupts enabled — whichever comes second. The forms
 * the kernel allows (spin_lock_irqsave in process context, trylock in the handler) stay
 * quiet.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, Mutex, SpinLock, isSmmuError, localIrqRestore, localIrqSave, runHardirq, type Task } from '../../src/index.js';
import { caught, kinds, sync } from '../support/lock-helpers.js';

function handlerTakes(lock: SpinLock): (t: Task) => void {
  return (t) => {
    sync(lock.lock(t));
    sync(lock.unlock(t));
  };
}

describe('interrupt context: might-sleep', () => {
  it('a mutex taken in a handler is a splat naming the interrupt context', () => {
    const k = new Kernel();
    const mu = new Mutex(k, 'dev_mutex');
    const t = k.task('engine');
    sync(
      runHardirq(t, (cpu) => {
        sync(mu.lock(cpu));
        sync(mu.unlock(cpu));
      }),
    );
    expect(kinds(k.report.violations)).toEqual(['might-sleep']);
    const v = k.report.violations[0]!;
    expect(v.message).toContain('mutex_lock(dev_mutex)');
    expect(v.message).toContain('in_interrupt: hardirq depth 1');
    expect(v.message).toContain('irqs_disabled');
  });

  it('a spinlock in a handler is fine, and the context ends with the handler, even one that throws', () => {
    const k = new Kernel();
    const s = new SpinLock(k, 'tlb_lock');
    const t = k.task('engine');
    sync(runHardirq(t, handlerTakes(s)));
    expect(t.atomic).toBe(false);
    expect(caught(() => runHardirq(t, () => { throw new Error('oops'); }))).toBeInstanceOf(Error);
    expect(t.inHardirq).toBe(false);
    expect(t.irqsOffDepth).toBe(0);
    expect(k.report.violations).toEqual([]);
  });

  it('interrupts off in process context make sleeping illegal too', () => {
    const k = new Kernel();
    const mu = new Mutex(k, 'mu');
    const t = k.task('cpu0');
    localIrqSave(t);
    sync(mu.lock(t));
    sync(mu.unlock(t));
    localIrqRestore(t);
    expect(kinds(k.report.violations)).toEqual(['might-sleep']);
    expect(k.report.violations[0]!.message).toContain('irqs_disabled');
    expect(k.report.violations[0]!.message).not.toContain('in_interrupt');
  });

  it('a restore without a save is EINVAL and changes nothing', () => {
    const k = new Kernel();
    const t = k.task('cpu0');
    const e = caught(() => localIrqRestore(t));
    expect(isSmmuError(e) && e.code === 'EINVAL').toBe(true);
    expect(t.irqsOffDepth).toBe(0);
  });

  it('a task that ends with interrupts off is reported at exit', async () => {
    const k = new Kernel();
    k.sched.spawn('leaky', (t) => localIrqSave(t));
    const r = await k.sched.run();
    expect(kinds(r.violations)).toEqual(['held-at-exit']);
    expect(r.violations[0]!.message).toContain('interrupts disabled');
  });
});

describe('interrupt context: lockdep interrupt safety', () => {
  it('taken in a handler, then with interrupts enabled: {IN-HARDIRQ-W} -> {HARDIRQ-ON-W}', () => {
    const k = new Kernel();
    const s = new SpinLock(k, 'tlb_lock');
    const engine = k.task('engine');
    const cpu = k.task('cpu0');
    sync(runHardirq(engine, handlerTakes(s)));
    expect(k.report.violations).toEqual([]);
    sync(s.lock(cpu));
    sync(s.unlock(cpu));
    expect(kinds(k.report.violations)).toEqual(['inconsistent-lock-state']);
    const v = k.report.violations[0]!;
    expect(v.message).toContain('{IN-HARDIRQ-W} -> {HARDIRQ-ON-W}');
    expect(v.message).toContain('tlb_lock');
    expect(v.task).toBe('cpu0');
    expect(v.details).toContain('{IN-HARDIRQ-W} state was registered by engine');
  });

  it('taken with interrupts enabled, then in a handler: {HARDIRQ-ON-W} -> {IN-HARDIRQ-W}, reported once', () => {
    const k = new Kernel();
    const s = new SpinLock(k, 'tlb_lock');
    const cpu = k.task('cpu0');
    sync(s.lock(cpu));
    sync(s.unlock(cpu));
    const engine = k.task('engine');
    sync(runHardirq(engine, handlerTakes(s)));
    sync(runHardirq(engine, handlerTakes(s)));
    expect(kinds(k.report.violations)).toEqual(['inconsistent-lock-state']);
    expect(k.report.violations[0]!.message).toContain('{HARDIRQ-ON-W} -> {IN-HARDIRQ-W}');
    expect(k.report.violations[0]!.task).toBe('engine');
  });

  it('a trylock in the handler counts as a use in interrupt context', () => {
    const k = new Kernel();
    const s = new SpinLock(k, 'tlb_lock');
    const engine = k.task('engine');
    sync(
      runHardirq(engine, (t) => {
        expect(s.trylock(t)).toBe(true);
        sync(s.unlock(t));
      }),
    );
    const cpu = k.task('cpu0');
    sync(s.lock(cpu));
    sync(s.unlock(cpu));
    expect(kinds(k.report.violations)).toEqual(['inconsistent-lock-state']);
  });

  it('process context with spin_lock_irqsave and a handler with spin_lock: quiet', () => {
    const k = new Kernel();
    const s = new SpinLock(k, 'tlb_lock');
    const cpu = k.task('cpu0');
    const engine = k.task('engine');
    sync(s.lockIrqsave(cpu));
    sync(s.unlockIrqrestore(cpu));
    sync(runHardirq(engine, handlerTakes(s)));
    sync(s.lockIrqsave(cpu));
    sync(s.unlockIrqrestore(cpu));
    expect(cpu.irqsOffDepth).toBe(0);
    expect(k.report.violations).toEqual([]);
  });

  it('sleeping locks are not tracked for interrupt safety (might-sleep covers them)', () => {
    const k = new Kernel();
    const mu = new Mutex(k, 'mu');
    const t = k.task('cpu0');
    sync(mu.lock(t));
    sync(mu.unlock(t));
    expect(mu.lockClass.irq).toBeNull();
  });
});
