// A dependency lockdep records keeps what the task held when it was first made, read
// after the task has moved on, and the site of the pair's first sighting in the
// process; an inversion's chain prints those lines.
import { describe, expect, it } from 'vitest';
import { Machine, Mutex, SpinLock } from '../../src/index.js';
import { sync } from '../support/lock-helpers.js';

describe('recorded lock dependencies', () => {
  it('held: the stack when the dependency was made, not the task\'s later one', () => {
    const m = new Machine();
    const [a, b, c] = [new Mutex(m, 'A'), new Mutex(m, 'B'), new SpinLock(m, 'C')];
    const t = m.task('t');
    sync(a.lock(t));
    sync(b.lock(t)); // A -> B, holding [A]
    sync(c.lock(t)); // A -> C and B -> C, holding [A, B]
    const byPair = Object.fromEntries(m.lockdep.edges().map((e) => [`${e.from.name}->${e.to.name}`, e]));
    sync(c.unlock(t));
    sync(b.unlock(t));
    sync(a.unlock(t));
    expect(Object.keys(byPair).sort()).toEqual(['A->B', 'A->C', 'B->C']);
    expect(byPair['A->B']!.held).toEqual(['A (mutex)']);
    expect(byPair['B->C']!.held).toEqual(['A (mutex)', 'B (mutex)']);
    expect(byPair['A->B']!.task).toBe('t');
    // Read twice: the same lines.
    expect(byPair['B->C']!.held).toBe(byPair['B->C']!.held);
  });

  it('site: the first sighting of the pair in the process, shared by a later machine', () => {
    const first = (): string => {
      const m = new Machine();
      const [a, b] = [new Mutex(m, 'recorded-edge X'), new Mutex(m, 'recorded-edge Y')];
      const t = m.task('t');
      sync(a.lock(t));
      sync(b.lock(t));
      sync(b.unlock(t));
      sync(a.unlock(t));
      return m.lockdep.edges()[0]!.site;
    };
    const once = first();
    expect(once).toContain('recorded-edge.test.ts');
    expect(first()).toBe(once);
  });

  it("an inversion's chain prints the recorded task, site and held locks", () => {
    const m = new Machine();
    const [a, b] = [new Mutex(m, 'A'), new Mutex(m, 'B')];
    const t = m.task('t');
    sync(a.lock(t));
    sync(b.lock(t));
    sync(b.unlock(t));
    sync(a.unlock(t));
    const edge = m.lockdep.edges()[0]!;
    sync(b.lock(t));
    sync(a.lock(t));
    const [v] = m.report.violations;
    expect(v?.kind).toBe('lock-inversion');
    expect(v?.details).toContain(`  A -> B first by t at ${edge.site}, holding [A (mutex)]`);
  });
});
