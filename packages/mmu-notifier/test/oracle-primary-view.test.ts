/**
 * What the oracle reads of the primary MMU: where the process's page lives when a
 * device read is judged. Swapped out, the page's word is its swap-cache page's when it
 * has one (which may differ from the slot's), else the slot's; a translation of the
 * swap-cache page itself reads the page's own word. An exited mm maps nothing for the
 * oracle, even while `release` runs before its page tables are torn down.
 */
import { configureSwap } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { anonPages, frameAt, kinds, messages, reclaim } from './support/oracle-helpers.js';

describe('the primary seen by the oracle: a page swapped out', () => {
  /** Page `a` (100) swapped out from the parent and a forked child, then swapped in by the child: a swap-cache page behind the parent's swap entry. */
  async function swapCached() {
    const { m, t } = setup('v6');
    configureSwap(m.mem, 16);
    const a = await anonPages(m, t, 2); // a + P: another page, also 100 + 1
    await v(m.mem.write(t, a + P, 100));
    const child = (await v(m.mem.fork(t, 'child'))).task('child:0');
    expect((await reclaim(m, frameAt(t, a))).at(-1)).toBe('freed');
    expect(await v(m.mem.read(child, a))).toBe(100);
    const cached = frameAt(child, a);
    expect(frameAt(t, a)).toBe(-1);
    const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'holds-references' });
    return { m, t, child, a, cached, dev };
  }

  it('a translation of another frame reads stale against the swap-cache page, not the slot', async () => {
    const { m, t, child, a, cached, dev } = await swapCached();
    const theirs = dev.establish(child, child.mm!, a, cached, { writable: true });
    await v(dev.write(child, theirs, 6)); // the swap-cache page now differs from the slot
    expect(kinds(m)).toEqual(['write-through-read-only']); // the child maps it read-only (shared)
    const other = frameAt(t, a + P);
    const h = dev.establish(t, t.mm!, a, other); // the process's page already lives elsewhere
    expect(await v(dev.read(t, h))).toBe(100);
    expect(kinds(m)).toEqual(['write-through-read-only', 'stale-read']);
    expect(messages(m, 'stale-read')[0]).toMatch(new RegExp(`through pfn ${other} returned 0x64, but the process swapped its page there out \\(slot \\d+\\), written since to 0x6$`));
  });

  it('a translation of the swap-cache page itself reads no stale word', async () => {
    const { m, t, a, cached, dev } = await swapCached();
    const h = dev.establish(t, t.mm!, a, cached);
    expect(await v(dev.read(t, h))).toBe(100);
    expect(kinds(m)).toEqual([]);
  });
});

describe('the primary seen by the oracle: an exited mm', () => {
  it('a read through a stale translation while release runs is no stale-read; before the exit it is', async () => {
    const { m, t } = setup('v6');
    const a = await anonPages(m, t, 2);
    await v(m.mem.write(t, a, 5));
    const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'holds-references' });
    const h = dev.establish(t, t.mm!, a, frameAt(t, a + P)); // born stale: the page at a lives in another frame
    const seen: number[] = [];
    const sub = new MmuNotifier(
      {
        release: (task) => {
          seen.push(dev.read(task, h) as number);
          dev.dropAll();
        },
      },
      'dev',
    );
    dev.answerFor(sub);
    await v(mmuNotifierRegister(t, sub, t.mm!));
    expect(await v(dev.read(t, h))).toBe(101);
    expect(kinds(m)).toEqual(['stale-read']);
    await v(m.mem.exit(t));
    expect(seen).toEqual([101]);
    expect(kinds(m)).toEqual(['stale-read']);
  });
});

describe('the primary seen by the oracle: no page table there', () => {
  it('a read is judged quiet, a write lost: the process maps nothing there', async () => {
    const { m, t } = setup('v6');
    const a = await anonPages(m, t);
    const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'holds-references' });
    expect(t.mm!.pageTable.lookup(0)).toBeUndefined();
    const h = dev.establish(t, t.mm!, 0, frameAt(t, a), { writable: true });
    expect(await v(dev.read(t, h))).toBe(100);
    expect(kinds(m)).toEqual([]);
    await v(dev.write(t, h, 1));
    expect(messages(m, 'lost-write')).toEqual([`dev: write of 0x1 at 0x0 (mm ${t.mm!.id}) went to pfn ${h.pfn}, but the process maps nothing there: the process will never see it`]);
  });
});
