/**
 * A page's pending device writes are settled once, at the first mapping that follows:
 * the next time the page waits behind a swap entry it starts afresh, and a write kept
 * then is not judged again against a later frame.
 */
import { configureSwap, type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { setup, v } from './support/helpers.js';
import { anonPages, frameAt, kinds, reclaim } from './support/oracle-helpers.js';

/** Swap the parent's page at `a` out, fork a child that swaps it in (a swap-cache page behind the parent's entry), and let the device write `value` into it through the parent's address. */
async function pendingWrite(m: Machine, t: Task, a: number, dev: DeviceMmu, value: number, child: string): Promise<number> {
  expect((await reclaim(m, frameAt(t, a))).at(-1)).toBe('freed');
  const c = (await v(m.mem.fork(t, child))).task(`${child}:0`);
  await v(m.mem.read(c, a));
  const cached = frameAt(c, a);
  expect(frameAt(t, a)).toBe(-1);
  const h = dev.establish(t, t.mm!, a, cached, { writable: true });
  await v(dev.write(t, h, value));
  dev.drop(h);
  return cached;
}

describe('pending device writes: settled at the next mapping', () => {
  it('a write kept at one swap-in is not judged again at the next', async () => {
    const { m, t } = setup('v6');
    configureSwap(m.mem, 16);
    const a = await anonPages(m, t);
    const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'no-references' });
    const first = await pendingWrite(m, t, a, dev, 5, 'c1');
    expect(await v(m.mem.read(t, a))).toBe(5); // kept: the process maps the frame it went to
    expect(frameAt(t, a)).toBe(first);
    await v(m.mem.write(t, a, 200)); // a copy of its own (the child maps the page too)
    const second = await pendingWrite(m, t, a, dev, 7, 'c2');
    expect(second).not.toBe(first);
    expect(await v(m.mem.read(t, a))).toBe(7);
    expect(kinds(m)).toEqual([]);
  });
});
