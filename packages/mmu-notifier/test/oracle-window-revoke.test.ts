/**
 * The 2008 `invalidate_page` revocation: when a subscriber's `invalidate_page` returns,
 * the handles of its no-references devices established before the call began are
 * revoked, and an access through one is `access-in-invalidation` naming that call.
 * Handles made during the call, handles of another subscription and handles of a
 * device holding references are not revoked by it; a second call does not rename the
 * first revocation.
 */
import { Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, type DeviceTranslation } from '../src/index.js';
import { v } from './support/helpers.js';
import { NoRefDriver, register } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages } from './support/oracle-helpers.js';

const hex = (x: number): string => `0x${x.toString(16)}`;

function setup(): { m: Machine; t: Task; t2: Task } {
  const m = new Machine({ era: 'v2.6.27', memory: { frames: 256 } });
  const app = m.mem.createProcess('app');
  return { m, t: app.task('cpu0'), t2: app.task('cpu1') };
}

/** Fork, then a CPU write by `t` to `a`: the COW break calls invalidate_page for `a`. */
async function cowBreak(m: Machine, t: Task, a: number, value: number): Promise<void> {
  await v(m.mem.fork(t, `child-${value}`));
  await v(m.mem.write(t, a, value));
}

describe('invalidate_page revokes the handles established before it began', () => {
  it('not one established during the call (the driver re-faulted inside its callback)', async () => {
    const { m, t } = setup();
    const device = new DeviceMmu(m, { name: 'refault', driverClass: 'no-references' });
    const made: DeviceTranslation[] = [];
    const sub = new MmuNotifier(
      {
        invalidatePage: (task, _sub, mm, address) => {
          for (const h of device.translations(mm)) if (h.address === address) device.drop(h);
          made.push(device.establish(task, mm, address, frameAt(t, address) >= 0 ? frameAt(t, address) : made[0]!.pfn));
        },
      },
      'refault',
    );
    device.answerFor(sub);
    await v(mmuNotifierRegister(t, sub, t.mm!));
    const a = await anonPages(m, t);
    made.push(device.establish(t, t.mm!, a, frameAt(t, a)));
    await cowBreak(m, t, a, 200);
    expect(made).toHaveLength(2);
    expect(device.read(t, made[1]!)).not.toBeInstanceOf(Promise);
    expect(kinds(m)).not.toContain('access-in-invalidation');
  });

  it("not another subscription's, whose driver has no invalidate_page", async () => {
    const { m, t } = setup();
    const keeps = new NoRefDriver(m, t.mm!, 'no-invalidate-page', 'other');
    const drops = new NoRefDriver(m, t.mm!, 'none', 'drops');
    await register(t, keeps);
    await register(t, drops);
    const a = await anonPages(m, t);
    await keeps.read(t, a);
    await drops.read(t, a);
    const h = keeps.device.lookup(t.mm!, a)!;
    await cowBreak(m, t, a, 200);
    expect(drops.device.lookup(t.mm!, a)).toBeUndefined();
    expect(keeps.device.read(t, h)).not.toBeInstanceOf(Promise);
    expect(kinds(m)).not.toContain('access-in-invalidation');
  });

  it("not a references-holding device's, answering for the same subscriber: that one is a revoked-translation", async () => {
    const { m, t } = setup();
    const noref = new DeviceMmu(m, { name: 'noref', driverClass: 'no-references' });
    const holds = new DeviceMmu(m, { name: 'holds', driverClass: 'holds-references' });
    const sub = new MmuNotifier({ invalidatePage: () => undefined }, 'both');
    noref.answerFor(sub);
    holds.answerFor(sub);
    await v(mmuNotifierRegister(t, sub, t.mm!));
    const a = await anonPages(m, t);
    await v(t.mm!.mmapLock.downRead(t));
    const [pfn] = await v(holds.getUserPages(t, t.mm!, a, 1));
    await v(t.mm!.mmapLock.upRead(t));
    const h = holds.establish(t, t.mm!, a, pfn!);
    await cowBreak(m, t, a, 200);
    expect(holds.read(t, h)).not.toBeInstanceOf(Promise);
    expect(kinds(m)).not.toContain('access-in-invalidation');
    expect(messages(m, 'revoked-translation')).toHaveLength(1);
    expect(messages(m, 'revoked-translation')[0]).toContain(`holds: read at ${hex(a)}`);
  });

  it('keeps naming the first call when a later one covers the handle again', async () => {
    const { m, t, t2 } = setup();
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.read(t, a);
    const h = drv.device.lookup(t.mm!, a)!;
    await cowBreak(m, t, a, 200);
    await cowBreak(m, t2, a, 300);
    expect(drv.device.read(t, h)).not.toBeInstanceOf(Promise);
    expect(messages(m, 'access-in-invalidation')).toEqual([
      `noref: read at ${hex(a)} (mm ${t.mm!.id}, pfn ${h.pfn}) through a translation invalidate_page(${hex(a)}) by cpu0 already invalidated (returned at 0 ns) — it had to be gone when that call returned`,
    ]);
  });

  it('a write through a revoked handle is named a write', async () => {
    const { m, t } = setup();
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.write(t, a, 150);
    const h = drv.device.lookup(t.mm!, a)!;
    await cowBreak(m, t, a, 200);
    expect(drv.device.write(t, h, 7)).not.toBeInstanceOf(Promise);
    expect(messages(m, 'access-in-invalidation')[0]).toContain(`noref: write at ${hex(a)} (mm ${t.mm!.id}, pfn ${h.pfn}) through a translation invalidate_page(`);
  });
});
