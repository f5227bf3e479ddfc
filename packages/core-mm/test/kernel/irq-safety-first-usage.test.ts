/**
 * The inconsistent-lock-state splat names where each usage was *first* registered: a
 * later acquisition in the same interrupt state does not move it, as lockdep keeps the
 * first trace of each usage bit.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, runHardirq, SpinLock } from '../../src/index.js';
import { sync } from '../support/lock-helpers.js';

describe('inconsistent lock state: the first usage is the one named', () => {
  it('names the first task that took the lock with interrupts enabled, not a later one', () => {
    const k = new Kernel();
    const s = new SpinLock(k, 'tlb_lock');
    for (const name of ['cpu0', 'cpu1']) {
      const t = k.task(name);
      sync(s.lock(t, `${name}.c:1`));
      sync(s.unlock(t));
    }
    sync(runHardirq(k.task('engine'), (t) => {
      sync(s.lock(t));
      sync(s.unlock(t));
    }));
    expect(k.report.violations.map((v) => v.details![0])).toEqual(['{HARDIRQ-ON-W} state was registered by cpu0 at cpu0.c:1']);
  });

  it('names the first handler that took it', () => {
    const k = new Kernel();
    const s = new SpinLock(k, 'tlb_lock');
    for (const name of ['irq0', 'irq1']) {
      sync(runHardirq(k.task(name), (t) => {
        sync(s.lock(t));
        sync(s.unlock(t));
      }));
    }
    const cpu = k.task('cpu0');
    sync(s.lock(cpu));
    sync(s.unlock(cpu));
    expect(k.report.violations.map((v) => v.details![0])).toEqual(['{IN-HARDIRQ-W} state was registered by irq0']);
  });
});
