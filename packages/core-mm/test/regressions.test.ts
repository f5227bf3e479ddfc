import { describe, expect, it } from 'vitest';
import { ERAS, Machine, MAP, PROT } from '../src/index.js';
import { ANON, code, P, RW, setup, v } from './support/mm-helpers.js';

// Bugs found in review, each pinned by a test that failed before its fix.
describe('regressions', () => {
  for (const era of ERAS) {
    it(`${era}: a shared anonymous mapping's pages are freed with its last mapping (munmap, exit, after fork)`, async () => {
      const { m, t } = setup(era, 64);
      const free = m.mem.allocator.freeCount;
      for (let round = 0; round < 3; round++) {
        const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.shared | MAP.anonymous }));
        for (let i = 0; i < 4; i++) await v(m.mem.write(t, a + i * P, i + 1));
        await v(m.mem.munmap(t, a, 4 * P));
        expect(m.mem.allocator.freeCount).toBe(free);
      }
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared | MAP.anonymous }));
      await v(m.mem.write(t, a, 7));
      const child = await v(m.mem.fork(t, 'child'));
      const ct = child.task('child');
      await v(m.mem.exit(t));
      expect(await v(m.mem.read(ct, a))).toBe(7); // the child still maps it
      await v(m.mem.exit(ct));
      expect(m.mem.allocator.freeCount).toBe(free);
    });

    it(`${era}: a call waiting for mmap_lock when its process exits fails instead of touching the dead mm`, async () => {
      for (let seed = 1; seed <= 30; seed++) {
        const m = new Machine({ era, seed, schedule: { strategy: 'random' }, memory: { frames: 64 } });
        const p = m.mem.createProcess('app');
        const outcomes: string[] = [];
        p.spawn('exiter', async (t) => {
          await m.sched.yield(t);
          await v(m.mem.exit(t));
        });
        p.spawn('mapper', async (t) => {
          await m.sched.yield(t);
          outcomes.push(await code(() => m.mem.mmap(t, { length: P, prot: RW, flags: ANON })));
        });
        const r = await m.sched.run();
        expect(r.violations).toEqual([]);
        expect(['ok', 'EINVAL']).toContain(outcomes[0]);
        for (const inode of m.mem.inodes()) expect(inode.iMmap.size).toBe(0);
        expect(p.mm).toBeNull();
      }
    });
  }

  it('a read of a write-only or exec-only mapping is allowed, as x86 cannot map write without read', async () => {
    const { m, t } = setup('v6');
    const w = await v(m.mem.mmap(t, { length: P, prot: PROT.write, flags: ANON }));
    expect(await v(m.mem.read(t, w))).toBe(0);
    const x = await v(m.mem.mmap(t, { length: P, prot: PROT.exec, flags: ANON }));
    expect(await v(m.mem.read(t, x))).toBe(0);
    const none = await v(m.mem.mmap(t, { length: P, prot: PROT.none, flags: ANON }));
    expect(await code(() => m.mem.read(t, none))).toBe('SIGSEGV');
  });
});
