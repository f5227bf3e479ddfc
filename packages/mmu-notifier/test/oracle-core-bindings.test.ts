/**
 * The oracle's bookkeeping of which devices answer for a subscription and which handles
 * live at a page: several devices per subscription, each unbound on its own; a
 * subscription with no device left has none (its hooks are not judged); only a
 * no-references device makes its invalidation windows tracked; and a page whose last
 * handle is dropped has no entry left.
 */
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, type MmuNotifierOps } from '../src/index.js';
import { oracleCoreOf } from '../src/oracle/device-mmu.js';
import { setup, v } from './support/helpers.js';
import { anonPages, frameAt } from './support/oracle-helpers.js';

async function subscribed() {
  const { m, t } = setup('v6');
  const ops: MmuNotifierOps = { invalidateRangeStart: () => 0 };
  const sub = new MmuNotifier(ops, 'mirror');
  await v(mmuNotifierRegister(t, sub, t.mm!));
  return { m, t, sub, core: oracleCoreOf(m) };
}

describe('the devices answering for a subscription', () => {
  it('are every device added, in order; each removal takes only its own device', async () => {
    const { m, sub, core } = await subscribed();
    const a = new DeviceMmu(m, { name: 'a', driverClass: 'holds-references' });
    const b = new DeviceMmu(m, { name: 'b', driverClass: 'holds-references' });
    const c = new DeviceMmu(m, { name: 'c', driverClass: 'holds-references' });
    for (const d of [a, b, c]) d.addSubscription(sub);
    expect(core.devicesFor(sub)).toEqual([a, b, c]);
    b.removeSubscription(sub);
    expect(core.devicesFor(sub)).toEqual([a, c]);
    a.answerFor(null);
    expect(core.devicesFor(sub)).toEqual([c]);
    expect(core.hasDevices(sub)).toBe(true);
  });

  it('leave none once the last is removed', async () => {
    const { m, sub, core } = await subscribed();
    const a = new DeviceMmu(m, { name: 'a', driverClass: 'no-references' });
    a.answerFor(sub);
    expect(core.hasDevices(sub)).toBe(true);
    a.removeSubscription(sub);
    expect(core.hasDevices(sub)).toBe(false);
    expect(core.devicesFor(sub)).toEqual([]);
    expect(core.judgesRules(sub)).toBe(false);
  });

  it('make its windows judged only when one of them has no references', async () => {
    const { m, sub, core } = await subscribed();
    expect(core.judgesRules(sub)).toBe(false);
    new DeviceMmu(m, { name: 'refs', driverClass: 'holds-references' }).answerFor(sub);
    expect(core.judgesRules(sub)).toBe(false);
    new DeviceMmu(m, { name: 'noref', driverClass: 'no-references' }).answerFor(sub);
    expect(core.judgesRules(sub)).toBe(true);
  });
});

describe('the live handles of a page', () => {
  it('are listed oldest first, lose each dropped one, and leave no entry when the last goes', async () => {
    const { m, t, sub, core } = await subscribed();
    const mm = t.mm!;
    const dev = new DeviceMmu(m, { name: 'a', driverClass: 'holds-references' });
    dev.answerFor(sub);
    const p = await anonPages(m, t);
    const h1 = dev.establish(t, mm, p, frameAt(t, p));
    const h2 = dev.establish(t, mm, p, frameAt(t, p), { writable: true });
    expect(core.translationsAt(mm.id, p)).toEqual([h1, h2]);
    dev.drop(h1);
    expect(core.translationsAt(mm.id, p)).toEqual([h2]);
    dev.drop(h2);
    expect(core.translationsAt(mm.id, p)).toBeUndefined();
  });
});
