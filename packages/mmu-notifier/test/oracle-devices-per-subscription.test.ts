/**
 * Several devices answering for one subscription: the oracle keeps each (removing one
 * leaves the others), judges the invalidation windows of a subscription as soon as one
 * of its devices holds no references — and holds only that device to them, not a
 * references-holding device answering for the same subscription.
 */
import { describe, expect, it } from 'vitest';
import { coherenceOracle, DeviceMmu, MmuNotifier, mmuNotifierRegister, type DeviceTranslation } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { NoRefDriver, register, spy } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages } from './support/oracle-helpers.js';

describe('devices of one subscription', () => {
  it('are all kept, in the order they were bound; one removed leaves the others', () => {
    const { m } = setup('v6');
    const sub = new MmuNotifier({}, 'kvm');
    const a = new DeviceMmu(m, { name: 'a', driverClass: 'no-references', subscription: sub });
    const b = new DeviceMmu(m, { name: 'b', driverClass: 'holds-references', subscription: sub });
    const c = new DeviceMmu(m, { name: 'c', driverClass: 'holds-references', subscription: sub });
    const oracle = coherenceOracle(m);
    expect(oracle.devicesFor(sub)).toEqual([a, b, c]);
    b.removeSubscription(sub);
    expect(oracle.devicesFor(sub)).toEqual([a, c]);
    a.answerFor(null);
    expect(oracle.devicesFor(sub)).toEqual([c]);
  });

  it('windows are judged for the device without references; a references-holding one may map and read inside them', async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const a = await anonPages(m, t);
    const pfn = frameAt(t, a);
    const inside: string[] = [];
    const late: { noref?: NoRefDriver; holds?: DeviceMmu; h?: DeviceTranslation } = {};
    // Registered before the driver, so called after the driver's start returned: inside its window.
    const engine = spy({
      onStart: () => {
        const h = late.holds!.establish(t, mm, a, pfn);
        inside.push(`holds read ${late.holds!.read(t, h) as number}`);
        inside.push(`noref read ${late.noref!.device.read(t, late.h!) as number}`);
        late.holds!.drop(h);
      },
    });
    await v(mmuNotifierRegister(t, engine, mm));
    const noref = new NoRefDriver(m, mm, 'keeps-translations');
    await register(t, noref);
    const holds = new DeviceMmu(m, { name: 'holds', driverClass: 'holds-references', subscription: noref.sub });
    Object.assign(late, { noref, holds, h: await noref.translation(t, a, false) });
    await v(m.mem.munmap(t, a, P));
    expect(inside).toEqual(['holds read 100', 'noref read 100']);
    expect(kinds(m)).toEqual(['access-in-invalidation']);
    expect(messages(m, 'access-in-invalidation')[0]).toMatch(/^noref: /);
    noref.device.dropAll();
  });
});
