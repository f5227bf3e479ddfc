import { describe, expect, it } from 'vitest';
import { ERAS, isSmmuError, Machine, MAP, PG, PROT, type Era, type Task } from '../src/index.js';
import { fallocatePunchHole, ftruncate, pread, pwrite } from '../src/mm/file-ops.js';
import { stateDigest, verify } from '../src/mm/verify.js';
import { RecordingPort } from './support/recording-port.js';
import { code, P, RW, setup as setupWith, v } from './support/mm-helpers.js';

function setup(era: Era, frames = 128): { m: Machine; t: Task } {
  return setupWith(era, frames);
}

for (const era of ERAS) {
  describe(`file operations (${era})`, () => {
    it('pwrite goes through the page cache: a shared mapping sees it, i_size grows, the page is dirty', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 0);
      const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.shared, file }));
      await v(pwrite(m.mem, t, file, 0, [11, 22]));
      expect(file.size).toBe(2 * P);
      expect(await v(m.mem.read(t, a))).toBe(11);
      expect(await v(m.mem.read(t, a + P))).toBe(22);
      expect(await code(() => m.mem.read(t, a + 2 * P))).toBe('SIGBUS');
      const pfn = file.pageCache.get(0)!;
      expect(m.mem.frames.flags[pfn]! & PG.dirty).toBe(PG.dirty);
      expect(m.mem.frames.refcount[pfn]).toBe(2); // the cache's and the mapping's
      // A write to a mapped page is seen at once.
      await v(pwrite(m.mem, t, file, P, [33]));
      expect(await v(m.mem.read(t, a + P))).toBe(33);
      expect(verify(m)).toEqual([]);
      expect(m.report.violations).toEqual([]);
    });

    it('pread sees writes through a shared mapping, not through a private one', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 2 * P);
      file.backing.set(1, 7);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared, file }));
      const b = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.private, file }));
      await v(m.mem.write(t, a, 5));
      expect(pread(m.mem, t, file, 0, 2 * P)).toEqual([5, 7]);
      await v(m.mem.write(t, b + P, 9));
      expect(pread(m.mem, t, file, 0, 2 * P)).toEqual([5, 7]);
      expect(await v(m.mem.read(t, b))).toBe(5); // not COWed: the file's page
      await v(pwrite(m.mem, t, file, P, [8]));
      expect(await v(m.mem.read(t, a + P))).toBe(8);
      expect(await v(m.mem.read(t, b + P))).toBe(9); // the COWed copy keeps its word
      expect(verify(m)).toEqual([]);
    });

    it('pread: holes read 0, the cache wins over the backing store, a short read at EOF; the cache is not populated', () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 3 * P - 100);
      file.backing.set(2, 42);
      expect(pread(m.mem, t, file, 0, 10 * P)).toEqual([0, 0, 42]);
      expect(pread(m.mem, t, file, 2 * P + 5, 1)).toEqual([42]);
      expect(pread(m.mem, t, file, 3 * P, P)).toEqual([]);
      expect(pread(m.mem, t, file, 0, 0)).toEqual([]);
      expect(file.pageCache.size).toBe(0);
    });

    it('truncate unmaps the pages beyond the new end from every mapping and frees them', async () => {
      const { m, t } = setup(era);
      const t2 = m.mem.createProcess('other').task('cpu1');
      const file = m.mem.createFile('f', 0);
      await v(pwrite(m.mem, t, file, 0, [1, 2, 3, 4]));
      const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.shared, file }));
      const b = await v(m.mem.mmap(t2, { length: 4 * P, prot: PROT.read, flags: MAP.shared, file }));
      for (let k = 0; k < 4; k++) {
        expect(await v(m.mem.read(t, a + k * P))).toBe(k + 1);
        expect(await v(m.mem.read(t2, b + k * P))).toBe(k + 1);
      }
      const free = m.mem.allocator.freeCount;
      await v(ftruncate(m.mem, t, file, 2 * P - 1));
      expect(file.size).toBe(2 * P - 1);
      expect([...file.pageCache.keys()].sort()).toEqual([0, 1]);
      expect(m.mem.allocator.freeCount).toBe(free + 2);
      expect(t.mm!.rss).toBe(2);
      expect(t2.mm!.rss).toBe(2);
      for (const [task, base] of [[t, a], [t2, b]] as const) {
        expect(await code(() => m.mem.read(task, base + 2 * P))).toBe('SIGBUS');
        expect(await code(() => m.mem.read(task, base + 3 * P))).toBe('SIGBUS');
        expect(await v(m.mem.read(task, base + P))).toBe(2);
      }
      // Growing again: the truncated pages come back as holes.
      await v(ftruncate(m.mem, t, file, 4 * P));
      expect(await v(m.mem.read(t, a + 3 * P))).toBe(0);
      expect(pread(m.mem, t, file, 0, 4 * P)).toEqual([1, 2, 0, 0]);
      expect(verify(m)).toEqual([]);
      expect(m.report.violations).toEqual([]);
    });

    it('truncate keeps private COWed pages below the new end and drops those beyond it (even_cows)', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 0);
      await v(pwrite(m.mem, t, file, 0, [1, 2, 3, 4]));
      const b = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.private, file }));
      await v(m.mem.write(t, b, 100));
      await v(m.mem.write(t, b + 3 * P, 300));
      await v(ftruncate(m.mem, t, file, 2 * P));
      expect(await v(m.mem.read(t, b))).toBe(100);
      expect(await code(() => m.mem.read(t, b + 3 * P))).toBe('SIGBUS');
      expect(pread(m.mem, t, file, 0, 4 * P)).toEqual([1, 2]);
      expect(verify(m)).toEqual([]);
    });

    it('punch hole: the hole reads zero through mappings and pread; COWed pages survive; i_size stays', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 0);
      await v(pwrite(m.mem, t, file, 0, [1, 2, 3, 4]));
      file.backing.set(1, 20); // as if written back once
      const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.shared, file }));
      const b = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.private, file }));
      for (let k = 0; k < 4; k++) await v(m.mem.read(t, a + k * P));
      await v(m.mem.read(t, b + 2 * P));
      await v(m.mem.write(t, b + P, 99));
      await v(fallocatePunchHole(m.mem, t, file, P, 2 * P));
      expect(file.size).toBe(4 * P);
      expect(pread(m.mem, t, file, 0, 4 * P)).toEqual([1, 0, 0, 4]);
      expect(file.backing.has(1)).toBe(false);
      expect(await v(m.mem.read(t, a + P))).toBe(0);
      expect(await v(m.mem.read(t, a + 2 * P))).toBe(0);
      expect(await v(m.mem.read(t, a + 3 * P))).toBe(4);
      expect(await v(m.mem.read(t, b + P))).toBe(99); // the private copy is the process's data
      expect(await v(m.mem.read(t, b + 2 * P))).toBe(0); // not COWed: refaults the hole
      expect(verify(m)).toEqual([]);
      expect(m.report.violations).toEqual([]);
    });

    it('bad input is EINVAL and leaves the machine as it was; a zero-length punch does nothing', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 0);
      await v(pwrite(m.mem, t, file, 0, [1, 2]));
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared, file }));
      await v(m.mem.read(t, a + P));
      const before = stateDigest(m);
      const bad: (() => unknown)[] = [
        () => ftruncate(m.mem, t, file, -1),
        () => ftruncate(m.mem, t, file, 1.5),
        () => ftruncate(m.mem, t, file, Number.NaN),
        () => fallocatePunchHole(m.mem, t, file, 100, P),
        () => fallocatePunchHole(m.mem, t, file, 0, P + 1),
        () => fallocatePunchHole(m.mem, t, file, -P, P),
        () => fallocatePunchHole(m.mem, t, file, 0, 2 ** 60),
        () => pwrite(m.mem, t, file, 1, [1]),
        () => pwrite(m.mem, t, file, 0, [3, -1]),
        () => pwrite(m.mem, t, file, 0, [3, 1.5]),
        () => pwrite(m.mem, t, file, 0, [2 ** 32]),
        () => pwrite(m.mem, t, file, 0, 'x' as unknown as number[]),
        () => pread(m.mem, t, file, -1, 1),
        () => pread(m.mem, t, file, 0, Infinity),
      ];
      for (const f of bad) expect(await code(f)).toBe('EINVAL');
      await v(fallocatePunchHole(m.mem, t, file, P, 0));
      await v(pwrite(m.mem, t, file, 0, []));
      expect(stateDigest(m)).toBe(before);
      expect(t.describeHeld()).toEqual([]);
    });
  });
}

