/**
 * The aging rule's bookkeeping, case by case (aging.ts): an access after a clear is a
 * new access; the report lists at most four pages and counts the rest; a wide clear
 * leaves a record for the pages the rule did not know, over its own range and mm only,
 * and a later wide clear elsewhere does not erase it; an exited address space records no
 * access.
 */
import { TASK_SIZE, type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { coherenceOracle, mmuNotifierClearYoung, mmuNotifierTestYoung } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { NoRefDriver, register, type NoRefBug } from './support/oracle-drivers.js';
import { anonPages, kinds, messages } from './support/oracle-helpers.js';

const hex = (x: number): string => `0x${x.toString(16)}`;

async function driver(bug: NoRefBug, pages: number): Promise<{ m: Machine; t: Task; drv: NoRefDriver; a: number }> {
  const { m, t } = setup('v6');
  const drv = new NoRefDriver(m, t.mm!, bug, 'kvm');
  await register(t, drv);
  const a = await anonPages(m, t, pages);
  return { m, t, drv, a };
}

describe('aging: an access after a clear counts anew', () => {
  it('a second not-young answer after a second access is reported again', async () => {
    const { m, t, drv, a } = await driver('young-never', 1);
    await drv.read(t, a);
    expect(await v(mmuNotifierClearYoung(t, t.mm!, a, a + P))).toBe(false);
    expect(kinds(m)).toEqual(['aging']);
    expect(await v(mmuNotifierClearYoung(t, t.mm!, a, a + P))).toBe(false); // nothing accessed since: right
    expect(kinds(m)).toEqual(['aging']);
    await drv.read(t, a);
    expect(await v(mmuNotifierClearYoung(t, t.mm!, a, a + P))).toBe(false);
    expect(kinds(m)).toEqual(['aging', 'aging']);
  });

  it('test_young: young right after a clear is wrong, young after a new access is right', async () => {
    const { m, t, drv, a } = await driver('test-young-always', 1);
    await drv.read(t, a);
    await v(mmuNotifierClearYoung(t, t.mm!, a, a + P));
    await drv.read(t, a);
    expect(await v(mmuNotifierTestYoung(t, t.mm!, a))).toBe(true);
    expect(kinds(m)).toEqual([]);
    await v(mmuNotifierClearYoung(t, t.mm!, a, a + P));
    expect(await v(mmuNotifierTestYoung(t, t.mm!, a))).toBe(true);
    expect(kinds(m)).toEqual(['aging']);
  });
});

describe('aging: what a clear report lists', () => {
  async function notYoungOver(pages: number): Promise<{ said: string[]; a: number; t: Task }> {
    const { m, t, drv, a } = await driver('young-never', pages);
    for (let i = 0; i < pages; i++) await drv.read(t, a + i * P);
    expect(await v(mmuNotifierClearYoung(t, t.mm!, a, a + pages * P))).toBe(false);
    return { said: messages(m, 'aging'), a, t };
  }

  it('four pages: each named, no count', async () => {
    const { said, a, t } = await notYoungOver(4);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(new RegExp(`^kvm: clear_young\\(${hex(a)}-${hex(a + 4 * P)}\\) on mm ${t.mm!.id} answered not young, but its device accessed ${hex(a)} \\(pfn \\d+, by kvm\\), ${hex(a + P)} \\(pfn \\d+, by kvm\\), ${hex(a + 2 * P)} \\(pfn \\d+, by kvm\\), ${hex(a + 3 * P)} \\(pfn \\d+, by kvm\\) since the last clear$`));
  });

  it('five pages: the first four named, then the count', async () => {
    const { said, a } = await notYoungOver(5);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`${hex(a + 3 * P)} (pfn `);
    expect(said[0]).not.toContain(`${hex(a + 4 * P)} (pfn `);
    expect(said[0]).toMatch(/, by kvm\), … \(5 pages\) since the last clear$/);
  });
});

