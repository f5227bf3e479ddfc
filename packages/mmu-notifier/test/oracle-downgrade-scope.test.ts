/**
 * "Downgrades may wait" for a TLB sharing the CPU page table: a write-protected entry
 * may still be written through until the flush that covers it. Only that flush ends the
 * wait: a flush of another page, or of another mm, must not. A rule that let any flush
 * end every wait would report a correct driver's writes in the window. (That the
 * covering flush ends it is in oracle-outcome.test.ts: 'lets a TLB sharing the CPU page
 * table write only until its flush'.)
 */
import { PROT, type Mm, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { mmuNotifierRegister, subscriptionsOf } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { register, SharedTlbDriver, spy } from './support/oracle-drivers.js';
import { anonPages, kinds } from './support/oracle-helpers.js';

/**
 * Two pages written through the device, then mprotect(PROT_READ) of page 0; between the
 * write-protect and mprotect's own flush, `flushFirst` flushes what it likes and the
 * device writes through page 0's kept writable entry.
 */
async function writeInDowngradeWindow(flushFirst: (t: Task, mm: Mm, a: number) => void | Promise<void>): Promise<string[]> {
  const { m, t } = setup('v6');
  const engine = m.task('engine');
  const drv = new SharedTlbDriver(m, t.mm!);
  await register(t, drv);
  let a = -1;
  await v(
    mmuNotifierRegister(
      t,
      spy({
        onEnd: () => {
          const flushed = flushFirst(engine, t.mm!, a);
          expect(flushed).toBeUndefined();
          const h = drv.device.lookup(t.mm!, a);
          if (h !== undefined && h.writable) expect(drv.device.write(engine, h, 7)).toBeUndefined();
        },
      }),
      t.mm!,
    ),
  );
  a = await anonPages(m, t, 2);
  await drv.write(t, a, 5);
  await drv.write(t, a + P, 6);
  await v(m.mem.mprotect(t, a, P, PROT.read));
  return kinds(m);
}

describe('sharing the CPU page table: only the covering flush ends a downgrade wait', () => {
  it('a flush of the neighbouring page leaves page 0 waiting: its write is no violation', async () => {
    expect(await writeInDowngradeWindow((engine, mm, a) => subscriptionsOf(mm)!.archInvalidateSecondaryTlbs(engine, mm, a + P, a + 2 * P) as void)).toEqual([]);
  });

});
