import { Machine, MAP, OOM_REAP_INTERVAL_NS, outOfMemory, PROT, TASK_SIZE, walkPageTable } from '@secondary-mmu/core-mm';
import { subscriptionsOf } from '@secondary-mmu/mmu-notifier';
import { describe, expect, it } from 'vitest';
import { dmirror, DmirrorInstance, DMIRROR_CAPABILITIES } from '../src/index.js';
import { anon, code, open, P, RW, setup, v } from './support/dmirror-helpers.js';

/** The oracle judged every access; nothing was found. */
function quiet(m: Machine): void {
  expect(m.report.violations.map((x) => `${x.kind}: ${x.message}`)).toEqual([]);
}

describe('dmirror: the factory', () => {
  it('declares test_hmm.c: no references, no aging, fails only when not blockable, v6 only', () => {
    expect(dmirror.name).toBe('dmirror');
    expect(dmirror.eras).toEqual(['v6']);
    expect(dmirror.capabilities).toEqual({ holdsPageRefs: false, implementsAging: false, mayBlock: false, mayFailStart: true, sharesCpuPageTable: false });
    expect(DMIRROR_CAPABILITIES).toBe(dmirror.capabilities);
  });

  it('refuses the 2008 eras (no interval notifiers): EINVAL', async () => {
    const m = new Machine({ era: 'v2.6.27', memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    expect(await code(() => dmirror.attach(t, m, t.mm!))).toBe('EINVAL');
  });
});

describe('dmirror: hmm-tests', () => {
  it('open/close: attach subscribes one interval over the address space; detach leaves no translation and no subscription', async () => {
    const { m, t } = setup();
    const dm = await v(dmirror.attach(t, m, t.mm!));
    expect(dm).toBeInstanceOf(DmirrorInstance);
    const subs = subscriptionsOf(t.mm!)!;
    expect(subs.itree.size).toBe(1);
    const isub = (dm as DmirrorInstance).notifier;
    expect([isub.start, isub.last]).toEqual([0, TASK_SIZE - 1]);
    const buf = await anon(m, t, 4);
    await v(m.mem.write(t, buf, 7));
    expect(await v(dm.read(t, buf))).toBe(7);
    expect(dm.device.translations(t.mm!)).toHaveLength(1);
    await v(dm.detach(t));
    expect(dm.device.translations()).toEqual([]);
    expect(isub.state).toBe('removed');
    expect(subs.itree.size).toBe(0);
    expect(await code(() => dm.read(t, buf))).toBe('EINVAL');
    quiet(m);
  });

  it('anon read: the zero page reads 0; after CPU writes the device reads them; still readable after mprotect(PROT_READ)', async () => {
    const { m, t } = setup();
    const dm = await open(m, t);
    const buf = await anon(m, t, 8);
    // Untouched: hmm_range_fault maps the zero page, read-only.
    expect(await dm.read(t, buf)).toBe(0);
    const h = dm.table.load(buf)!;
    expect(h.pfn).toBe(m.mem.allocator.zeroPfn);
    expect(h.writable).toBe(false);
    // The CPU write COWs the zero page: the invalidation dropped the entry.
    for (let i = 0; i < 8; i++) await v(m.mem.write(t, buf + i * P, 100 + i));
    expect(h.live).toBe(false);
    dm.faults = 0;
    for (let i = 0; i < 8; i++) expect(await dm.read(t, buf + i * P)).toBe(100 + i);
    expect(dm.faults).toBe(8); // one device fault per page, as hmm-tests counts them
    for (let i = 0; i < 8; i++) expect(dm.table.load(buf + i * P)!.pfn).toBe(walkPageTable(t.mm!, buf + i * P)!.pfn);
    // Already mapped: no more faults.
    expect(await dm.read(t, buf + 3 * P)).toBe(103);
    expect(dm.faults).toBe(8);
    await v(m.mem.mprotect(t, buf, 8 * P, PROT.read));
    expect(dm.table.size).toBe(0); // PROTECTION_VMA dropped everything
    for (let i = 0; i < 8; i++) expect(await dm.read(t, buf + i * P)).toBe(100 + i);
    expect(dm.table.load(buf)!.writable).toBe(false);
    expect(await code(() => dm.write(t, buf, 1))).toBe('EPERM');
    await v(dm.detach(t));
    quiet(m);
  });

  it('read of PROT_NONE memory: EFAULT, nothing mirrored', async () => {
    const { m, t } = setup();
    const dm = await open(m, t);
    const buf = await anon(m, t, 2, PROT.none);
    expect(await code(() => dm.read(t, buf))).toBe('EFAULT');
    expect(await code(() => dm.prefetch(t, buf, 2))).toBe('EFAULT');
    // Nothing mapped there at all: EFAULT too.
    expect(await code(() => dm.read(t, buf + 16 * P))).toBe('EFAULT');
    expect(dm.table.size).toBe(0);
    await v(dm.detach(t));
    quiet(m);
  });

  it('anon write: the CPU sees the device writes', async () => {
    const { m, t } = setup();
    const dm = await open(m, t);
    const buf = await anon(m, t, 8);
    for (let i = 0; i < 8; i++) await dm.write(t, buf + i * P, 200 + i);
    expect(dm.faults).toBe(8);
    for (let i = 0; i < 8; i++) expect(await v(m.mem.read(t, buf + i * P))).toBe(200 + i);
    for (let i = 0; i < 8; i++) expect(dm.table.load(buf + i * P)!.writable).toBe(true);
    // A read after a write reuses the writable entry.
    expect(await dm.read(t, buf)).toBe(200);
    expect(dm.faults).toBe(8);
    await v(dm.detach(t));
    quiet(m);
  });

  it('write to read-only memory: EPERM; after mprotect(PROT_READ|PROT_WRITE) it succeeds', async () => {
    const { m, t } = setup();
    const dm = await open(m, t);
    const buf = await anon(m, t, 4, PROT.read);
    expect(await dm.read(t, buf)).toBe(0); // readable: mirrored read-only
    expect(await code(() => dm.write(t, buf, 5))).toBe('EPERM');
    expect(await v(m.mem.read(t, buf))).toBe(0);
    await v(m.mem.mprotect(t, buf, 4 * P, RW));
    for (let i = 0; i < 4; i++) await dm.write(t, buf + i * P, 300 + i);
    for (let i = 0; i < 4; i++) expect(await v(m.mem.read(t, buf + i * P))).toBe(300 + i);
    await v(dm.detach(t));
    quiet(m);
  });

  for (const kind of ['private', 'shared'] as const) {
    it(`write in a forked child, ${kind} anonymous: ${kind === 'private' ? 'COW, the parent keeps its data' : 'the parent sees it'}`, async () => {
      const { m, t } = setup();
      const flags = (kind === 'private' ? MAP.private : MAP.shared) | MAP.anonymous;
      const buf = await anon(m, t, 4, RW, flags);
      for (let i = 0; i < 4; i++) await v(m.mem.write(t, buf + i * P, 10 + i));
      const parentDm = await open(m, t, { name: 'dmirror-parent' });
      for (let i = 0; i < 4; i++) expect(await parentDm.read(t, buf + i * P)).toBe(10 + i);
      const child = await v(m.mem.fork(t, 'child'));
      const ct = child.task('child0');
      const childDm = await open(m, ct, { name: 'dmirror-child' });
      for (let i = 0; i < 4; i++) expect(await childDm.read(ct, buf + i * P)).toBe(10 + i);
      for (let i = 0; i < 4; i++) await childDm.write(ct, buf + i * P, 50 + i);
      for (let i = 0; i < 4; i++) expect(await v(m.mem.read(ct, buf + i * P))).toBe(50 + i);
      const expected = (i: number): number => (kind === 'private' ? 10 + i : 50 + i);
      for (let i = 0; i < 4; i++) expect(await v(m.mem.read(t, buf + i * P))).toBe(expected(i));
      for (let i = 0; i < 4; i++) expect(await parentDm.read(t, buf + i * P)).toBe(expected(i));
      await v(childDm.detach(ct));
      await v(m.mem.exit(ct));
      await v(parentDm.detach(t));
      quiet(m);
    });
  }

  it('file read: the device reads what pwrite put in the file, through a private and a shared mapping', async () => {
    const { m, t } = setup();
    const file = m.mem.createFile('data', 0);
    await v(m.mem.pwrite(t, file, 0, [1, 2, 3, 4]));
    const dm = await open(m, t);
    for (const flags of [MAP.private, MAP.shared]) {
      const buf = await v(m.mem.mmap(t, { length: 4 * P, prot: PROT.read, flags, file }));
      for (let i = 0; i < 4; i++) expect(await dm.read(t, buf + i * P)).toBe(i + 1);
      expect(await code(() => dm.write(t, buf, 9))).toBe('EPERM');
    }
    await v(dm.detach(t));
    quiet(m);
  });

  it('file write: device writes through a shared mapping reach the file (pread)', async () => {
    const { m, t } = setup();
    const file = m.mem.createFile('data', 0);
    await v(m.mem.pwrite(t, file, 0, [0, 0, 0, 0]));
    const dm = await open(m, t);
    const buf = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.shared, file }));
    for (let i = 0; i < 4; i++) await dm.write(t, buf + i * P, 70 + i);
    expect(m.mem.pread(t, file, 0, 4 * P)).toEqual([70, 71, 72, 73]);
    // The page is dirty (the write fault dirtied it), so writeback keeps the data.
    await v(m.mem.fsync(t, file));
    expect(m.mem.pread(t, file, 0, 4 * P)).toEqual([70, 71, 72, 73]);
    // Writeback write-protected the pages (PROTECTION_PAGE): a new device write faults again.
    const faults = dm.faults;
    await dm.write(t, buf, 80);
    expect(dm.faults).toBe(faults + 1);
    expect(m.mem.pread(t, file, 0, P)).toEqual([80]);
    await v(dm.detach(t));
    quiet(m);
  });

  it('two devices mirror the same page: each sees the other and the CPU sees both', async () => {
    const { m, t } = setup();
    const a = await open(m, t, { name: 'dmirror0' });
    const b = await open(m, t, { name: 'dmirror1' });
    const buf = await anon(m, t, 2);
    await a.write(t, buf, 1);
    expect(await b.read(t, buf)).toBe(1);
    expect(a.table.load(buf)!.pfn).toBe(b.table.load(buf)!.pfn);
    await b.write(t, buf, 2);
    expect(await a.read(t, buf)).toBe(2);
    expect(await v(m.mem.read(t, buf))).toBe(2);
    await v(m.mem.write(t, buf, 3));
    expect(await a.read(t, buf)).toBe(3);
    expect(await b.read(t, buf)).toBe(3);
    // The CPU unmaps: both mirrors lose the page.
    await v(m.mem.munmap(t, buf, 2 * P));
    expect(a.table.size + b.table.size).toBe(0);
    expect(await code(() => a.read(t, buf))).toBe('EFAULT');
    await v(a.detach(t));
    await v(b.detach(t));
    quiet(m);
  });

  it('exit: the RELEASE invalidation empties the mirror; closing afterwards is clean', async () => {
    const { m, t } = setup();
    const dm = await open(m, t);
    const buf = await anon(m, t, 4);
    for (let i = 0; i < 4; i++) await dm.write(t, buf + i * P, i + 1);
    await v(m.mem.exit(t));
    expect(dm.table.size).toBe(0);
    expect(dm.device.translations()).toEqual([]);
    expect(await code(() => dm.read(t, buf))).toBe('EFAULT');
    await v(dm.detach(t));
    quiet(m);
  });
});