describe('aging: a wide clear remembered for pages not yet known', () => {
  /** Pages a .. a+3P, never accessed by the device; a wide clear over [first, last). */
  async function wideCleared(first: (a: number) => number, last: (a: number) => number) {
    const r = await driver('test-young-always', 4);
    await v(mmuNotifierClearYoung(r.t, r.t.mm!, first(r.a), last(r.a)));
    return r;
  }

  it('covers the pages of its range: young there is wrong', async () => {
    const { m, t, a } = await wideCleared((a) => a, () => TASK_SIZE);
    expect(await v(mmuNotifierTestYoung(t, t.mm!, a + P))).toBe(true);
    expect(kinds(m)).toEqual(['aging']);
  });

  it('from its first page to its end: not the page at its end, nor the pages before its start', async () => {
    const wideEnd = (a: number): number => a + 2 * P + 600 * P;
    const { m, t, a } = await wideCleared((a) => a + 2 * P, wideEnd);
    expect(await v(mmuNotifierTestYoung(t, t.mm!, a + P))).toBe(true);
    expect(kinds(m)).toEqual([]);
    // the page at the end of the wide range (mapped or not, test_young asks of the address)
    expect(await v(mmuNotifierTestYoung(t, t.mm!, wideEnd(a)))).toBe(true);
    expect(kinds(m)).toEqual([]);
    expect(await v(mmuNotifierTestYoung(t, t.mm!, wideEnd(a) - P))).toBe(true);
    expect(kinds(m)).toEqual(['aging']);
    expect(await v(mmuNotifierTestYoung(t, t.mm!, a + 2 * P))).toBe(true); // its first page
    expect(kinds(m)).toEqual(['aging', 'aging']);
  });

  it('a later wide clear of another range leaves the first one remembered', async () => {
    const { m, t, a } = await wideCleared((a) => a, (a) => a + 2 * P + 600 * P);
    await v(mmuNotifierClearYoung(t, t.mm!, a + 2 * P + 600 * P, a + 2 * P + 1200 * P));
    expect(await v(mmuNotifierTestYoung(t, t.mm!, a + P))).toBe(true);
    expect(kinds(m)).toEqual(['aging']);
  });

  it('a later, shorter wide clear from the same start leaves the rest of the first one remembered', async () => {
    const { m, t, a } = await wideCleared((a) => a, (a) => a + 1200 * P);
    await v(mmuNotifierClearYoung(t, t.mm!, a, a + 600 * P));
    expect(await v(mmuNotifierTestYoung(t, t.mm!, a + 900 * P))).toBe(true); // only the first clear covered it
    expect(kinds(m)).toEqual(['aging']);
  });

  it('clears a known page at its first address, and not one at its end', async () => {
    const { m, t, drv, a } = await driver('test-young-always', 4);
    await drv.read(t, a + P);
    await drv.read(t, a + 2 * P);
    await v(mmuNotifierClearYoung(t, t.mm!, a + 2 * P, a + 2 * P + 600 * P)); // starts at a known page
    await v(mmuNotifierClearYoung(t, t.mm!, a + P - 600 * P, a + P)); // ends at a known page
    expect(await v(mmuNotifierTestYoung(t, t.mm!, a + P))).toBe(true); // accessed, never cleared: right
    expect(kinds(m)).toEqual([]);
    expect(await v(mmuNotifierTestYoung(t, t.mm!, a + 2 * P))).toBe(true); // cleared, not accessed since: wrong
    expect(kinds(m)).toEqual(['aging']);
  });
});

describe('aging: an exited address space', () => {
  it('records no access through a translation kept past exit', async () => {
    const { m, t, drv, a } = await driver('keeps-at-release', 1);
    await drv.read(t, a);
    const h = drv.device.lookup(t.mm!, a)!;
    const aging = (coherenceOracle(m) as unknown as { core: { aging: { bySub: Map<unknown, unknown> } } }).core.aging;
    expect(aging.bySub.has(drv.sub)).toBe(true);
    await v(m.mem.exit(t));
    expect(aging.bySub.size).toBe(0);
    expect(drv.device.read(t, h)).not.toBeInstanceOf(Promise);
    expect(aging.bySub.size).toBe(0);
  });
});
