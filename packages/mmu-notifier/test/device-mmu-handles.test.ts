/**
 * DeviceMmu's bookkeeping of handles and holds, each call against a device with company
 * (another device, another mm, another page) so that what it must leave alone shows:
 * lookups, drops by range and mm, holds by mm, the walker bits a TLB sharing the CPU
 * page table sets, the words of a handle's description and of an access given up.
 */
import { Machine, PTE, PTRS_PER_TABLE, walkPageTable, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuIntervalNotifier, type DeviceTranslation } from '../src/index.js';
import { ANON, code, P, RW, setup, v } from './support/helpers.js';
import { kinds, messages } from './support/oracle-helpers.js';

/** `pages` anonymous pages written 1, 2, …; their frames. */
async function pages(m: Machine, t: Task, n: number): Promise<{ a: number; pfns: number[] }> {
  const a = await v(m.mem.mmap(t, { length: n * P, prot: RW, flags: ANON }));
  const pfns: number[] = [];
  for (let i = 0; i < n; i++) {
    await v(m.mem.write(t, a + i * P, i + 1));
    pfns.push(walkPageTable(t.mm!, a + i * P)!.pfn);
  }
  return { a, pfns };
}

/** The PTE bits at `address`, with `clear` cleared first when given. */
function pteBits(t: Task, address: number, clear = 0): number {
  const vpn = Math.floor(address / P);
  const table = t.mm!.pageTable.lookup(vpn)!;
  table.bits[vpn % PTRS_PER_TABLE] = table.bits[vpn % PTRS_PER_TABLE]! & ~clear;
  return table.bits[vpn % PTRS_PER_TABLE]!;
}

describe('DeviceMmu: finding handles', () => {
  it('lookup answers the newest handle of this device for the page, past newer ones of another device', async () => {
    const { m, t } = setup('v6');
    const { a, pfns } = await pages(m, t, 2);
    const dev = new DeviceMmu(m, { name: 'd', driverClass: 'holds-references' });
    const other = new DeviceMmu(m, { name: 'e', driverClass: 'holds-references' });
    const older = dev.establish(t, t.mm!, a, pfns[0]!);
    const newer = dev.establish(t, t.mm!, a, pfns[0]!);
    other.establish(t, t.mm!, a, pfns[0]!);
    expect(dev.lookup(t.mm!, a + 8)).toBe(newer);
    dev.drop(newer);
    expect(dev.lookup(t.mm!, a)).toBe(older);
    expect(dev.lookup(t.mm!, a + P)).toBeUndefined();
    dev.drop(older);
    expect(dev.lookup(t.mm!, a)).toBeUndefined();
    expect(other.lookup(t.mm!, a)).toBeDefined();
  });

  it('translations, dropRange and dropAll keep to the mm they are given', async () => {
    const { m, t } = setup('v6');
    const u = m.mem.createProcess('other').task('cpu1');
    const mine = await pages(m, t, 3);
    const theirs = await pages(m, u, 1);
    const dev = new DeviceMmu(m, { name: 'd', driverClass: 'holds-references' });
    const hs = mine.pfns.map((pfn, i) => dev.establish(t, t.mm!, mine.a + i * P, pfn));
    const far = dev.establish(u, u.mm!, mine.a, theirs.pfns[0]!); // same address, another mm
    expect(dev.translations(u.mm!)).toEqual([far]);
    expect(dev.translations(t.mm!)).toEqual(hs);
    expect(dev.dropRange(t.mm!, mine.a + P, mine.a + P + 1)).toBe(1); // the page holding the range's one byte
    expect(dev.translations()).toEqual([hs[0], hs[2], far]);
    expect(dev.dropRange(t.mm!, mine.a, mine.a + 3 * P)).toBe(2);
    expect(far.live).toBe(true);
    const again = dev.establish(t, t.mm!, mine.a, mine.pfns[0]!);
    expect(dev.dropAll(u.mm!)).toBe(1);
    expect(dev.translations()).toEqual([again]);
    expect(dev.dropAll()).toBe(1);
  });

  it("a handle's subscription is its device's first one covering its page, or none", async () => {
    const { m, t } = setup('v6');
    const { a, pfns } = await pages(m, t, 1);
    const isub = mmuIntervalNotifier({ invalidate: () => true }, 'odp');
    const sub = new MmuNotifier({}, 'kvm');
    const dev = new DeviceMmu(m, { name: 'd', driverClass: 'no-references' });
    const h = dev.establish(t, t.mm!, a, pfns[0]!);
    expect(h.subscription).toBeNull();
    dev.addSubscription(isub); // not inserted yet: covers every page
    dev.addSubscription(sub);
    expect(h.subscription).toBe(isub);
    dev.removeSubscription(isub);
    expect(h.subscription).toBe(sub);
  });

  it('describes a handle by device, address, mm, frame, generation, permission and time', async () => {
    const { m, t } = setup('v6');
    const { a, pfns } = await pages(m, t, 1);
    m.clock.advance(70);
    const dev = new DeviceMmu(m, { name: 'gpu', driverClass: 'holds-references' });
    const h = dev.establish(t, t.mm!, a, pfns[0]!, { writable: true });
    const gen = m.mem.frames.generation[pfns[0]!];
    expect(h.toString()).toBe(`gpu at 0x${a.toString(16)} (mm ${t.mm!.id}, pfn ${pfns[0]} generation ${gen}, rw, established at 70 ns)`);
    dev.downgrade(h);
    expect(h.toString()).toBe(`gpu at 0x${a.toString(16)} (mm ${t.mm!.id}, pfn ${pfns[0]} generation ${gen}, ro, established at 70 ns)`);
  });
});

