/**
 * "Downgrades may wait" is granted narrowly: only a live, writable handle of a device
 * sharing the CPU page table that answers for a subscription, of the frame the PTE
 * keeps, when a `v6` PTE goes from writable to not writable. Any other handle written
 * through after the write-protect is reported at once, also while some other handle
 * waits. A rule that let more handles wait would hide real writes through read-only
 * entries.
 */
import { PROT, walkPageTable, type Era, type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { register, SharedTlbDriver, spy } from './support/oracle-drivers.js';
import { anonPages, kinds } from './support/oracle-helpers.js';

/** A device sharing the CPU page table with a writable handle of page `a`, answering (if `subscribed`) for a subscription with no flush callback. */
async function writableTlbEntry(era: Era, subscribed: boolean): Promise<{ m: Machine; t: Task; device: DeviceMmu; a: number }> {
  const { m, t } = setup(era);
  const device = new DeviceMmu(m, { name: 'tlb', driverClass: 'shares-cpu-page-table' });
  if (subscribed) {
    const sub = new MmuNotifier({ release: () => void device.dropAll() }, 'tlb');
    device.answerFor(sub);
    await v(mmuNotifierRegister(t, sub, t.mm!));
  }
  const a = await anonPages(m, t, 1);
  return { m, t, device, a };
}

describe('which write-protected handles may wait for a flush', () => {
  it('a device answering for no subscription does not wait: its write after the write-protect is reported', async () => {
    const { m, t, device, a } = await writableTlbEntry('v6', false);
    const h = device.establish(t, t.mm!, a, walkPageTable(t.mm!, a)!.pfn, { writable: true });
    await v(m.mem.mprotect(t, a, P, PROT.read));
    await v(device.write(t, h, 1));
    expect(kinds(m)).toEqual(['write-through-read-only']);
  });

  it('nothing waits in a 2008 era (no arch_invalidate_secondary_tlbs): the write is reported', async () => {
    const { m, t, device, a } = await writableTlbEntry('v2.6.27', true);
    const h = device.establish(t, t.mm!, a, walkPageTable(t.mm!, a)!.pfn, { writable: true });
    await v(m.mem.mprotect(t, a, P, PROT.read));
    await v(device.write(t, h, 1));
    expect(kinds(m)).toEqual(['write-through-read-only']);
  });

  it('a PTE that was not writable takes nothing away: a writable handle of it does not wait past mprotect(PROT_NONE)', async () => {
    const { m, t, device, a } = await writableTlbEntry('v6', true);
    await v(m.mem.mprotect(t, a, P, PROT.read));
    const h = device.establish(t, t.mm!, a, walkPageTable(t.mm!, a)!.pfn, { writable: true });
    await v(m.mem.mprotect(t, a, P, PROT.none));
    await v(device.write(t, h, 1));
    expect(kinds(m)).toContain('write-through-read-only');
  });

  it('a handle whose flush already passed is reported while another page waits', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    let a = -1;
    let armed = false;
    const onEnd = (): void => {
      if (!armed) return;
      armed = false;
      expect(drv.device.write(t, drv.device.lookup(t.mm!, a)!, 9)).toBeUndefined();
    };
    await v(mmuNotifierRegister(t, spy({ onEnd }), t.mm!));
    a = await anonPages(m, t, 2);
    await drv.write(t, a, 5);
    await drv.write(t, a + P, 6);
    await v(m.mem.mprotect(t, a, P, PROT.read)); // page 0: write-protected and flushed; the driver kept it writable
    expect(kinds(m)).toEqual([]);
    armed = true; // page 1 waits for its flush while page 0 is written through
    await v(m.mem.mprotect(t, a + P, P, PROT.read));
    expect(armed).toBe(false);
    expect(kinds(m)).toEqual(['write-through-read-only']);
    drv.device.dropAll();
  });
});
