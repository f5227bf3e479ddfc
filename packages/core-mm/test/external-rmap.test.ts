import { describe, expect, it } from 'vitest';
import { Completion, exportPage, Machine, MAP, PROT, shrinkPage, type Task } from '../src/index.js';
import { P, v } from './support/mm-helpers.js';

async function exported(era: 'rfc-2008' | 'v2.6.27' | 'v6'): Promise<{ m: Machine; t: Task; pfn: number }> {
  const m = new Machine({ era, memory: { frames: 32 } });
  const t = m.mem.createProcess('exporter').task('exporter');
  const file = m.mem.createFile('f', P);
  const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
  await v(m.mem.read(t, a));
  return { m, t, pfn: file.pageCache.get(0)! };
}

describe('rfc-2008 external-rmap notifier', () => {
  it('reclaim calls invalidate_page(page) after the rmap walk, with only the page lock held', async () => {
    const { m, t, pfn } = await exported('rfc-2008');
    await v(m.mem.pageLock.lock(t, pfn));
    exportPage(m.mem, t, pfn);
    await v(m.mem.pageLock.unlock(t, pfn));
    const calls: { pfn: number; held: string[]; atomic: boolean }[] = [];
    m.mem.externalRmap = { invalidatePage: (task, p) => void calls.push({ pfn: p, held: task.describeHeld(), atomic: task.atomic }) };
    const kswapd = m.task('kswapd');
    expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('activate');
    expect(calls).toEqual([]); // young: no unmap, no external call
    expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('freed');
    expect(calls).toEqual([{ pfn, held: [`PG_locked[${pfn}] (bit-lock, trylock)`, 'fs_reclaim (pseudo)'], atomic: false }]);
  });

  it('may sleep (waiting for remote acknowledgements) without a might-sleep report', async () => {
    const { m, t, pfn } = await exported('rfc-2008');
    await v(m.mem.pageLock.lock(t, pfn));
    exportPage(m.mem, t, pfn);
    await v(m.mem.pageLock.unlock(t, pfn));
    const ack = new Completion(m, 'xpmem_ack');
    let recalled = false;
    m.mem.externalRmap = {
      invalidatePage: (task) => {
        const w = ack.wait(task);
        return w instanceof Promise ? w.then(() => void (recalled = true)) : void (recalled = true);
      },
    };
    m.sched.spawn('kswapd', async (k) => {
      await v(shrinkPage(m.mem, k, pfn));
      await v(shrinkPage(m.mem, k, pfn));
    });
    m.sched.spawn('remote-partition', async (r) => {
      await m.sched.sleep(r, 100);
      ack.complete();
    });
    const result = await m.sched.run();
    expect(result.violations).toEqual([]);
    expect(recalled).toBe(true);
  });

  it('exists only in rfc-2008: exporting in a merged era is EINVAL, and needs the page lock', async () => {
    for (const era of ['v2.6.27', 'v6'] as const) {
      const { m, t, pfn } = await exported(era);
      await v(m.mem.pageLock.lock(t, pfn));
      expect(() => exportPage(m.mem, t, pfn)).toThrow(/EINVAL.*only rfc-2008/);
      await v(m.mem.pageLock.unlock(t, pfn));
    }
    const { m, t, pfn } = await exported('rfc-2008');
    expect(() => exportPage(m.mem, t, pfn)).toThrow(/must hold the lock/);
  });
});
