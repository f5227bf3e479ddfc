/**
 * The aging rule around one callback (aging.ts): an access made while the callback runs
 * neither hides an access made before it nor counts as one; a callback that threw is a
 * driver-error and no aging answer; a narrow clear lists its pages in address order and
 * clears up to its end only; a translation dropped before any access leaves nothing.
 */
import { type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierClearYoung, mmuNotifierRegister, mmuNotifierTestYoung, type DeviceTranslation } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { NoRefDriver, register } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages } from './support/oracle-helpers.js';

const hex = (x: number): string => `0x${x.toString(16)}`;

/** A driver whose clear_young runs `during` and answers not young (or throws), with a translation of page `a`. */
async function clearer(during: (h: DeviceTranslation) => void): Promise<{ m: Machine; t: Task; device: DeviceMmu; h: DeviceTranslation; a: number }> {
  const { m, t } = setup('v6');
  const device = new DeviceMmu(m, { name: 'kvm', driverClass: 'no-references' });
  const box: { h: DeviceTranslation | null } = { h: null };
  const sub = new MmuNotifier(
    {
      clearYoung: () => {
        during(box.h!);
        return false;
      },
    },
    'kvm',
  );
  device.answerFor(sub);
  await v(mmuNotifierRegister(t, sub, t.mm!));
  const a = await anonPages(m, t);
  box.h = device.establish(t, t.mm!, a, frameAt(t, a));
  return { m, t, device, h: box.h, a };
}

describe('aging: one clear_young call', () => {
  it('an access before the call is reported though the device accessed the page again while it ran', async () => {
    const { m, t, device, h, a } = await clearer((h) => void device.read(t, h));
    expect(device.read(t, h)).not.toBeInstanceOf(Promise);
    expect(await v(mmuNotifierClearYoung(t, t.mm!, a, a + P))).toBe(false);
    expect(kinds(m)).toEqual(['aging']);
  });

  it('an access only while the call ran does not make not-young wrong', async () => {
    const { m, t, device, a } = await clearer((h) => void device.read(t, h));
    expect(await v(mmuNotifierClearYoung(t, t.mm!, a, a + P))).toBe(false);
    expect(kinds(m)).toEqual([]);
  });

  it('a call that threw is a driver-error, not an aging finding', async () => {
    const { m, t, device, h, a } = await clearer(() => {
      throw new Error('device gone');
    });
    expect(device.read(t, h)).not.toBeInstanceOf(Promise);
    await v(mmuNotifierClearYoung(t, t.mm!, a, a + P));
    expect(kinds(m)).toEqual(['driver-error']);
  });
});

describe('aging: a narrow clear', () => {
  it('lists the pages it judges in address order, up to 512 pages', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'young-never', 'kvm');
    await register(t, drv);
    const a = await anonPages(m, t, 2);
    await drv.read(t, a + P);
    await drv.read(t, a);
    expect(await v(mmuNotifierClearYoung(t, t.mm!, a, a + 512 * P))).toBe(false);
    expect(messages(m, 'aging')).toHaveLength(1);
    expect(messages(m, 'aging')[0]).toMatch(new RegExp(`accessed ${hex(a)} \\(pfn \\d+, by kvm\\), ${hex(a + P)} \\(pfn \\d+, by kvm\\) since`));
  });

  it('clears up to its end: the page at its end stays young', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'test-young-always', 'kvm');
    await register(t, drv);
    const a = await anonPages(m, t, 2);
    await drv.read(t, a + P);
    await v(mmuNotifierClearYoung(t, t.mm!, a, a + P));
    expect(await v(mmuNotifierTestYoung(t, t.mm!, a + P))).toBe(true);
    expect(kinds(m)).toEqual([]);
  });
});

describe('aging: a translation dropped before any access', () => {
  it('leaves nothing to judge, while another page of the subscriber has a record', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'young-never', 'kvm');
    await register(t, drv);
    const a = await anonPages(m, t, 2);
    await drv.read(t, a);
    const unused = drv.device.establish(t, t.mm!, a + P, frameAt(t, a + P));
    drv.device.drop(unused);
    expect(await v(mmuNotifierClearYoung(t, t.mm!, a + P, a + 2 * P))).toBe(false);
    expect(kinds(m)).toEqual([]);
  });
});
