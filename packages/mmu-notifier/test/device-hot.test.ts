import { Machine, MAP, PROT, shrinkPage, type Mm, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, NotifierTrace, type DeviceTranslation, type MmuNotifierOps } from '../src/index.js';
import { P, pfnAt, v } from './support/helpers.js';

/**
 * The seed's aging claim end to end, through the oracle's device and the trace: a device
 * keeps reading a shared file page the CPU no longer touches. A driver that reports its
 * accesses (`clearFlushYoung`, ORed into `page_referenced`) keeps the page; one with no
 * aging callback (GRU-like) lets reclaim evict it — a device-hot eviction.
 */
async function run(withAging: boolean): Promise<{ trace: NotifierTrace; verdicts: string[]; m: Machine }> {
  const m = new Machine({ era: 'v6', memory: { frames: 64 } });
  const t = m.mem.createProcess('app').task('cpu0');
  const file = m.mem.createFile('f', P);
  const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
  await v(m.mem.read(t, a));
  const mm: Mm = t.mm!;
  const handles: DeviceTranslation[] = [];
  let dev: DeviceMmu | null = null;
  const drop = (start: number, end: number): void => void dev!.dropRange(mm, start, end);
  const ops: MmuNotifierOps = {
    invalidateRangeStart: (_t, _s, r) => (drop(r.start, r.end), 0),
    release: () => drop(0, Number.MAX_SAFE_INTEGER),
    ...(withAging
      ? {
          clearFlushYoung: (_t: Task, _s: MmuNotifier, _mm: Mm, start: number, end: number) =>
            dev!
              .translations(mm)
              .filter((h) => h.live && h.address >= start && h.address < end)
              .map((h) => dev!.testAndClearAccessed(h))
              .some(Boolean),
        }
      : {}),
  };
  const sub = new MmuNotifier(ops, withAging ? 'kvm' : 'gru');
  await v(mmuNotifierRegister(t, sub, mm));
  dev = new DeviceMmu(m, { name: sub.name, driverClass: 'no-references', subscription: sub });
  const trace = NotifierTrace.attach(m);
  const pfn = pfnAt(t, a);
  handles.push(dev.establish(t, mm, a, pfn, { writable: false }));
  const kswapd = m.task('kswapd');
  const verdicts: string[] = [];
  for (let round = 0; round < 3; round++) {
    const h = handles.at(-1)!;
    if (h.live) await v(dev.read(m.task('device'), h)); // the device keeps using the page
    verdicts.push(String(await v(shrinkPage(m.mem, kswapd, pfn))));
    if (verdicts.at(-1) === 'freed') break;
  }
  return { trace, verdicts, m };
}

describe('device-hot eviction, end to end', () => {
  it('a driver reporting its accesses through clearFlushYoung keeps the page it uses', async () => {
    const { trace, verdicts, m } = await run(true);
    expect(verdicts).toEqual(['activate', 'activate', 'activate']);
    expect(trace.deviceHotEvictions()).toEqual([]);
    expect(m.report.violations).toEqual([]);
  });

  it('a driver without aging callbacks (GRU-like) lets reclaim evict a page its device uses: one device-hot eviction', async () => {
    const { trace, verdicts, m } = await run(false);
    expect(verdicts).toContain('freed');
    const hot = trace.deviceHotEvictions();
    expect(hot).toHaveLength(1);
    expect(hot[0]!.accesses.map((x) => x.device)).toEqual(['gru']);
    expect(m.report.violations).toEqual([]); // not a rule violation: a cost, measured
  });
});
