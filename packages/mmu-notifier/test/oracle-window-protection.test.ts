/**
 * Inside a write-protection window (fork's PROTECTION_PAGE bracket of the parent) a read
 * through a read-only translation is allowed while the primary still maps that frame
 * there; a writable translation, or one of another frame, is reported. And what a
 * `map-in-invalidation` report says.
 */
import { type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { mmuNotifierRegister, type DeviceTranslation } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { NoRefDriver, register, spy } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages } from './support/oracle-helpers.js';

/**
 * A driver keeping its translations; a handle of page 0 made by `make`; the device reads
 * through it inside fork's bracket (from a notifier called after the driver's start).
 * Returns the kinds reported and the event of the bracket the read ran in.
 */
async function readDuringFork(make: (drv: NoRefDriver, t: Task, a: number) => Promise<DeviceTranslation>): Promise<{ said: string[]; events: string[] }> {
  const { m, t } = setup('v6');
  const engine = m.task('engine');
  const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
  const events: string[] = [];
  const target: { h: DeviceTranslation | null } = { h: null };
  await v(
    mmuNotifierRegister(
      t,
      spy({
        onStart: (r) => {
          if (target.h === null) return;
          events.push(r.event);
          expect(drv.device.read(engine, target.h)).not.toBeInstanceOf(Promise);
        },
      }),
      t.mm!,
    ),
  );
  await register(t, drv);
  const a = await anonPages(m, t, 2);
  target.h = await make(drv, t, a);
  await v(m.mem.fork(t, 'child'));
  return { said: kinds(m).filter((k) => k === 'access-in-invalidation'), events };
}

describe('access-in-invalidation: reads inside a PROTECTION_PAGE window', () => {
  it('a read-only translation of the frame the primary still maps: quiet', async () => {
    const { said, events } = await readDuringFork(async (drv, t, a) => {
      await drv.read(t, a);
      return drv.device.lookup(t.mm!, a)!;
    });
    expect(events).toEqual(['protection-page']);
    expect(said).toEqual([]);
  });

  it('a writable translation: reported', async () => {
    const { said, events } = await readDuringFork(async (drv, t, a) => {
      await drv.write(t, a, 5);
      return drv.device.lookup(t.mm!, a)!;
    });
    expect(events).toEqual(['protection-page']);
    expect(said).toEqual(['access-in-invalidation']);
  });

  it('a read-only translation of a frame the primary does not map there: reported', async () => {
    const { said } = await readDuringFork((drv, t, a) => Promise.resolve(drv.device.establish(t, t.mm!, a, frameAt(t, a + P))));
    expect(said).toEqual(['access-in-invalidation']);
  });
});

describe('map-in-invalidation: what the report says', () => {
  it('names the device, the page, the frame and the window, with the handle as its detail', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    const made: DeviceTranslation[] = [];
    const target = { a: 0 };
    await v(mmuNotifierRegister(t, spy({ onStart: () => void made.push(drv.device.establish(t, t.mm!, target.a, frameAt(t, target.a))) }), t.mm!));
    await register(t, drv);
    target.a = await anonPages(m, t);
    const pfn = frameAt(t, target.a);
    await v(m.mem.madvise(t, target.a, P, 'dontneed'));
    const hx = `0x${target.a.toString(16)}`;
    expect(messages(m, 'map-in-invalidation')).toEqual([
      `noref: new translation of ${hx} (mm ${t.mm!.id}) to pfn ${pfn} after noref's invalidate_range_start(${hx}-0x${(target.a + P).toString(16)}, clear) by cpu0 at 0 ns returned and before its end`,
    ]);
    expect(m.report.violations.find((x) => x.kind === 'map-in-invalidation')!.details).toEqual([made[0]!.toString()]);
  });
});
