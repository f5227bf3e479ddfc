/**
 * What lockdep's "possible circular locking dependency" report says, word for word,
 * driven through `Lockdep.acquire` with the call sites given (so every site in the
 * report is known): the new dependency and where it was made, the existing chain with
 * who made each link, where, holding what, the two-CPU scenario, and nested subclasses
 * named `name/subclass`. The recorded edges carry the given site.
 */
import { describe, expect, it } from 'vitest';
import { Machine, Mutex, SpinLock, type Task } from '../../src/index.js';
import { sync } from '../support/lock-helpers.js';

/** Take `locks` in order through lockdep alone, each at `site:<name>`, then release them. */
function chain(m: Machine, t: Task, locks: readonly (readonly [Mutex, number])[]): void {
  for (const [l, sub] of locks) m.lockdep.acquire(t, l, 0, sub, -1, `site:${t.name}:${l.name}/${sub}`);
  for (const [l] of [...locks].reverse()) expect(m.lockdep.release(t, l)).toBe(true);
}

describe('lockdep: the inversion report, exactly', () => {
  it('AB-BA: message, details, site, and the recorded edge', () => {
    const m = new Machine();
    const a = new Mutex(m, 'A');
    const b = new Mutex(m, 'B');
    chain(m, m.task('t1'), [[a, 0], [b, 0]]);
    expect(m.report.violations).toEqual([]);
    expect(m.lockdep.edges().map((e) => [e.from.name, e.to.name, e.task, e.held, e.site])).toEqual([['A', 'B', 't1', ['A (mutex) at site:t1:A/0'], 'site:t1:B/0']]);
    chain(m, m.task('t1b'), [[a, 0], [b, 0]]); // the same dependency again: the first maker is kept
    expect(m.lockdep.edges().map((e) => [e.task, e.site])).toEqual([['t1', 'site:t1:B/0']]);
    chain(m, m.task('t2'), [[b, 0], [a, 0]]);
    expect(m.report.violations).toHaveLength(1);
    const v = m.report.violations[0]!;
    expect(v.kind).toBe('lock-inversion');
    expect(v.message).toBe('possible circular locking dependency detected: t2 acquires A while holding B, but A -> B was seen before');
    expect(v.details).toEqual([
      'new dependency: t2 acquires A while holding B at site:t2:A/0',
      'existing dependency chain A -> B:',
      '  A -> B first by t1 at site:t1:B/0, holding [A (mutex) at site:t1:A/0]',
      'possible unsafe locking scenario:',
      '  CPU0: lock(B); CPU1: lock(A); CPU1: lock(B); CPU0: lock(A) -- deadlock',
    ]);
    expect(v.site).toBe('site:t2:A/0');
  });

  it('a nested subclass is named name/subclass, and is a class of its own', () => {
    const m = new Machine();
    const a = new Mutex(m, 'A');
    const b = new Mutex(m, 'B');
    chain(m, m.task('t1'), [[a, 0], [b, 1]]);
    chain(m, m.task('t2'), [[b, 0], [a, 0]]); // B/0 is not B/1: no inversion
    expect(m.report.violations).toEqual([]);
    chain(m, m.task('t3'), [[b, 1], [a, 0]]);
    expect(m.report.violations.map((v) => [v.message, v.details![1], v.details![4]])).toEqual([
      [
        'possible circular locking dependency detected: t3 acquires A while holding B/1, but A -> B/1 was seen before',
        'existing dependency chain A -> B/1:',
        '  CPU0: lock(B/1); CPU1: lock(A); CPU1: lock(B/1); CPU0: lock(A) -- deadlock',
      ],
    ]);
  });

  it('distinct pairs that share a class are each reported once', () => {
    const m = new Machine();
    const [a, b, c] = ['A', 'B', 'C'].map((n) => new Mutex(m, n));
    const t = m.task('t');
    for (const [x, y] of [[a, b], [a, c], [b, c]] as const) {
      chain(m, t, [[x!, 0], [y!, 0]]);
      chain(m, t, [[y!, 0], [x!, 0]]);
      chain(m, t, [[y!, 0], [x!, 0]]); // a repeat adds nothing
    }
    expect(m.report.violations.map((v) => v.message.replace(/.*: t acquires /, ''))).toEqual([
      'A while holding B, but A -> B was seen before',
      'A while holding C, but A -> C was seen before',
      'C while holding B, but C -> B was seen before', // C -> A -> B: reported at the first B, C
    ]);
  });

  it('a link made holding several locks lists them all', () => {
    const m = new Machine();
    const [x, a, b] = ['X', 'A', 'B'].map((n) => new Mutex(m, n)) as [Mutex, Mutex, Mutex];
    chain(m, m.task('t1'), [[x, 0], [a, 0], [b, 0]]);
    chain(m, m.task('t2'), [[b, 0], [a, 0]]);
    expect(m.report.violations.map((v) => v.details![2])).toEqual(['  A -> B first by t1 at site:t1:B/0, holding [X (mutex) at site:t1:X/0, A (mutex) at site:t1:A/0]']);
  });

  it('the chain is found through a cycle already in the graph, from the acquired class to the held one', () => {
    const m = new Machine();
    const [a, b, x] = ['A', 'B', 'X'].map((n) => new Mutex(m, n)) as [Mutex, Mutex, Mutex];
    const t = m.task('t');
    chain(m, t, [[a, 0], [b, 0]]);
    chain(m, t, [[b, 0], [a, 0]]); // A <-> B: reported
    chain(m, t, [[b, 0], [x, 0]]); // B -> X, listed after B -> A
    chain(m, t, [[x, 0], [a, 0]]); // X -> A closes A -> B -> X
    expect(m.report.violations.map((v) => v.details![1])).toEqual(['existing dependency chain A -> B:', 'existing dependency chain A -> B -> X:']);
  });

  it('an RCU reader adds no dependency to what it takes inside', () => {
    const m = new Machine();
    const s = new SpinLock(m, 's');
    const t = m.task('t');
    m.rcu.readLock(t);
    sync(s.lock(t));
    sync(s.unlock(t));
    m.rcu.readUnlock(t);
    expect(m.lockdep.edges()).toEqual([]);
    expect(m.report.violations).toEqual([]);
  });
});
