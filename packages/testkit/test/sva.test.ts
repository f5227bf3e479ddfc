import { isSmmuError, Machine, MAP, PAGE_SIZE, PROT, shrinkPage, TASK_SIZE, walkPageTable, type Mm, type ScanVerdict, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, subscriptionsOf } from '@secondary-mmu/mmu-notifier';
import { describe, expect, it } from 'vitest';
import { ackingMirror, checkDriver, explore, defineDriver, DriverSpecError, loadScenario, MirrorDriver, runScenario, SCENARIO_CATALOGUE, SVA_CAPABILITIES, SvaInstance, svaMirror, withSecondaryTlbCallbacks } from '../src/index.js';
import { CONFORMANCE_ONLY_SCENARIOS } from '../src/conformance/scenarios/index.js';
import { thrown } from './support/thrown.js';

const RW = PROT.read | PROT.write;

describe('svaMirror: the SVA reference driver', () => {
  it('passes the conformance suite in v6, the era it declares, hitting every window', async () => {
    expect([...svaMirror.eras]).toEqual(['v6']);
    const report = await checkDriver(svaMirror, { eras: ['v6'] });
    expect(report.cases.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.cases.filter((c) => c.status === 'inconclusive').map((c) => c.scenario)).toEqual([]);
    // The scenarios whose windows name invalidate_range_start or a range event: inconclusive for it before.
    const hits = (name: string): number => Object.values(report.cases.find((c) => c.scenario === name)!.windowHits).reduce((a, b) => a + b, 0);
    for (const name of ['fault-vs-munmap', 'writeback-vs-device-write', 'oom-kill-vs-device-access', 'mprotect-vs-device-read', 'fork-cow-vs-device-write', 'dontneed-vs-device-fault']) expect(hits(name), name).toBeGreaterThan(0);
  });

  it('a driver flushing the whole mm at every flush is correct too: the flush-timing scenarios pass', async () => {
    class WholeMmSva extends SvaInstance {
      protected override invalidateSecondaryTlbs(task: Task): void | Promise<void> {
        return super.invalidateSecondaryTlbs(task, 0, TASK_SIZE);
      }
    }
    const wholeMm = defineDriver({ name: 'whole-mm', capabilities: SVA_CAPABILITIES, eras: ['v6'], attach: (task, machine, mm) => WholeMmSva.open(task, machine, mm, 'whole-mm') });
    for (const name of ['munmap-range-vs-device-reads', 'cow-vs-shared-tlb']) {
      const r = await explore(loadScenario(SCENARIO_CATALOGUE[name]!), { driver: wholeMm, era: 'v6', schedules: 20 });
      expect(r.failing?.violations ?? [], name).toEqual([]);
      expect(r.verdict, name).toBe('pass');
    }
  });

  it('windows naming the classic callbacks also match the flush; others are left alone', () => {
    const scenario = loadScenario(SCENARIO_CATALOGUE['writeback-vs-device-write']!);
    const widened = withSecondaryTlbCallbacks(scenario);
    const callbacks = (s: typeof scenario): unknown[] => s.windows!.flatMap((w) => w.pattern.filter((e) => e.kind === 'callback').map((e) => (e as { callback?: unknown }).callback));
    expect(callbacks(widened)).toEqual([['invalidate_range_start', 'invalidate_page', 'arch_invalidate_secondary_tlbs']]);
    expect(callbacks(scenario)).toEqual([['invalidate_range_start', 'invalidate_page']]);
    const byEvent = loadScenario(CONFORMANCE_ONLY_SCENARIOS['mprotect-vs-device-read']!);
    expect(withSecondaryTlbCallbacks(byEvent).windows).toEqual(byEvent.windows);
    expect(withSecondaryTlbCallbacks(withSecondaryTlbCallbacks(scenario))).toEqual(widened);
  });

  it('device accesses set the PTE young and dirty bits: reclaim keeps a page the device uses, and writes back what it wrote', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const kswapd = m.task('kswapd');
    const file = m.mem.createFile('data', PAGE_SIZE);
    const a = await m.mem.mmap(t, { length: PAGE_SIZE, prot: RW, flags: MAP.shared, file });
    const sva = await SvaInstance.open(t, m, t.mm!);
    await sva.write(t, a, 77); // a page request faults the page in; the write sets the PTE dirty
    const pte = walkPageTable(t.mm!, a)!;
    expect([pte.young, pte.dirty]).toEqual([true, true]);
    const verdicts: ScanVerdict[] = [];
    for (let i = 0; i < 4; i++) {
      verdicts.push(await shrinkPage(m.mem, kswapd, pte.pfn, { writePage: true }));
      expect(await sva.read(t, a)).toBe(77); // the device keeps using it
    }
    expect(verdicts).not.toContain('freed');
    let verdict: ScanVerdict = 'keep';
    for (let i = 0; i < 4 && verdict !== 'freed'; i++) verdict = await shrinkPage(m.mem, kswapd, pte.pfn, { writePage: true });
    expect(verdict).toBe('freed'); // idle now: reclaimed, and the flush dropped the device's entry
    expect(sva.device.translations()).toEqual([]);
    expect(m.mem.pread(t, file, 0, PAGE_SIZE)).toEqual([77]); // written back: the PTE was dirty
    expect(m.report.violations).toEqual([]);
    await sva.detach(t);
  });
});

