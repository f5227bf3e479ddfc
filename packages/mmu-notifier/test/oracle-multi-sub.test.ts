import { hmmRangeFault, SmmuError, type Machine, type Mm, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import {
  DeviceMmu,
  MmuIntervalNotifier,
  MmuNotifier,
  mmuIntervalNotifierInsert,
  mmuIntervalNotifierRemove,
  mmuIntervalReadBegin,
  mmuIntervalReadRetry,
  mmuIntervalSetSeq,
  mmuNotifierClearYoung,
  mmuNotifierRegister,
  type DeviceTranslation,
} from '../src/index.js';
import { code, P, setup, v } from './support/helpers.js';
import { anonPages, frameAt, kinds, messages } from './support/oracle-helpers.js';
import { spy } from './support/oracle-drivers.js';

type Bug = 'none' | 'second-keeps-translations';

/**
 * An ODP-like device: one interval notifier per registered region, each invalidate
 * zapping only its own region. `bug` makes the second region's invalidate keep its
 * translations; `before` runs at the start of every invalidate (a device access racing
 * the invalidation pass).
 */
class Regions {
  readonly device: DeviceMmu;
  readonly regions: MmuIntervalNotifier[] = [];
  before: ((task: Task, isub: MmuIntervalNotifier) => void | Promise<void>) | null = null;

  constructor(
    readonly m: Machine,
    readonly mm: Mm,
    readonly bug: Bug = 'none',
  ) {
    this.device = new DeviceMmu(m, { name: 'odp', driverClass: 'no-references' });
  }

  async register(task: Task, start: number, pages: number): Promise<MmuIntervalNotifier> {
    const index = this.regions.length;
    const isub = new MmuIntervalNotifier({ invalidate: (t, s, range, seq) => this.invalidate(t, s, range, seq, index) }, `odp-mr${index}`);
    await v(mmuIntervalNotifierInsert(task, isub, this.mm, start, pages * P));
    this.device.addSubscription(isub);
    this.regions.push(isub);
    return isub;
  }

  async fault(task: Task, address: number): Promise<DeviceTranslation> {
    const isub = this.regions.find((r) => address >= r.start && address <= r.last)!;
    for (;;) {
      const seq = await v(mmuIntervalReadBegin(task, isub));
      await v(this.mm.mmapLock.downRead(task));
      const [page] = await v(hmmRangeFault(this.m.mem, task, this.mm, address, address + P, { write: true }));
      await v(this.mm.mmapLock.upRead(task));
      if (mmuIntervalReadRetry(isub, seq)) continue;
      return this.device.establish(task, this.mm, address, page!.pfn, { writable: page!.write });
    }
  }

  private async invalidate(task: Task, isub: MmuIntervalNotifier, range: MmuNotifierRange, seq: number, index: number): Promise<boolean> {
    await this.before?.(task, isub);
    mmuIntervalSetSeq(isub, seq);
    if (this.bug === 'second-keeps-translations' && index === 1) return true;
    this.device.dropRange(this.mm, Math.max(range.start, isub.start), Math.min(range.end, isub.last + 1));
    return true;
  }
}

/** Two one-page regions over two pages, each page faulted in. */
async function twoRegions(bug: Bug = 'none') {
  const { m, t } = setup('v6');
  const a = await anonPages(m, t, 2);
  const odp = new Regions(m, t.mm!, bug);
  await odp.register(t, a, 1);
  await odp.register(t, a + P, 1);
  const h0 = await odp.fault(t, a);
  const h1 = await odp.fault(t, a + P);
  return { m, t, a, odp, h0, h1 };
}

describe('DeviceMmu with several subscriptions', () => {
  it('answers for each translation with the subscription covering it', async () => {
    const { a, odp, h0, h1 } = await twoRegions();
    expect(odp.device.subscriptions).toEqual(odp.regions);
    expect(odp.device.subscription).toBe(odp.regions[0]); // the first
    expect(h0.subscription).toBe(odp.regions[0]);
    expect(h1.subscription).toBe(odp.regions[1]);
    expect(odp.device.covering(odp.mm, a + 2 * P)).toBeNull();
  });

  it('refuses a subscription twice, removing one it does not have, and an mm none of them is on', async () => {
    const { m, odp, a } = await twoRegions();
    expect(await code(() => odp.device.addSubscription(odp.regions[0]!))).toBe('EINVAL');
    expect(await code(() => odp.device.removeSubscription(new MmuIntervalNotifier({ invalidate: () => true }, 'other')))).toBe('EINVAL');
    expect(odp.device.subscriptions).toHaveLength(2);
    const other = m.mem.createProcess('other').task('cpu1');
    const b = await anonPages(m, other);
    expect(() => odp.device.establish(other, other.mm!, b, 0)).toThrow(SmmuError);
    expect(() => odp.device.establish(other, other.mm!, b, 0)).toThrow(/answers for odp-mr0 on mm \d+, odp-mr1 on mm \d+, not for mm \d+/);
    odp.device.removeSubscription(odp.regions[1]!);
    expect(odp.device.covering(odp.mm, a + P)).toBeNull();
    odp.device.answerFor(null);
    expect(odp.device.subscriptions).toEqual([]);
    expect(kinds(m)).toEqual([]);
  });

  it('takes translations of every mm one of its subscriptions is on (one device, two processes)', async () => {
    const { m, t } = setup('v6');
    const u = m.mem.createProcess('second').task('cpu1');
    const device = new DeviceMmu(m, { name: 'kvm', driverClass: 'no-references' });
    const subs = [t, u].map((task) => {
      const sub = new MmuNotifier(
        {
          invalidateRangeStart: (_task, _s, range) => {
            device.dropRange(range.mm, range.start, range.end);
            return 0;
          },
          release: (_task, _s, mm) => {
            device.dropAll(mm);
          },
        },
        `kvm-${task.name}`,
      );
      device.addSubscription(sub);
      return sub;
    });
    await v(mmuNotifierRegister(t, subs[0]!, t.mm!));
    await v(mmuNotifierRegister(u, subs[1]!, u.mm!));
    const a = await anonPages(m, t);
    const b = await anonPages(m, u);
    const ha = device.establish(t, t.mm!, a, frameAt(t, a));
    const hb = device.establish(u, u.mm!, b, frameAt(u, b));
    expect([ha.subscription, hb.subscription]).toEqual(subs);
    await v(m.mem.exit(u));
    expect(device.translations()).toEqual([ha]);
    expect(kinds(m)).toEqual([]);
  });
});

describe('leak: one region going says nothing of the others', () => {
  it('exit: each region’s RELEASE invalidate is checked against its own translations (no false leak)', async () => {
    const { m, t } = await twoRegions();
    await v(m.mem.exit(t));
    expect(kinds(m)).toEqual([]);
  });

  it('removing the first region while the second still maps its page is no leak', async () => {
    const { m, t, odp } = await twoRegions();
    odp.device.dropRange(odp.mm, odp.regions[0]!.start, odp.regions[0]!.last + 1);
    await v(mmuIntervalNotifierRemove(t, odp.regions[0]!));
    expect(kinds(m)).toEqual([]);
  });

  it('fires, naming the second region, when its RELEASE invalidate keeps its translation', async () => {
    const { m, t } = await twoRegions('second-keeps-translations');
    await v(m.mem.exit(t));
    expect(kinds(m)).toEqual(['leak']);
    expect(messages(m, 'leak')[0]).toMatch(/^odp: still holds 1 translation\(s\) of mm \d+ after odp-mr1's RELEASE invalidate returned \(exit\)$/);
  });

  it('fires at the first occasion for a translation no region covers', async () => {
    const { m, t, a, odp } = await twoRegions();
    const outside = await anonPages(m, t);
    odp.device.establish(t, t.mm!, outside, frameAt(t, outside));
    expect(odp.device.covering(t.mm!, outside)).toBeNull();
    odp.device.dropRange(odp.mm, a, a + P);
    await v(mmuIntervalNotifierRemove(t, odp.regions[0]!));
    expect(kinds(m)).toEqual(['leak']);
    expect(messages(m, 'leak')).toEqual([expect.stringMatching(/^odp: still holds 1 translation\(s\) of mm \d+ after odp-mr0's unregister returned$/)]);
  });
});

describe('access-in-invalidation: judged by the region’s own window', () => {
  it('a munmap spanning two regions: an access to the second before its own invalidate ran is no violation', async () => {
    const { m, t, a, odp, h1 } = await twoRegions();
    const dev = m.task('device');
    const seen: number[] = [];
    odp.before = async (_task, isub) => {
      // The first region's window is open over both pages; the second's callback has begun, not returned.
      if (isub === odp.regions[1]) seen.push(await v(odp.device.read(dev, h1)));
    };
    await v(m.mem.munmap(t, a, 2 * P));
    expect(seen).toEqual([101]);
    expect(kinds(m)).toEqual([]);
  });

  it('fires when the second region’s invalidate returned without zapping and the device reads through it', async () => {
    const { m, t, a, odp, h1 } = await twoRegions('second-keeps-translations');
    const dev = m.task('device');
    // A classic bystander runs after the interval pass, inside the epoch.
    await v(mmuNotifierRegister(t, spy({ onStart: () => void odp.device.read(dev, h1) }), t.mm!));
    await v(m.mem.munmap(t, a, 2 * P));
    expect(kinds(m)).toContain('access-in-invalidation');
    expect(messages(m, 'access-in-invalidation')[0]).toMatch(/^odp: read at 0x[0-9a-f]+ \(mm \d+, pfn \d+\) after odp-mr1's interval invalidate\(/);
  });
});

describe('lost-write: an exiting mm', () => {
  it('a device write after exit marked the mm dead but before release told the device is no lost write', async () => {
    const { m, t } = setup('v6');
    const a = await anonPages(m, t);
    const device = new DeviceMmu(m, { name: 'kvm', driverClass: 'no-references' });
    let h: DeviceTranslation | null = null;
    const sub = new MmuNotifier(
      {
        release: (task, _s, mm) => {
          void device.write(task, h!, 9); // the device's last write, in flight when exit began
          device.dropAll(mm);
        },
      },
      'kvm',
    );
    device.addSubscription(sub);
    await v(mmuNotifierRegister(t, sub, t.mm!));
    h = device.establish(t, t.mm!, a, frameAt(t, a), { writable: true });
    await v(m.mem.exit(t));
    expect(kinds(m)).toEqual([]);
  });

  it('a write through a translation kept past release is still a leak, and a use-after-free once its frame goes', async () => {
    const { m, t } = setup('v6');
    const a = await anonPages(m, t);
    const device = new DeviceMmu(m, { name: 'kvm', driverClass: 'no-references' });
    const sub = new MmuNotifier({ release: () => {} }, 'kvm');
    device.addSubscription(sub);
    await v(mmuNotifierRegister(t, sub, t.mm!));
    const h = device.establish(t, t.mm!, a, frameAt(t, a), { writable: true });
    await v(m.mem.exit(t));
    await v(device.write(m.task('device'), h, 9));
    expect(kinds(m)).toEqual(['leak', 'use-after-free']);
  });
});

describe('aging: each access counted for the subscription covering it', () => {
  /** One device with a classic notifier on each of two processes; the second answers `young` as `answer` says. */
  async function twoMms(answer: 'honest' | 'never-young') {
    const { m, t } = setup('v6');
    const u = m.mem.createProcess('second').task('cpu1');
    const device = new DeviceMmu(m, { name: 'kvm', driverClass: 'no-references' });
    const young = (mm: Mm, start: number, end: number): boolean => {
      let any = false;
      for (const h of device.translations(mm)) if (h.address < end && h.address + P > start && device.testAndClearAccessed(h)) any = true;
      return any;
    };
    const subs = [t, u].map((task, i) => {
      const sub = new MmuNotifier(
        {
          clearYoung: (_task, _s, mm, start, end) => {
            const was = young(mm, start, end); // tests and clears the device's bits either way
            return i === 1 && answer === 'never-young' ? false : was;
          },
        },
        `kvm-${i}`,
      );
      device.addSubscription(sub);
      return sub;
    });
    await v(mmuNotifierRegister(t, subs[0]!, t.mm!));
    await v(mmuNotifierRegister(u, subs[1]!, u.mm!));
    const b = await anonPages(m, u);
    const h = device.establish(u, u.mm!, b, frameAt(u, b));
    await v(device.read(u, h));
    await v(mmuNotifierClearYoung(u, u.mm!, b, b + P));
    return m;
  }

  it('stays quiet when the second mm’s notifier answers for its own accesses', async () => {
    expect(kinds(await twoMms('honest'))).toEqual([]);
  });

  it('fires, naming the second notifier, when it answers not young for a page its device accessed in its mm', async () => {
    const m = await twoMms('never-young');
    expect(kinds(m)).toEqual(['aging']);
    expect(messages(m, 'aging')[0]).toMatch(/^kvm-1: clear_young\(/);
  });
});
