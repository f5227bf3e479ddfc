/**
 * A later device write into the same frame (same generation) supersedes a pending one
 * even when the frame's word changed between them through another mapping: the frame
 * then holds the later word, which is what the process will read wherever the page goes
 * next — the earlier write is not judged again.
 */
import { configureSwap } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { setup, v } from './support/helpers.js';
import { anonPages, frameAt, messages, reclaim } from './support/oracle-helpers.js';

describe('pending device writes: a later write into the same frame', () => {
  it('supersedes the earlier one though a write through the child changed the frame between them', async () => {
    const { m, t } = setup('v6');
    configureSwap(m.mem, 16);
    const a = await anonPages(m, t);
    const child = (await v(m.mem.fork(t, 'child'))).task('child:0');
    expect((await reclaim(m, frameAt(t, a))).at(-1)).toBe('freed');
    expect(await v(m.mem.read(child, a))).toBe(100); // the child swaps it in; the page stays in the swap cache
    const cached = frameAt(child, a);
    const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'no-references' });
    const mine = dev.establish(t, t.mm!, a, cached, { writable: true });
    const theirs = dev.establish(child, child.mm!, a, cached, { writable: true });
    await v(dev.write(t, mine, 5)); // pending behind the parent's swap entry
    await v(dev.write(child, theirs, 6)); // the same frame, through the child's mapping
    await v(dev.write(t, mine, 7)); // supersedes the 5
    dev.dropAll();
    const generation = m.mem.frames.generation[cached];
    expect((await reclaim(m, cached)).at(-1)).toBe('freed'); // the child's unmap writes 7 to the slot
    expect(await v(m.mem.read(t, a))).toBe(7);
    const now = frameAt(t, a);
    expect([now, m.mem.frames.generation[now]]).not.toEqual([cached, generation]); // another page
    expect(messages(m, 'lost-write')).toEqual([]);
  });
});
