/**
 * A pending device write behind a swap entry is kept when the process maps that very
 * frame (same generation) again — even if the frame's word changed meanwhile through
 * another mapping of it (the forked child's, which swapped the page in): the write
 * reached the page the process now maps, and was overwritten there, not lost.
 */
import { configureSwap } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { setup, v } from './support/helpers.js';
import { anonPages, frameAt, messages, reclaim } from './support/oracle-helpers.js';

describe('pending device writes: the same frame mapped again', () => {
  it('is no lost write, though another mapping of the frame changed its word since', async () => {
    const { m, t } = setup('v6');
    configureSwap(m.mem, 16);
    const a = await anonPages(m, t);
    const child = (await v(m.mem.fork(t, 'child'))).task('child:0');
    const pfn = frameAt(t, a);
    expect((await reclaim(m, pfn)).at(-1)).toBe('freed'); // both PTEs now name one swap slot
    expect(await v(m.mem.read(child, a))).toBe(100); // the child swaps it in; the page stays in the swap cache
    const cached = frameAt(child, a);
    expect(frameAt(t, a)).toBe(-1);
    const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'no-references' });
    const mine = dev.establish(t, t.mm!, a, cached, { writable: true });
    await v(dev.write(t, mine, 5)); // behind the parent's swap entry: pending
    const theirs = dev.establish(child, child.mm!, a, cached, { writable: true });
    await v(dev.write(child, theirs, 6)); // the same frame, through the child's mapping
    expect(await v(m.mem.read(t, a))).toBe(6);
    expect(frameAt(t, a)).toBe(cached);
    expect(messages(m, 'lost-write')).toEqual([]);
    dev.drop(mine);
    dev.drop(theirs);
  });
});
