/**
 * Which context a might-sleep report names: each atomic context alone gives exactly
 * its own words, and contexts that nest are all named, outermost condition first. A
 * report naming a context the task is not in would send a driver author after the
 * wrong lock.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, Mutex, SpinLock, localIrqRestore, localIrqSave, runHardirq, type Task } from '../../src/index.js';
import { kinds, sync } from '../support/lock-helpers.js';

/** The parenthesised context of the one might-sleep report a mutex_lock in `enter`'s context gives. */
function contextOf(enter: (m: Kernel, t: Task) => void): string {
  const m = new Kernel();
  const mu = new Mutex(m, 'mu');
  const t = m.task('t');
  enter(m, t);
  sync(mu.lock(t));
  expect(kinds(m.report.violations)).toEqual(['might-sleep']);
  const message = m.report.violations[0]!.message;
  expect(message.startsWith('sleeping function called from invalid context: mutex_lock(mu) (')).toBe(true);
  return message.slice(message.indexOf('(mu) (') + 6, -1);
}

describe('might-sleep names exactly the context the task is in', () => {
  it('a spinlock: the preempt count only', () => {
    expect(contextOf((m, t) => sync(new SpinLock(m, 'ptl').lock(t)))).toBe('preempt_count 1');
  });

  it('rcu_read_lock: the RCU depth only', () => {
    expect(contextOf((m, t) => m.rcu.readLock(t))).toBe('rcu_read_lock depth 1');
  });

  it('a non-blockable section: its depth only', () => {
    expect(contextOf((_m, t) => t.enterNonBlock())).toBe('non-blockable section depth 1');
  });

  it('interrupts off: irqs_disabled only', () => {
    expect(contextOf((_m, t) => localIrqSave(t))).toBe('irqs_disabled');
  });

  it('everything at once, each with its depth', () => {
    const got = contextOf((m, t) => {
      sync(new SpinLock(m, 'a').lock(t));
      sync(new SpinLock(m, 'b').lock(t));
      m.rcu.readLock(t);
      t.enterNonBlock();
      t.enterNonBlock();
      localIrqSave(t);
    });
    expect(got).toBe('preempt_count 2, rcu_read_lock depth 1, non-blockable section depth 2, irqs_disabled');
  });

  it('a hardirq handler: in_interrupt, with interrupts off', () => {
    const m = new Kernel();
    const mu = new Mutex(m, 'mu');
    const t = m.task('irq');
    const r = runHardirq(t, (task) => sync(mu.lock(task)));
    expect(r).toBeUndefined();
    expect(m.report.violations.map((v) => v.message)).toEqual(['sleeping function called from invalid context: mutex_lock(mu) (in_interrupt: hardirq depth 1, irqs_disabled)']);
  });

  it('out of every context again: quiet', () => {
    const m = new Kernel();
    const mu = new Mutex(m, 'mu');
    const t = m.task('t');
    localIrqSave(t);
    localIrqRestore(t);
    t.enterNonBlock();
    t.exitNonBlock();
    m.rcu.readLock(t);
    m.rcu.readUnlock(t);
    sync(mu.lock(t));
    sync(mu.unlock(t));
    expect(m.report.violations).toEqual([]);
  });
});
