/**
 * The leak rule at the get/put lifetime: translations still held when the last
 * `mmuNotifierPut` unlists the subscription are reported then, naming the put; one made
 * after the put (no invalidate reaches it any more) is reported when the put's deferred
 * free has run. A driver that drops everything before its put is not reported.
 */
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierGet, mmuNotifierPut, mmuNotifierSynchronize, type MmuNotifierOps } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { anonPages, frameAt, messages } from './support/oracle-helpers.js';

/** A machine with a no-references device `sva` answering for a get/put subscription made with `ops` (plus `allocNotifier`). */
async function gotten(ops: (dev: DeviceMmu) => Omit<MmuNotifierOps, 'allocNotifier'>) {
  const { m, t } = setup('v6');
  const mm = t.mm!;
  const dev = new DeviceMmu(m, { name: 'sva', driverClass: 'no-references' });
  const full: MmuNotifierOps = { allocNotifier: () => new MmuNotifier(full, 'sva'), ...ops(dev) };
  const sub = await v(mmuNotifierGet(t, full, mm));
  dev.answerFor(sub);
  return { m, t, mm, dev, sub };
}

describe('leaks at the last mmuNotifierPut', () => {
  it('are reported when the put unlists the subscription, not later when its free_notifier drops them', async () => {
    // Too late: after the put no invalidate reaches these translations.
    const { m, t, mm, dev, sub } = await gotten((dev) => ({ freeNotifier: () => void dev.dropAll() }));
    const a = await anonPages(m, t);
    dev.establish(t, mm, a, frameAt(t, a), { writable: true });
    await v(mmuNotifierPut(t, sub));
    expect(sub.freed).toBe(true);
    expect(messages(m, 'leak')).toEqual([`sva: still holds 1 translation(s) of mm ${mm.id} when its last mmu_notifier_put unlisted sva`]);
  });

  it('one made after the put is reported when the deferred free has run', async () => {
    let putFromStart = false;
    const { m, t, mm, dev, sub } = await gotten((dev) => ({
      freeNotifier: () => {},
      // A put inside a callback: the free waits for a grace period begun after it.
      invalidateRangeStart: (task, s, range) => {
        dev.dropRange(range.mm, range.start, range.end);
        return putFromStart ? (mmuNotifierPut(task, s) as void, 0) : 0;
      },
    }));
    const a = await anonPages(m, t, 2);
    putFromStart = true;
    await v(m.mem.munmap(t, a + P, P));
    expect(sub.listed).toBe(false);
    expect(sub.freed).toBe(false);
    expect(messages(m, 'leak')).toEqual([]);
    dev.establish(t, mm, a, frameAt(t, a), { writable: true });
    await v(mmuNotifierSynchronize(t, m));
    expect(sub.freed).toBe(true);
    expect(messages(m, 'leak')).toEqual([`sva: still holds 1 translation(s) of mm ${mm.id} when sva was freed after its last mmu_notifier_put`]);
  });

  it('stay quiet for a driver that drops every translation before its last put', async () => {
    const { m, t, mm, dev, sub } = await gotten(() => ({ freeNotifier: () => {} }));
    const a = await anonPages(m, t);
    dev.establish(t, mm, a, frameAt(t, a), { writable: true });
    dev.dropAll();
    await v(mmuNotifierPut(t, sub));
    expect(sub.freed).toBe(true);
    expect(m.report.violations).toEqual([]);
  });
});
