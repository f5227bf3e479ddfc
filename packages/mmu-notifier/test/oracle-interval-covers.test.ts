/**
 * Which pages an interval notifier answers for (the subscription covering a device's
 * translation): every page its interval `[start, last]` touches, down to one byte at
 * either end; a classic notifier covers its mm, none covers another mm.
 */
import { describe, expect, it } from 'vitest';
import { DeviceMmu, mmuIntervalNotifier, mmuIntervalNotifierInsert } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { anonPages } from './support/oracle-helpers.js';

describe('subscriptionCovers: an interval notifier covers the pages its interval touches', () => {
  it('a page holding only the first or only the last byte of the interval is covered; its neighbours are not', async () => {
    const { m, t } = setup('v6');
    const a = await anonPages(m, t, 4);
    const head = mmuIntervalNotifier({ invalidate: () => true }, 'head');
    const tail = mmuIntervalNotifier({ invalidate: () => true }, 'tail');
    await v(mmuIntervalNotifierInsert(t, head, t.mm!, a + P - 1, 1)); // the last byte of page 0
    await v(mmuIntervalNotifierInsert(t, tail, t.mm!, a + 2 * P, 1)); // the first byte of page 2
    const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'no-references', subscription: head });
    dev.addSubscription(tail);
    expect([0, 1, 2, 3].map((i) => dev.covering(t.mm!, a + i * P)?.name ?? null)).toEqual(['head', null, 'tail', null]);
    expect(dev.covering(m.mem.createProcess('other').mm!, a)).toBeNull();
  });
});