describe('capabilities, enforced at attach', () => {
  it('sharesCpuPageTable declared for a device of another class: detached, and a DriverSpecError naming both', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 16 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const notifier = new MmuNotifier({}, 'liar');
    const liar = defineDriver({
      name: 'liar',
      capabilities: { sharesCpuPageTable: true },
      async attach(task, machine, mm) {
        await mmuNotifierRegister(task, notifier, mm);
        return new (class extends MirrorDriver {
          protected translate(): never {
            throw new Error('unused');
          }
          protected unregister(): void {
            notifier.listed = false;
          }
        })(new DeviceMmu(machine, { name: 'gpu', driverClass: 'no-references', subscription: notifier }), mm);
      },
    });
    const e = await thrown(() => liar.attach(t, m, t.mm!));
    expect(e).toBeInstanceOf(DriverSpecError);
    expect(isSmmuError(e, 'EINVAL')).toBe(true);
    expect((e as DriverSpecError).problem).toBe('capability-mismatch');
    expect((e as DriverSpecError).path).toBe('capabilities.sharesCpuPageTable');
    expect((e as Error).message).toBe('EINVAL: defineDriver "liar": capabilities.sharesCpuPageTable: declares sharesCpuPageTable: true, but its device "gpu" has driver class "no-references" (expected "shares-cpu-page-table")');
    expect(notifier.listed).toBe(false); // detached before the error
  });

  it('an SVA device not declaring sharesCpuPageTable is refused too; declared, it attaches', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 16 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const undeclared = defineDriver({ name: 'quiet-sva', eras: ['v6'], attach: (task, machine, mm) => SvaInstance.open(task, machine, mm) });
    const e = await thrown(() => undeclared.attach(t, m, t.mm!));
    expect((e as DriverSpecError).problem).toBe('capability-mismatch');
    expect((e as Error).message).toMatch(/declares sharesCpuPageTable: false, but its device "sva" has driver class "shares-cpu-page-table"/);
    expect(subscriptionsOf(t.mm!)!.list).toEqual([]); // unbound again
    const ok = await defineDriver({ name: 'sva2', capabilities: SVA_CAPABILITIES, attach: (task, machine, mm) => SvaInstance.open(task, machine, mm) }).attach(t, m, t.mm!);
    expect(ok.device.driverClass).toBe('shares-cpu-page-table');
    await ok.detach(t);
  });

  it('a driver that sleeps in a blockable range without declaring mayBlock is reported; declaring it is quiet', async () => {
    const scenario = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']!);
    const as = (mayBlock: boolean) => defineDriver({ name: `acking-${mayBlock}`, capabilities: { ...ackingMirror.capabilities, mayBlock }, eras: ackingMirror.eras, attach: (task, machine, mm) => ackingMirror.attach(task, machine, mm) });
    const undeclared = await runScenario(scenario, as(false), { era: 'v6', seed: 1 });
    expect(undeclared.violations.map((v) => v.kind)).toContain('undeclared-may-block');
    expect(undeclared.violations.find((v) => v.kind === 'undeclared-may-block')!.message).toMatch(/^driver "acking-false": invalidate_range_start of acking-mirror blocked for \d+ ns in a blockable range, but the driver does not declare mayBlock$/);
    const declared = await runScenario(scenario, as(true), { era: 'v6', seed: 1 });
    expect(declared.violations).toEqual([]);
  });

  it('the scenario runner watches a factory not made by defineDriver too, and reports once', async () => {
    const scenario = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']!);
    const plain = { name: 'plain-acking', capabilities: { ...ackingMirror.capabilities, mayBlock: false }, eras: ackingMirror.eras, attach: (task: Task, machine: Machine, mm: Mm) => ackingMirror.attach(task, machine, mm) };
    const r = await runScenario(scenario, plain, { era: 'v6', seed: 1 });
    expect(r.violations.filter((v) => v.kind === 'undeclared-may-block').map((v) => v.message)).toEqual([
      expect.stringMatching(/^driver "plain-acking": invalidate_range_start of acking-mirror blocked/),
    ]);
    const viaDefine = defineDriver({ ...plain, name: 'defined-acking' });
    const once = await runScenario(scenario, viaDefine, { era: 'v6', seed: 1 });
    expect(once.violations.filter((v) => v.kind === 'undeclared-may-block')).toHaveLength(1);
  });
});
