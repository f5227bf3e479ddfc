/**
 * "Downgrades may wait": the wait of a write-protected entry of a TLB sharing the CPU
 * page table ends only at the return of `arch_invalidate_secondary_tlbs` from the
 * handle's own subscription over a range covering the handle's page. A flush of the
 * page below, another subscription's flush, or another callback of the same
 * subscription returning, must leave the entry waiting: a correct driver's write
 * through it before its flush is no violation. (The covering flush ending the wait is
 * in oracle-outcome.test.ts, a flush of the page above in oracle-downgrade-scope.test.ts.)
 */
import { PROT, walkPageTable, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, subscriptionsOf, type DeviceTranslation } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { register, SharedTlbDriver, spy } from './support/oracle-drivers.js';
import { anonPages, kinds } from './support/oracle-helpers.js';

/** Write through `h` if the driver still keeps it writable. */
function writeIfWritable(device: DeviceMmu, task: Task, h: DeviceTranslation | undefined): void {
  if (h !== undefined && h.writable) expect(device.write(task, h, 7)).toBeUndefined();
}

describe('a downgrade wait ends only at the covering flush of its own subscription', () => {
  it('a flush of the page below leaves the page above waiting: its write is no violation', async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const drv = new SharedTlbDriver(m, t.mm!);
    await register(t, drv);
    let a = -1;
    const onEnd = (): void => {
      expect(subscriptionsOf(t.mm!)!.archInvalidateSecondaryTlbs(engine, t.mm!, a, a + P)).toBeUndefined();
      writeIfWritable(drv.device, engine, drv.device.lookup(t.mm!, a + P));
    };
    await v(mmuNotifierRegister(t, spy({ onEnd }), t.mm!));
    a = await anonPages(m, t, 2);
    await drv.write(t, a, 5);
    await drv.write(t, a + P, 6);
    await v(m.mem.mprotect(t, a + P, P, PROT.read));
    expect(kinds(m)).toEqual([]);
  });

  it("another subscription's flush of the page leaves it waiting", async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!);
    await register(t, drv);
    let a = -1;
    let armed = false;
    // Subscriptions are called newest first: `other`'s flush returns, then this one's
    // hook writes, then the driver's own flush comes.
    const writer = new MmuNotifier(
      {
        archInvalidateSecondaryTlbs: (task) => {
          if (!armed) return;
          armed = false;
          writeIfWritable(drv.device, task, drv.device.lookup(t.mm!, a));
        },
      },
      'writer',
    );
    await v(mmuNotifierRegister(t, writer, t.mm!));
    const other = new SharedTlbDriver(m, t.mm!, 'none', 'sva-other');
    await register(t, other);
    a = await anonPages(m, t, 1);
    await drv.write(t, a, 5);
    armed = true;
    await v(m.mem.mprotect(t, a, P, PROT.read));
    expect(armed).toBe(false);
    expect(kinds(m)).toEqual([]);
  });

  it('another callback of the same subscription returning (clear_young) leaves it waiting', async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const { device, sub } = youngAnsweringTlb(m, t.mm!);
    await v(mmuNotifierRegister(t, sub, t.mm!));
    let a = -1;
    const onEnd = (): void => {
      expect(subscriptionsOf(t.mm!)!.clearYoung(engine, t.mm!, a, a + P)).toBe(false);
      writeIfWritable(device, engine, device.lookup(t.mm!, a));
    };
    await v(mmuNotifierRegister(t, spy({ onEnd }), t.mm!));
    a = await anonPages(m, t, 1);
    device.establish(t, t.mm!, a, walkPageTable(t.mm!, a)!.pfn, { writable: true });
    await v(m.mem.mprotect(t, a, P, PROT.read));
    expect(kinds(m)).toEqual([]);
  });
});

/** A TLB sharing the CPU page table whose subscription also answers clear_young (never young) and flushes by dropping. */
function youngAnsweringTlb(m: Machine, mm: Mm): { device: DeviceMmu; sub: MmuNotifier } {
  const device = new DeviceMmu(m, { name: 'sva-young', driverClass: 'shares-cpu-page-table' });
  const sub = new MmuNotifier(
    {
      archInvalidateSecondaryTlbs: (_task, _sub, _mm, start, end) => {
        for (const h of device.translations(mm)) if (h.address < end && h.address + P > start) device.drop(h);
      },
      clearYoung: () => false,
      release: () => void device.dropAll(),
    },
    'sva-young',
  );
  device.answerFor(sub);
  return { device, sub };
}