describe('dmirror: concurrency (scheduled)', () => {
  const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

  it('anon teardown: munmap of half the buffer during device reads (and CPU writes), random schedules', async () => {
    let efaults = 0;
    let mirroredAfterUnmap = 0;
    let retries = 0;
    for (const seed of SEEDS) {
      const { m, t } = setup(256, { seed, random: true });
      const dm = await open(m, t);
      const buf = await anon(m, t, 8);
      for (let i = 4; i < 8; i++) await v(m.mem.write(t, buf + i * P, i + 1)); // the first half stays on the zero page: CPU writes COW it
      await dm.prefetch(t, buf, 8); // the whole buffer is mirrored when the race starts
      const results: (number | string)[] = [];
      m.sched.spawn('device', async (task) => {
        for (let round = 0; round < 2; round++) {
          for (let i = 0; i < 8; i++) {
            try {
              results[round * 8 + i] = await dm.read(task, buf + i * P);
            } catch (error) {
              results[round * 8 + i] = (error as { code?: string }).code ?? String(error);
            }
          }
        }
      });
      const app = m.mem.processes[0]!;
      app.spawn('munmap', async (task) => {
        for (let k = 0; k < (seed * 5) % 17; k++) await v(m.sched.yield(task)); // a varying head start for the device
        await v(m.mem.munmap(task, buf + 4 * P, 4 * P));
      });
      app.spawn('cpu-writer', async (task) => {
        for (let i = 0; i < 4; i++) {
          await v(m.sched.yield(task));
          await v(m.mem.write(task, buf + i * P, 100 + i));
        }
      });
      const r = await m.sched.run();
      expect(r.violations.map((x) => `${x.kind}: ${x.message}`), `seed ${seed}`).toEqual([]);
      for (let k = 0; k < 16; k++) {
        const i = k % 8;
        if (i < 4) expect([0, 100 + i], `seed ${seed} read ${k}`).toContain(results[k]);
        else expect([i + 1, 'EFAULT'], `seed ${seed} read ${k}`).toContain(results[k]);
      }
      efaults += results.filter((x) => x === 'EFAULT').length;
      mirroredAfterUnmap += dm.device.translations(t.mm!).filter((h) => h.address >= buf + 4 * P).length;
      retries += dm.retries;
      // After the run, the second half is unmapped: the mirror holds none of it, and the first half reads the CPU's last values.
      for (let i = 0; i < 4; i++) expect(await dm.read(t, buf + i * P)).toBe(100 + i);
      await v(dm.detach(t));
      quiet(m);
    }
    expect(mirroredAfterUnmap).toBe(0);
    expect(efaults).toBeGreaterThan(0); // some schedules read the second half after the unmap
    expect(efaults).toBeLessThan(SEEDS.length * 8); // and some before it
    expect(retries).toBeGreaterThan(0); // and some device faults lost the race to an invalidation and started over
    if (process.env.SMMU_PRINT_RATES === '1') console.log(`anon teardown: ${efaults} EFAULT reads, ${retries} fault retries over ${SEEDS.length} seeds`);
  });

  it('a device fault racing the CPU COW of the same page retries and never mirrors the replaced page, random schedules', async () => {
    let retries = 0;
    for (const seed of Array.from({ length: 40 }, (_, i) => i + 1)) {
      const { m, t } = setup(256, { seed, random: true });
      const dm = await open(m, t);
      const buf = await anon(m, t, 1); // the zero page: the CPU write replaces it (COW, a CLEAR invalidation)
      const reads: number[] = [];
      m.sched.spawn('device', async (task) => {
        for (let k = 0; k < 3; k++) reads.push(await dm.read(task, buf));
      });
      m.mem.processes[0]!.spawn('cpu', async (task) => {
        await v(m.sched.yield(task));
        await v(m.mem.write(task, buf, 42));
      });
      const r = await m.sched.run();
      expect(r.violations.map((x) => `${x.kind}: ${x.message}`), `seed ${seed}`).toEqual([]);
      // Once the device read 42 it never goes back to 0.
      expect(reads.slice(reads.indexOf(42) >= 0 ? reads.indexOf(42) : reads.length).every((x) => x === 42), `seed ${seed}: ${reads.join(',')}`).toBe(true);
      expect(await dm.read(t, buf)).toBe(42);
      retries += dm.retries;
      await v(dm.detach(t));
      quiet(m);
    }
    expect(retries).toBeGreaterThan(0);
    if (process.env.SMMU_PRINT_RATES === '1') console.log(`fault vs COW: ${retries} fault retries over 40 seeds`);
  });

  it('OOM reaper (non-blockable) while a device access holds dmirror->mutex: dmirror answers false, the reaper retries and then reaps', async () => {
    const { m, t } = setup(256);
    const dm = await open(m, t);
    const buf = await anon(m, t, 4);
    for (let i = 0; i < 4; i++) await dm.write(t, buf + i * P, i + 1);
    // A slow device access: dmirror_do_read copies under the mutex; this one takes 1.5 reap intervals.
    const read = dm.device.read.bind(dm.device);
    let accessStarted = false;
    dm.device.read = (task, h) => {
      if (accessStarted) return read(task, h);
      accessStarted = true;
      const s = m.sched.sleep(task, 1.5 * OOM_REAP_INTERVAL_NS);
      return s instanceof Promise ? s.then(() => read(task, h)) : read(task, h);
    };
    let value: number | undefined;
    m.sched.spawn('device', async (task) => {
      value = await dm.read(task, buf + 2 * P);
    });
    let result: Awaited<ReturnType<typeof outOfMemory>> | undefined;
    let heldAtOom = false;
    m.sched.spawn('allocator', async (task) => {
      while (!accessStarted) await v(m.sched.yield(task));
      heldAtOom = dm.mutex.locked;
      result = await v(outOfMemory(m.mem, task));
    });
    const r = await m.sched.run();
    expect(r.violations.map((x) => `${x.kind}: ${x.message}`)).toEqual([]);
    expect(heldAtOom).toBe(true);
    expect(value).toBe(3); // the access finished on a page the reaper had to leave alone
    expect(result!.victim!.name).toBe('app');
    expect(result!.skipped).toBe(false);
    expect(result!.reapAttempts).toBe(3); // at 0 and 100 ms the mutex was held; at 200 ms it was free
    expect(dm.contendedInvalidations).toBe(2);
    expect(dm.table.size).toBe(0);
    expect(t.mm === null || t.mm.dead).toBe(true);
    await v(dm.detach(m.task('close')));
    quiet(m);
  });
});