describe('truncate notifier call site (recording port)', () => {
  for (const era of ERAS) {
    it(`${era}: a CLEAR range per mapping vma, under i_rwsem and the i_mmap lock`, async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 0);
      await v(pwrite(m.mem, t, file, 0, [1, 2]));
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared, file }));
      await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file })); // only page 0: not in the range
      await v(m.mem.read(t, a + P));
      const port = new RecordingPort();
      t.mm!.secondary = port;
      const t2 = m.mem.createProcess('truncator').task('cpu1');
      await v(ftruncate(m.mem, t2, file, P));
      const start = port.calls.find((c) => c.op === 'start')!;
      expect(start).toMatchObject({ event: 'clear', start: a + P, end: a + 2 * P });
      // truncate_pagecache unmaps twice: the second pass finds nothing left to flush.
      if (era === 'v6') {
        expect(port.ops()).toEqual(['start', 'secondary_tlbs', 'end', 'start', 'end']);
        expect(start.blockable).toBe(true);
        expect(start.held).toEqual(['i_rwsem (rwsem)', 'i_mmap_rwsem (rwsem, read)']);
        expect(start.preemptCount + start.rcuDepth + start.nonBlockDepth).toBe(0);
      } else if (era === 'rfc-2008') {
        expect(port.ops()).toEqual(['start', 'end', 'start', 'end']);
        expect(start.blockable).toBe(false); // the RFC's atomic range: under the spinlock
        expect(start.held).toEqual(['i_rwsem (rwsem)', 'i_mmap_lock (spinlock)']);
        expect(start).toMatchObject({ preemptCount: 1, nonBlockDepth: 1, rcuDepth: 0 });
      } else {
        expect(port.ops()).toEqual(['start', 'end', 'start', 'end']);
        expect(start.blockable).toBe(false);
        expect(start.held).toEqual(['i_rwsem (rwsem)', 'i_mmap_lock (spinlock)', 'rcu_read_lock (rcu, read)']);
        expect(start).toMatchObject({ preemptCount: 1, rcuDepth: 1, nonBlockDepth: 0 });
      }
      const starts = port.calls.filter((c) => c.op === 'start');
      expect(starts.map((c) => [c.start, c.end, c.held])).toEqual([
        [a + P, a + 2 * P, start.held],
        [a + P, a + 2 * P, start.held],
      ]);
      expect(port.calls.at(-1)).toMatchObject({ op: 'end', start: a + P, end: a + 2 * P, held: start.held });
      expect(t2.describeHeld()).toEqual([]);
      expect(m.report.violations).toEqual([]);
    });

    it(`${era}: punch hole brackets each mapping's zap the same way`, async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 0);
      await v(pwrite(m.mem, t, file, 0, [1, 2, 3]));
      const a = await v(m.mem.mmap(t, { length: 3 * P, prot: RW, flags: MAP.private, file }));
      const port = new RecordingPort();
      t.mm!.secondary = port;
      await v(fallocatePunchHole(m.mem, t, file, P, P));
      expect(port.calls.filter((c) => c.op === 'start')).toEqual([expect.objectContaining({ event: 'clear', start: a + P, end: a + 2 * P, blockable: era === 'v6' })]);
      expect(m.report.violations).toEqual([]);
    });
  }
});

