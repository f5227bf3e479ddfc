// A recorded dependency's held-lock lines keep every field of each held lock as it
// was when the dependency was made — name, nesting subclass, instance key, read and
// trylock flags, the acquisition's site — lock by lock, outermost first; and the
// dependency's site is the acquisition's own when its caller named one.
import { describe, expect, it } from 'vitest';
import { HELD_READ, HELD_TRYLOCK, Machine, Mutex, SpinLock, type LockEdge } from '../../src/index.js';

describe('recorded lock dependencies: the held-lock lines', () => {
  it('each held lock with its subclass, key, flags and site, outermost first', () => {
    const m = new Machine();
    const [a, b, c, d, e] = [new Mutex(m, 'A'), new Mutex(m, 'B'), new SpinLock(m, 'C'), new SpinLock(m, 'D'), new Mutex(m, 'E')];
    const t = m.task('t');
    m.lockdep.acquire(t, a, HELD_READ, 0, -1, 'site a');
    m.lockdep.acquire(t, b, HELD_TRYLOCK, 0, 7); // a trylock: held, never validated
    m.lockdep.acquire(t, c, 0, 1, 3, 'site c');
    m.lockdep.acquire(t, d, HELD_READ | HELD_TRYLOCK, 0, 0, 'site d');
    m.lockdep.acquire(t, e, 0, 0, -1, 'site e');
    const byPair = new Map<string, LockEdge>(m.lockdep.edges().map((e) => [`${e.from.name}/${e.from.subclass}->${e.to.name}`, e]));
    expect([...byPair.keys()].sort()).toEqual(['A/0->C', 'A/0->E', 'B/0->C', 'B/0->E', 'C/1->E', 'D/0->E']);
    expect(byPair.get('A/0->C')!.held).toEqual(['A (mutex, read) at site a', 'B[7] (mutex, trylock)']);
    expect(byPair.get('D/0->E')!.held).toEqual([
      'A (mutex, read) at site a',
      'B[7] (mutex, trylock)',
      'C/1[3] (spinlock) at site c',
      'D[0] (spinlock, read, trylock) at site d',
    ]);
    // The acquisition named its site: the dependency's site is that one, not the process's.
    expect(byPair.get('A/0->C')!.site).toBe('site c');
    expect(byPair.get('D/0->E')!.site).toBe('site e');
    expect(byPair.get('D/0->E')!.task).toBe('t');
    for (const [lock, key] of [[e, -1], [d, 0], [c, 3], [b, 7], [a, -1]] as const) expect(m.lockdep.release(t, lock, key)).toBe(true);
    expect(m.report.violations).toEqual([]);
  });

  it('one lock held: one line; no site named: the pair\'s site in the process', () => {
    const m = new Machine();
    const [a, b] = [new Mutex(m, 'A'), new Mutex(m, 'B')];
    const t = m.task('t');
    m.lockdep.acquire(t, a, 0, 0, -1, 'site a');
    m.lockdep.acquire(t, b);
    const [edge] = m.lockdep.edges();
    expect(edge!.held).toEqual(['A (mutex) at site a']);
    expect(edge!.site).toMatch(/recorded-edge-held-lines\.test\.ts:\d+:\d+\)?$/);
    m.lockdep.release(t, b);
    m.lockdep.release(t, a);
  });
});
