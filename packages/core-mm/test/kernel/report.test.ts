/**
 * The machine's Report: what every checker's finding becomes. Its fields are what a
 * driver author reads (task, held locks, site, time), `of` is what tests filter by,
 * `strict` is what turns a finding into an exception, and `formatViolation` is the
 * splat users print.
 */
import { describe, expect, it } from 'vitest';
import { Report, ViolationError, VirtualClock, formatViolation, isSmmuError, type Violation, type ViolationSubject } from '../../src/index.js';

const holder: ViolationSubject = { name: 'cpu0', describeHeld: () => ['mmap_lock (rwsem, write)', 'ptl (spinlock)'] };

function report(strict = false): { report: Report; clock: VirtualClock } {
  const clock = new VirtualClock();
  return { report: new Report(strict, clock), clock };
}

describe('Report', () => {
  it('stamps a finding with the task, its held locks, the site and virtual time', () => {
    const { report: r, clock } = report();
    clock.advance(1500);
    r.report(holder, 'might-sleep', 'sleeping in atomic context', ['in: spin_lock'], 'my-driver.ts:12');
    expect(r.violations).toEqual([
      { kind: 'might-sleep', message: 'sleeping in atomic context', task: 'cpu0', heldLocks: ['mmap_lock (rwsem, write)', 'ptl (spinlock)'], site: 'my-driver.ts:12', details: ['in: spin_lock'], time: 1500 },
    ]);
  });

  it('names no task and no locks when the finding has no subject, and no details when none are given', () => {
    const { report: r } = report();
    r.report(null, 'invariant', 'frame 3 has refcount 0', undefined, 'verify');
    const [v] = r.violations;
    expect(v!.task).toBe('-');
    expect(v!.heldLocks).toEqual([]);
    expect('details' in v!).toBe(false);
  });

  it('of(kind) returns the findings of that kind only, in order', () => {
    const { report: r } = report();
    r.report(null, 'invariant', 'a', undefined, 's');
    r.report(null, 'bad-unlock', 'b', undefined, 's');
    r.report(null, 'invariant', 'c', undefined, 's');
    expect(r.of('invariant').map((v) => v.message)).toEqual(['a', 'c']);
    expect(r.of('bad-unlock').map((v) => v.message)).toEqual(['b']);
    expect(r.of('deadlock')).toEqual([]);
  });

  it('strict: report throws a ViolationError carrying the finding; record never throws', () => {
    const { report: r } = report(true);
    let thrown: unknown;
    try {
      r.report(holder, 'lock-recursion', 'ptl taken twice', undefined, 'x');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ViolationError);
    expect(isSmmuError(thrown, 'EVIOLATION')).toBe(true);
    expect((thrown as ViolationError).violation.kind).toBe('lock-recursion');
    expect((thrown as ViolationError).message).toBe('EVIOLATION: lock-recursion: ptl taken twice [task cpu0]');
    expect(() => r.record(holder, 'deadlock', 'all blocked', undefined, 'sched')).not.toThrow();
    expect(r.violations.map((v) => v.kind)).toEqual(['lock-recursion', 'deadlock']);
  });

  it('not strict: report records and goes on', () => {
    const { report: r } = report(false);
    expect(() => r.report(holder, 'lock-recursion', 'twice', undefined, 'x')).not.toThrow();
    expect(r.violations).toHaveLength(1);
  });
});

describe('formatViolation', () => {
  const base: Violation = { kind: 'bad-unlock', message: 'releasing a lock not held', task: 'cpu1', heldLocks: [], site: 'drv.ts:7', time: 42 };

  it('prints the kind, message, task, site and time', () => {
    expect(formatViolation(base)).toBe('[bad-unlock] releasing a lock not held\n  task: cpu1   at: drv.ts:7   time: 42 ns');
  });

  it('lists held locks, numbered outermost first, then the details', () => {
    const v: Violation = { ...base, heldLocks: ['mmap_lock (rwsem, read)', 'ptl (spinlock)'], details: ['chain: A -> B', 'chain: B -> A'] };
    expect(formatViolation(v).split('\n')).toEqual([
      '[bad-unlock] releasing a lock not held',
      '  task: cpu1   at: drv.ts:7   time: 42 ns',
      '  2 lock(s) held:',
      '   #0: mmap_lock (rwsem, read)',
      '   #1: ptl (spinlock)',
      '  chain: A -> B',
      '  chain: B -> A',
    ]);
  });
});