describe('truncate against concurrent faults (random schedules)', () => {
  for (const era of ERAS) {
    it(`${era}: every read is the old word or SIGBUS; the machine stays consistent`, async () => {
      for (let seed = 1; seed <= 25; seed++) {
        const m = new Machine({ era, seed, schedule: { strategy: 'random' }, memory: { frames: 64 } });
        const p = m.mem.createProcess('app');
        const setupTask = p.task('setup');
        const file = m.mem.createFile('f', 0);
        await v(pwrite(m.mem, setupTask, file, 0, [1, 2, 3, 4]));
        const a = await v(m.mem.mmap(setupTask, { length: 4 * P, prot: RW, flags: MAP.shared, file }));
        const seen: string[] = [];
        p.spawn('reader', async (t) => {
          for (let k = 3; k >= 0; k--) {
            try {
              seen.push(`${k}:${await v(m.mem.read(t, a + k * P))}`);
            } catch (e) {
              if (!isSmmuError(e, 'SIGBUS')) throw e;
              seen.push(`${k}:SIGBUS`);
            }
          }
        });
        m.sched.spawn('truncator', (t) => ftruncate(m.mem, t, file, P));
        const r = await m.sched.run();
        expect(r.violations, `seed ${seed}`).toEqual([]);
        for (const s of seen) expect(['0:1', '1:2', '2:3', '3:4', '1:SIGBUS', '2:SIGBUS', '3:SIGBUS']).toContain(s);
        expect(verify(m), `seed ${seed}`).toEqual([]);
        expect([...file.pageCache.keys()].every((i) => i < 1), `seed ${seed}`).toBe(true);
      }
    });
  }
});

describe('hole punch against concurrent faults (random schedules)', () => {
  // Regression: a file fault that found the page in the cache and then waited for the
  // PT lock used to map it even if a hole punch dropped it from the cache meanwhile
  // (the mapping kept a frame the file no longer had). fault.ts now rechecks the cache
  // under the PT lock, as filemap_fault rechecks folio->mapping.
  for (const era of ERAS) {
    it(`${era}: after the punch, every mapping reads what pread reads`, async () => {
      for (let seed = 1; seed <= 40; seed++) {
        const m = new Machine({ era, seed, schedule: { strategy: 'random' }, memory: { frames: 64 } });
        const p = m.mem.createProcess('app');
        const setupTask = p.task('setup');
        const file = m.mem.createFile('f', 0);
        await v(pwrite(m.mem, setupTask, file, 0, [1, 2, 3, 4]));
        const a = await v(m.mem.mmap(setupTask, { length: 4 * P, prot: RW, flags: MAP.shared, file }));
        p.spawn('reader', async (t) => {
          for (let k = 3; k >= 0; k--) await v(m.mem.read(t, a + k * P));
        });
        m.sched.spawn('puncher', (t) => fallocatePunchHole(m.mem, t, file, P, 3 * P));
        const r = await m.sched.run();
        expect(r.violations, `seed ${seed}`).toEqual([]);
        expect(verify(m), `seed ${seed}`).toEqual([]);
        for (let k = 0; k < 4; k++) expect(await v(m.mem.read(setupTask, a + k * P)), `seed ${seed} page ${k}`).toBe([1, 0, 0, 0][k]);
      }
    });
  }
});
