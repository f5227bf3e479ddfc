/**
 * A pending device write behind a swap entry follows its swap-cache page when that page
 * migrates: a later device write into the new frame overwrites it there, so when the
 * process maps the new frame only the later write is judged — and it is kept. (Before,
 * the earlier write waited on for its old frame and was reported lost although the
 * process reads the device's latest word.)
 */
import { configureSwap, migratePage, type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { setup, v } from './support/helpers.js';
import { anonPages, frameAt, messages, reclaim } from './support/oracle-helpers.js';

/**
 * A page shared with a forked child, swapped out; the child swaps it in (the page stays
 * in the swap cache behind the parent's swap entry); the device writes 5 into it through
 * the parent's address; then the swap-cache page migrates.
 */
async function migratedAfterPendingWrite(): Promise<{ m: Machine; t: Task; child: Task; a: number; dev: DeviceMmu; moved: number }> {
  const { m, t } = setup('v6');
  configureSwap(m.mem, 16);
  const a = await anonPages(m, t);
  const child = (await v(m.mem.fork(t, 'child'))).task('child:0');
  expect((await reclaim(m, frameAt(t, a))).at(-1)).toBe('freed');
  expect(await v(m.mem.read(child, a))).toBe(100);
  const cached = frameAt(child, a);
  const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'no-references' });
  const first = dev.establish(t, t.mm!, a, cached, { writable: true });
  await v(dev.write(t, first, 5));
  dev.drop(first);
  const moved = await v(migratePage(m.mem, child, cached));
  expect(moved).not.toBe(cached);
  expect(m.mem.frames.content[moved]).toBe(5); // the copy carried the device's word
  expect(frameAt(t, a)).toBe(-1);
  return { m, t, child, a, dev, moved };
}

describe('pending device writes: the swap-cache page migrates', () => {
  it('a later write into the new frame supersedes the earlier one: nothing is lost when the process maps it', async () => {
    const { m, t, a, dev, moved } = await migratedAfterPendingWrite();
    const second = dev.establish(t, t.mm!, a, moved, { writable: true });
    await v(dev.write(t, second, 7));
    expect(await v(m.mem.read(t, a))).toBe(7);
    expect(frameAt(t, a)).toBe(moved);
    expect(messages(m, 'lost-write')).toEqual([]);
    dev.drop(second);
  });

  it('without the later write, the earlier one is kept by the copy', async () => {
    const { m, t, a } = await migratedAfterPendingWrite();
    expect(await v(m.mem.read(t, a))).toBe(5);
    expect(messages(m, 'lost-write')).toEqual([]);
  });
});