describe('DeviceMmu: accesses', () => {
  it('a TLB sharing the CPU page table sets the PTE young on a read, young and dirty on a write; other devices do not', async () => {
    const { m, t } = setup('v6');
    const { a, pfns } = await pages(m, t, 1);
    const sva = new DeviceMmu(m, { name: 'sva', driverClass: 'shares-cpu-page-table' });
    const hmm = new DeviceMmu(m, { name: 'hmm', driverClass: 'no-references' });
    const both = PTE.young | PTE.dirty;
    for (const dev of [hmm, sva]) {
      const h = dev.establish(t, t.mm!, a, pfns[0]!, { writable: true });
      pteBits(t, a, both);
      await v(dev.read(t, h));
      expect(pteBits(t, a) & both).toBe(dev === sva ? PTE.young : 0);
      pteBits(t, a, both);
      await v(dev.write(t, h, 2));
      expect(pteBits(t, a) & both).toBe(dev === sva ? both : 0);
      expect(h).toMatchObject({ accessed: true, dirty: true });
      expect([dev.testAndClearDirty(h), dev.testAndClearDirty(h), h.dirty]).toEqual([true, false, false]);
      dev.drop(h);
    }
    expect(kinds(m)).toEqual([]);
  });

  it('a handle made to a free frame is a use-after-free at once, and at each access', async () => {
    const { m, t } = setup('v6');
    const { a, pfns } = await pages(m, t, 1);
    await v(m.mem.munmap(t, a, P));
    const dev = new DeviceMmu(m, { name: 'd', driverClass: 'holds-references' });
    const h = dev.establish(t, t.mm!, a, pfns[0]!);
    expect(messages(m, 'use-after-free')).toEqual([`d: translation of 0x${a.toString(16)} (mm ${t.mm!.id}) established to pfn ${pfns[0]}, a free frame`]);
    expect(m.report.violations[0]!.details).toEqual([h.toString()]);
    await v(dev.read(t, h));
    expect(kinds(m)).toEqual(['use-after-free', 'use-after-free']);
    expect(m.report.violations[1]!.details![0]).toBe(h.toString());
  });

  it('gives up a write with EFAULT, naming why, when the handle was dropped or write-protected while the write waited', async () => {
    const found = new Map<string, string>();
    for (let seed = 1; seed < 80 && found.size < 2; seed++) {
      for (const what of ['drop', 'downgrade'] as const) {
        if (found.has(what)) continue;
        const m = new Machine({ era: 'v6', seed, memory: { frames: 64 }, schedule: { strategy: 'random', preempt: ['device'] } });
        const proc = m.mem.createProcess('app');
        const t = proc.task('setup');
        const { a, pfns } = await pages(m, t, 1);
        const dev = new DeviceMmu(m, { name: 'd', driverClass: 'holds-references' });
        const h: DeviceTranslation = dev.establish(t, t.mm!, a, pfns[0]!, { writable: true });
        let error: unknown = null;
        proc.spawn('engine', async (task) => {
          try {
            await v(dev.write(task, h, 9));
          } catch (e) {
            error = e;
          }
        });
        proc.spawn('other', () => (what === 'drop' ? dev.drop(h) : dev.downgrade(h)));
        await m.sched.run();
        if (error === null) continue;
        expect(m.mem.frames.content[pfns[0]!]).toBe(1);
        found.set(what, `${(error as Error).message} / ${h.toString()}`);
      }
    }
    expect(found.get('drop')).toMatch(/^EFAULT: d: write: (.*) was dropped before the access \(a device fault\) \/ \1$/);
    expect(found.get('downgrade')).toMatch(/^EFAULT: d: write: (.*) was write-protected before the access \(a device fault\) \/ \1$/);
  });

  it('gives up a read with EFAULT naming the dropped handle', async () => {
    for (let seed = 1; seed < 50; seed++) {
      const m = new Machine({ era: 'v6', seed, memory: { frames: 64 }, schedule: { strategy: 'random', preempt: ['device'] } });
      const proc = m.mem.createProcess('app');
      const t = proc.task('setup');
      const { a, pfns } = await pages(m, t, 1);
      const dev = new DeviceMmu(m, { name: 'd', driverClass: 'holds-references' });
      const h = dev.establish(t, t.mm!, a, pfns[0]!);
      let message = '';
      proc.spawn('engine', async (task) => {
        try {
          await v(dev.read(task, h));
        } catch (e) {
          message = (e as Error).message;
        }
      });
      proc.spawn('dropper', () => dev.drop(h));
      await m.sched.run();
      if (message === '') continue;
      expect(message).toBe(`EFAULT: d: read: ${h.toString()} was dropped before the access (a device TLB miss)`);
      expect(h.accessed).toBe(false);
      return;
    }
    throw new Error('no seed interleaved the drop with the read');
  });
});

