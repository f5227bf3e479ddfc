/**
 * lockdep's recursion and unlock-balance reports, word for word, driven through the
 * `Lockdep` calls with sites given: the same instance (a bit lock names its key) is a
 * self-deadlock, another instance of a per-instance class is not, another lock of the
 * same class is unless nested under a subclass; a release or downgrade of what is not
 * held is a bad unlock naming the instance, and a downgrade of a held lock makes it a
 * read hold.
 */
import { describe, expect, it } from 'vitest';
import { BitLock, HELD_READ, Machine, Mutex, RwSemaphore, Srcu } from '../../src/index.js';

describe('lockdep: recursion, exactly', () => {
  it('a bit lock: the same key again is reported with the key and the site; another key is not', () => {
    const m = new Machine();
    const pages = new BitLock(m, 'PG', new Uint32Array(8), 0);
    const t = m.task('t');
    m.lockdep.acquire(t, pages, 0, 0, 0, 'first');
    m.lockdep.acquire(t, pages, 0, 0, 1, 'other');
    expect(m.report.violations).toEqual([]);
    m.lockdep.acquire(t, pages, 0, 0, 0, 'again');
    expect(m.report.violations.map((v) => [v.kind, v.message, v.site])).toEqual([
      ['lock-recursion', 'possible recursive locking detected: t acquires PG[0] (bit-lock), which it already holds: deadlock', 'again'],
    ]);
  });

  it('check() validates without holding: the same lock again is recursion, with no instance key by default', () => {
    const m = new Machine();
    const mu = new Mutex(m, 'mu');
    const t = m.task('t');
    m.lockdep.acquire(t, mu);
    expect(m.lockdep.check(t, mu)).toBe(mu.lockClass);
    expect(m.report.violations.map((v) => v.message)).toEqual(['possible recursive locking detected: t acquires mu (mutex), which it already holds: deadlock']);
    expect(t.describeHeld()).toEqual(['mu (mutex)']);
  });

  it('an SRCU read inside its own write side (synchronize) is recursion; a read inside a read is not', () => {
    const m = new Machine();
    const srcu = new Srcu(m, 'srcu');
    const t = m.task('t');
    m.lockdep.acquire(t, srcu, HELD_READ);
    m.lockdep.acquire(t, srcu, HELD_READ);
    expect(m.report.violations).toEqual([]);
    const w = m.task('w');
    m.lockdep.acquire(w, srcu, 0);
    m.lockdep.acquire(w, srcu, HELD_READ);
    expect(m.report.violations.map((v) => v.message)).toEqual(['possible recursive locking detected: w acquires srcu (srcu), which it already holds: deadlock']);
  });

  it('another lock of the same class, unless nested under a subclass', () => {
    const m = new Machine();
    const [x1, x2] = [new Mutex(m, 'X'), new Mutex(m, 'X')];
    const t = m.task('t');
    m.lockdep.acquire(t, x1, 0, 0, -1, 'one');
    m.lockdep.acquire(t, x2, 0, 1, -1, 'nested');
    expect(m.report.violations).toEqual([]);
    expect(t.describeHeld()).toEqual(['X (mutex) at one', 'X/1 (mutex) at nested']);
    expect(m.lockdep.release(t, x2)).toBe(true);
    m.lockdep.acquire(t, x2, 0, 0, -1, 'two');
    expect(m.report.violations.map((v) => [v.message, v.site])).toEqual([
      ['possible recursive locking detected: t acquires X (mutex) while holding another lock of class X (use a nested subclass if the order is fixed)', 'two'],
    ]);
    expect(t.describeHeld()).toEqual(['X (mutex) at one', 'X (mutex) at two']);
  });
});

describe('lockdep: unlock balance, exactly', () => {
  it('a release of what is not held names the instance; nothing held changes', () => {
    const m = new Machine();
    const pages = new BitLock(m, 'PG', new Uint32Array(8), 0);
    const mu = new Mutex(m, 'mu');
    const t = m.task('t');
    m.lockdep.acquire(t, pages, 0, 0, 2);
    expect(m.lockdep.release(t, pages, 0)).toBe(false);
    expect(m.lockdep.release(t, mu)).toBe(false);
    expect(m.report.violations.map((v) => [v.kind, v.message])).toEqual([
      ['bad-unlock', 'bad unlock balance detected: t is trying to release PG[0] (bit-lock) but holds no such lock'],
      ['bad-unlock', 'bad unlock balance detected: t is trying to release mu (mutex) but holds no such lock'],
    ]);
    expect(t.describeHeld()).toEqual(['PG[2] (bit-lock)']);
    expect(m.lockdep.release(t, pages, 2)).toBe(true);
  });

  it('a downgrade: of a held lock, a read hold; of a lock not held, a bad unlock', () => {
    const m = new Machine();
    const rw = new RwSemaphore(m, 'rw');
    const mu = new Mutex(m, 'mu');
    const t = m.task('t');
    m.lockdep.acquire(t, mu, 0);
    m.lockdep.acquire(t, rw, 0);
    expect(m.lockdep.downgrade(t, rw)).toBe(true);
    expect(t.describeHeld()).toEqual(['mu (mutex)', 'rw (rwsem, read)']);
    expect(m.report.violations).toEqual([]);
    const other = m.task('other');
    expect(m.lockdep.downgrade(other, rw)).toBe(false);
    expect(m.report.violations.map((v) => v.message)).toEqual(['bad unlock balance detected: other is trying to release rw (rwsem) but holds no such lock']);
    expect(m.lockdep.release(t, rw)).toBe(true);
    expect(m.lockdep.release(t, mu)).toBe(true);
    expect(t.describeHeld()).toEqual([]);
  });
});
