/**
 * lockdep's exit check ("lock held at task exit", and an atomic context never left),
 * each piece of state alone and all at once, with the exact message: which of the
 * task's counters it names and in what order; a task that left everything is quiet.
 */
import { describe, expect, it } from 'vitest';
import { Machine, Mutex } from '../../src/index.js';
import { kinds, sync } from '../support/lock-helpers.js';

type Counter = 'preemptCount' | 'rcuDepth' | 'nonBlockDepth' | 'hardirqDepth' | 'irqsOffDepth';

/** The exit report of a direct task left with `counters`, or null when none. */
function exitReport(counters: Partial<Record<Counter, number>>): string | null {
  const m = new Machine();
  const t = m.task('t');
  Object.assign(t, counters);
  m.lockdep.checkExit(t);
  Object.assign(t, { preemptCount: 0, rcuDepth: 0, nonBlockDepth: 0, hardirqDepth: 0, irqsOffDepth: 0 });
  if (m.report.violations.length === 0) return null;
  expect(kinds(m.report.violations)).toEqual(['held-at-exit']);
  return m.report.violations[0]!.message;
}

describe('lockdep: what a task left at exit', () => {
  it('nothing: quiet', () => {
    expect(exitReport({})).toBeNull();
  });

  it('each counter alone, by its count', () => {
    expect(exitReport({ preemptCount: 2 })).toBe('task t ended with preempt count 2');
    expect(exitReport({ rcuDepth: 3 })).toBe('task t ended with RCU read-side depth 3');
    expect(exitReport({ nonBlockDepth: 1 })).toBe('task t ended with non-block depth 1');
    expect(exitReport({ hardirqDepth: 1 })).toBe('task t ended with hardirq depth 1');
    expect(exitReport({ irqsOffDepth: 2 })).toBe('task t ended with interrupts disabled (depth 2)');
  });

  it('everything at once, locks first', () => {
    const m = new Machine();
    const mu = new Mutex(m, 'mu');
    const t = m.task('t');
    sync(mu.lock(t));
    Object.assign(t, { preemptCount: 1, rcuDepth: 2, nonBlockDepth: 3, hardirqDepth: 4, irqsOffDepth: 5 });
    m.lockdep.checkExit(t);
    expect(m.report.violations.map((v) => v.message)).toEqual([
      'task t ended with 1 lock(s) held, preempt count 1, RCU read-side depth 2, non-block depth 3, hardirq depth 4, interrupts disabled (depth 5)',
    ]);
    Object.assign(t, { preemptCount: 0, rcuDepth: 0, nonBlockDepth: 0, hardirqDepth: 0, irqsOffDepth: 0 });
    sync(mu.unlock(t));
  });
});
