/**
 * What a might-sleep report names besides the context: the primitive and its subject,
 * with the instance index when one is given (index 0 included: a page lock of frame 0
 * is still a page lock of a frame), and the caller-given site. Outside an atomic
 * context nothing is reported.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, mightSleep, SpinLock } from '../../src/index.js';
import { sync } from '../support/lock-helpers.js';

function atomicTask(): { m: Kernel; t: ReturnType<Kernel['task']> } {
  const m = new Kernel();
  const t = m.task('t');
  sync(new SpinLock(m, 'ptl').lock(t));
  return { m, t };
}

describe('might-sleep names the primitive, its subject and the site', () => {
  it('shows an instance index, also index 0, and no brackets without one', () => {
    const { m, t } = atomicTask();
    mightSleep(t, 'lock_page', 'page', 'here', 0);
    mightSleep(t, 'lock_page', 'page', 'here', 7);
    mightSleep(t, 'mutex_lock', 'mu', 'there');
    expect(m.report.violations.map((v) => v.message)).toEqual([
      'sleeping function called from invalid context: lock_page(page[0]) (preempt_count 1)',
      'sleeping function called from invalid context: lock_page(page[7]) (preempt_count 1)',
      'sleeping function called from invalid context: mutex_lock(mu) (preempt_count 1)',
    ]);
    expect(m.report.violations.map((v) => v.site)).toEqual(['here', 'here', 'there']);
  });

  it('reports nothing for a task that may sleep', () => {
    const m = new Kernel();
    mightSleep(m.task('t'), 'mutex_lock', 'mu', 'here', 3);
    expect(m.report.violations).toEqual([]);
  });
});