describe('DeviceMmu: references and pins', () => {
  it('records each page of a multi-page get_user_pages at its address, leaves the zero page out, and lists holds by mm', async () => {
    const { m, t } = setup('v6');
    const u = m.mem.createProcess('other').task('cpu1');
    const { a } = await pages(m, t, 2);
    const z = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    const theirs = await pages(m, u, 1);
    const dev = new DeviceMmu(m, { name: 'd', driverClass: 'holds-references' });
    m.clock.advance(30);
    await v(t.mm!.mmapLock.downRead(t));
    const got = await v(dev.getUserPages(t, t.mm!, a, 2));
    expect(await v(dev.getUserPages(t, t.mm!, z, 1))).toEqual([m.mem.allocator.zeroPfn]); // a read of an untouched page
    await v(t.mm!.mmapLock.upRead(t));
    await v(u.mm!.mmapLock.downRead(u));
    const [pinned] = await v(dev.getUserPages(u, u.mm!, theirs.a, 1, { pin: true }));
    await v(u.mm!.mmapLock.upRead(u));
    const gen = m.mem.frames.generation;
    expect(dev.holds(t.mm!)).toEqual([
      { pfn: got[0], generation: gen[got[0]!], pin: false, mm: t.mm, address: a, time: 30 },
      { pfn: got[1], generation: gen[got[1]!], pin: false, mm: t.mm, address: a + P, time: 30 },
    ]);
    expect(dev.holds(u.mm!)).toEqual([{ pfn: pinned, generation: gen[pinned!], pin: true, mm: u.mm, address: theirs.a, time: 30 }]);
    expect(dev.holds()).toHaveLength(3);
    const listed = dev.holds();
    listed.pop(); // a copy: the device's own list is untouched
    expect(dev.holds()).toHaveLength(3);
    dev.putPage(t, got[1]!);
    expect(dev.holds().map((h) => h.pfn)).toEqual([got[0], pinned]);
    expect(await code(() => dev.putPage(t, m.mem.allocator.zeroPfn))).toBe('EINVAL');
  });
});
