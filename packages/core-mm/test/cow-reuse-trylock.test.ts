import { describe, expect, it } from 'vitest';
import { ERAS, PROT } from '../src/index.js';
import { ANON, P, pteOf, RW, setup, v } from './support/mm-helpers.js';

// do_wp_page's reuse of a private anonymous page mapped once: the 2008 kernels checked
// it under trylock_page (TestSetPageLocked), so a page whose lock another task held
// was copied; v6 reuses an exclusive page whatever its lock.
describe.each(ERAS)('COW reuse and the page lock (%s)', (era) => {
  async function writeProtected() {
    const { m, t } = setup(era);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    await v(m.mem.mprotect(t, a, P, PROT.read));
    await v(m.mem.mprotect(t, a, P, RW)); // 2008: the entry stays read-only until the write faults
    return { m, t, a, pfn: pteOf(t, a).pfn };
  }

  it('an unlocked page is reused in place', async () => {
    const { m, t, a, pfn } = await writeProtected();
    await v(m.mem.write(t, a, 2));
    expect(pteOf(t, a).pfn).toBe(pfn);
  });

  it(era === 'v6' ? 'a page locked by another task is still reused' : 'a page locked by another task is copied, not waited for', async () => {
    const { m, t, a, pfn } = await writeProtected();
    const other = m.task('kswapd');
    await v(m.mem.pageLock.lock(other, pfn));
    await v(m.mem.write(t, a, 2));
    if (era === 'v6') expect(pteOf(t, a).pfn).toBe(pfn);
    else expect(pteOf(t, a).pfn).not.toBe(pfn);
    expect(await v(m.mem.read(t, a))).toBe(2);
    await v(m.mem.pageLock.unlock(other, pfn));
  });
});
