import { describe, expect, it } from 'vitest';
import { deviceHotFact, facts, migrationFact, oomFact, sleepingFact } from '../src/facts.js';
import type { Measurements } from '../src/measure.js';
import { defaultRun } from './support/sample.js';

describe('the cross-driver facts hold in the default run', () => {
  it('the run is clean and every fact holds', async () => {
    const m = await defaultRun();
    expect(m.violations).toBe(0);
    expect(facts(m).filter((f) => !f.holds)).toEqual([]);
  });

  it('every phase that changes the mapping reaches all three drivers with invalidations', async () => {
    const m = await defaultRun();
    expect(m.phases).toEqual(['faults', 'writes', 'mprotect', 'fork', 'mremap', 'writeback', 'reclaim', 'migration', 'munmap', 'oom-kill']);
    for (const phase of ['mprotect', 'fork', 'mremap', 'writeback', 'reclaim', 'migration', 'munmap']) {
      for (const d of m.drivers) expect(d.byPhase[phase] ?? 0, `${d.driver} in ${phase}`).toBeGreaterThan(0);
    }
  });

  it("device-hot: kvm-spte's aging keeps its guest's page through every reclaim pass; the gru's page is freed under it and refaulted", async () => {
    const m = await defaultRun();
    expect(m.reclaim['kvm-spte']).toHaveLength(4);
    expect(m.reclaim['kvm-spte']).not.toContain('freed');
    expect(m.drivers.find((d) => d.driver === 'kvm-spte')!.youngAnswers).toBeGreaterThan(0);
    expect(m.reclaim.gru).toContain('freed');
    expect(m.deviceHotEvictions).toEqual({ 'kvm-spte': 0, gru: 1, xpmem: 0 });
    expect(deviceHotFact(m).holds).toBe(true);
  });

  it('sleeping: only xpmem spends virtual time inside invalidations, and it is its recalls', async () => {
    const m = await defaultRun();
    const by = Object.fromEntries(m.drivers.map((d) => [d.driver, d]));
    expect(by['kvm-spte']!.blockedNs).toBe(0);
    expect(by.gru!.blockedNs).toBe(0);
    expect(by['kvm-spte']!.invalidations).toBeGreaterThan(0);
    expect(by.gru!.invalidations).toBe(by['kvm-spte']!.invalidations); // the same workload reached both
    expect(by.xpmem!.blockedNs).toBeGreaterThan(0);
    expect(by.xpmem!.blockedNs).toBe(m.xpmemRecallNs);
    expect(sleepingFact(m).holds).toBe(true);
  });

  it('migration: kvm-spte (v6) and gru hold nothing and their pages move; the page xpmem pins is refused EBUSY', async () => {
    const m = await defaultRun();
    expect(m.migration.map((r) => [r.page, typeof r.result === 'number' ? 'moved' : r.result])).toEqual([
      ["kvm-spte's page", 'moved'],
      ["gru's page", 'moved'],
      ["xpmem's page", 'EBUSY'],
    ]);
    expect(m.migration[2]!.holds.xpmem).toEqual({ refs: 0, pins: 1 });
    expect(migrationFact(m).holds).toBe(true);
  });

  it('OOM kill: xpmem refuses every non-blockable reaper range, kvm-spte and gru none, and the reaper gives up', async () => {
    const m = await defaultRun();
    expect(m.oom).toMatchObject({ victim: 'host', skipped: true });
    expect(m.drivers.find((d) => d.driver === 'xpmem')!.refusedNonBlockable).toBe(m.oom!.reapAttempts);
    expect(oomFact(m).holds).toBe(true);
  });
});

/** `m` with `change` applied to a copy of one driver's figures. */
function withDriver(m: Measurements, driver: string, change: object): Measurements {
  return { ...m, drivers: m.drivers.map((d) => (d.driver === driver ? { ...d, ...change } : d)) };
}

describe('each fact fails when what it states stops holding', () => {
  it("device-hot: fails when the guest's page is freed too, or when the gru's survives", async () => {
    const m = await defaultRun();
    expect(deviceHotFact({ ...m, reclaim: { ...m.reclaim, 'kvm-spte': ['activate', 'freed'] } }).holds).toBe(false);
    expect(deviceHotFact({ ...m, reclaim: { ...m.reclaim, gru: ['activate', 'activate'] } }).holds).toBe(false);
    expect(deviceHotFact(withDriver(m, 'kvm-spte', { youngAnswers: 0 })).holds).toBe(false);
  });

  it('sleeping: fails when kvm-spte or gru blocks, or when xpmem does not', async () => {
    const m = await defaultRun();
    expect(sleepingFact(withDriver(m, 'gru', { blockedNs: 1 })).holds).toBe(false);
    expect(sleepingFact(withDriver(m, 'kvm-spte', { blockedNs: 1 })).holds).toBe(false);
    expect(sleepingFact(withDriver(m, 'xpmem', { blockedNs: 0 })).holds).toBe(false);
  });

  it('migration: fails when the xpmem page moves, or kvm-spte holds a reference', async () => {
    const m = await defaultRun();
    const moved = m.migration.map((r) => (r.page === "xpmem's page" ? { ...r, result: 42 } : r));
    expect(migrationFact({ ...m, migration: moved }).holds).toBe(false);
    const refs = m.migration.map((r) => (r.page === "kvm-spte's page" ? { ...r, holds: { ...r.holds, 'kvm-spte': { refs: 1, pins: 0 } } } : r));
    expect(migrationFact({ ...m, migration: refs }).holds).toBe(false);
  });

  it('OOM: fails when the reaper finishes, or gru refuses too', async () => {
    const m = await defaultRun();
    expect(oomFact({ ...m, oom: { ...m.oom!, skipped: false } }).holds).toBe(false);
    expect(oomFact(withDriver(m, 'gru', { refusedNonBlockable: 1 })).holds).toBe(false);
  });
});
