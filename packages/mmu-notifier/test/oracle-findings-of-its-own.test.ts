/**
 * The coherence oracle's findings are the machine's violations of its own kinds, in
 * order: the notifier core's warnings on the same machine are not among them; and the
 * leak at the last `mmuNotifierPut` names that occasion.
 */
import { describe, expect, it } from 'vitest';
import { coherenceOracle, DeviceMmu, MmuNotifier, mmuNotifierGet, mmuNotifierPut, type MmuNotifierOps } from '../src/index.js';
import { setup, v } from './support/helpers.js';
import { anonPages, frameAt, kinds } from './support/oracle-helpers.js';

describe('CoherenceOracle.violations', () => {
  it('lists only the oracle kinds, in the order they were reported', async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const dev = new DeviceMmu(m, { name: 'sva', driverClass: 'no-references' });
    const ops: MmuNotifierOps = {
      allocNotifier: () => new MmuNotifier(ops, 'sva'),
      freeNotifier: () => {},
      invalidateRangeStart: (_task, _sub, range) => (dev.dropRange(range.mm, range.start, range.end), 0),
    };
    const sub = await v(mmuNotifierGet(t, ops, mm));
    dev.answerFor(sub);
    expect(coherenceOracle(m).devicesFor(sub)).toEqual([dev]);
    const a = await anonPages(m, t);
    const h = dev.establish(t, mm, a, frameAt(t, a), { writable: true });
    await v(mmuNotifierPut(t, sub)); // the last user: unlisted, the translation still there
    await v(mmuNotifierPut(t, sub)); // a put without a get: the notifier core warns
    dev.drop(h);
    expect(kinds(m)).toEqual(['leak', 'notifier-warn']);
    const oracle = coherenceOracle(m);
    expect(oracle.violations().map((x) => x.message)).toEqual([`sva: still holds 1 translation(s) of mm ${mm.id} when its last mmu_notifier_put unlisted sva`]);
    expect(oracle.devices).toEqual([dev]);
  });
});
