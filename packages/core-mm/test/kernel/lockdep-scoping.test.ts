/**
 * lockdep's scoping conditions, each with the case that must fire and the case that
 * must stay quiet: which held lock a release matches, that every distinct inversion on
 * a machine is reported (not only the first), that the order graph's search ends once
 * it holds a cycle, and that only a held lock (of the right instance) counts as held.
 * A bug in any of these would silence lockdep, or make it cry wolf, with the broad
 * tests in ../lockdep.test.ts still green.
 */
import { describe, expect, it } from 'vitest';
import { BitLock, Machine, Mutex, SpinLock, type Task } from '../../src/index.js';
import { kinds, sync } from '../support/lock-helpers.js';

/** Take `locks` in order on a direct task, then release them in reverse. */
function nestNow(t: Task, locks: readonly Mutex[]): void {
  for (const l of locks) sync(l.lock(t));
  for (const l of [...locks].reverse()) sync(l.unlock(t));
}

describe('lockdep: a release matches the held lock, not any held lock', () => {
  it('a task holding X that releases Y (held by another task) is a bad unlock; both holds stay intact', () => {
    const m = new Machine();
    const x = new Mutex(m, 'X');
    const y = new Mutex(m, 'Y');
    const owner = m.task('owner');
    const thief = m.task('thief');
    sync(y.lock(owner));
    sync(x.lock(thief));
    sync(y.unlock(thief));
    expect(kinds(m.report.violations)).toEqual(['bad-unlock']);
    expect(m.report.violations[0]!.message).toContain('thief is trying to release Y (mutex) but holds no such lock');
    expect(thief.describeHeld()).toEqual(['X (mutex)']);
    expect(y.holders()).toEqual([owner]);
  });

  it('holds() is true for the held lock only', () => {
    const m = new Machine();
    const x = new Mutex(m, 'X');
    const y = new Mutex(m, 'Y');
    const t = m.task('t');
    sync(x.lock(t));
    expect(m.lockdep.holds(t, x)).toBe(true);
    expect(m.lockdep.holds(t, y)).toBe(false);
    sync(x.unlock(t));
    expect(m.lockdep.holds(t, x)).toBe(false);
  });

  it('a bit lock is held per instance: holding page 0 does not let a task unlock page 1', () => {
    const m = new Machine();
    const pages = new BitLock(m, 'page', new Uint32Array(2), 0);
    const t = m.task('t');
    sync(pages.lock(t, 0));
    expect(m.lockdep.holds(t, pages, 0)).toBe(true);
    expect(m.lockdep.holds(t, pages, 1)).toBe(false);
    sync(pages.unlock(t, 1));
    expect(kinds(m.report.violations)).toEqual(['bad-unlock']);
    expect(t.describeHeld()).toHaveLength(1);
  });

  it('releasing in any order what is held is quiet (the middle of the stack too)', () => {
    const m = new Machine();
    const [a, b, c] = ['A', 'B', 'C'].map((n) => new Mutex(m, n)) as [Mutex, Mutex, Mutex];
    const t = m.task('t');
    for (const l of [a, b, c]) sync(l.lock(t));
    sync(b.unlock(t));
    expect(t.describeHeld()).toEqual(['A (mutex)', 'C (mutex)']);
    sync(a.unlock(t));
    sync(c.unlock(t));
    expect(m.report.violations).toEqual([]);
    expect(t.describeHeld()).toEqual([]);
  });
});

describe('lockdep: every distinct inversion is reported, each once', () => {
  it('A/B and then C/D on one machine: two reports, naming their own pairs', () => {
    const m = new Machine();
    const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((n) => new Mutex(m, n)) as [Mutex, Mutex, Mutex, Mutex];
    const t = m.task('t');
    nestNow(t, [a, b]);
    nestNow(t, [b, a]);
    nestNow(t, [c, d]);
    nestNow(t, [d, c]);
    // Repeats add nothing.
    nestNow(t, [b, a]);
    nestNow(t, [d, c]);
    const inversions = m.report.of('lock-inversion');
    expect(inversions.map((v) => v.message.replace(/.*: t acquires /, ''))).toEqual([
      'A while holding B, but A -> B was seen before',
      'C while holding D, but C -> D was seen before',
    ]);
  });

  it('locking goes on normally after an inversion: the graph holds a cycle, and new orders are still checked', () => {
    const m = new Machine();
    const [a, b, c] = ['A', 'B', 'C'].map((n) => new Mutex(m, n)) as [Mutex, Mutex, Mutex];
    const t = m.task('t');
    nestNow(t, [a, b]);
    nestNow(t, [b, a]);
    // A and B now reach each other; a new edge from C searches through that cycle.
    nestNow(t, [c, a]);
    expect(kinds(m.report.violations)).toEqual(['lock-inversion']);
    nestNow(t, [b, c]);
    expect(kinds(m.report.violations)).toEqual(['lock-inversion', 'lock-inversion']);
    expect(m.report.violations[1]!.message).toContain('t acquires C while holding B, but C -> B was seen before');
  });
});

describe('lockdep: spinlock and mutex classes are per name', () => {
  it('a class name reused with another lock type is refused with EINVAL', () => {
    const m = new Machine();
    new SpinLock(m, 'L');
    expect(() => new Mutex(m, 'L')).toThrow(/lock class L is a spinlock, not a mutex/);
  });
});
