import type { DriverFigures, Measurements } from './measure.js';

/** One cross-driver fact: whether the run shows it, and the measured numbers that say so. Kernel counterpart: none. */
export interface Fact {
  readonly name: string;
  readonly holds: boolean;
  /** The statement, with the run's numbers in it. */
  readonly evidence: string;
}

function driver(m: Measurements, name: string): DriverFigures {
  const d = m.drivers.find((x) => x.driver === name);
  if (d === undefined) throw new Error(`no figures for driver ${name}`);
  return d;
}

/** kvm-spte's aging keeps the page its guest keeps using; the GRU, TLB-only with no aging, loses its own. */
export function deviceHotFact(m: Measurements): Fact {
  const kvm = driver(m, 'kvm-spte');
  const kvmVerdicts = m.reclaim['kvm-spte'] ?? [];
  const gruVerdicts = m.reclaim.gru ?? [];
  const holds = kvmVerdicts.length > 0 && !kvmVerdicts.includes('freed') && kvm.youngAnswers > 0 && gruVerdicts.includes('freed') && (m.deviceHotEvictions.gru ?? 0) > 0 && (m.deviceHotEvictions['kvm-spte'] ?? 0) === 0;
  return {
    name: 'device-hot page: kvm-spte keeps it, gru loses it',
    holds,
    evidence:
      `reclaim passed ${kvmVerdicts.length} times over the guest's page (${kvmVerdicts.join(', ')}): kvm-spte answered young ${kvm.youngAnswers} times, ` +
      `${m.deviceHotEvictions['kvm-spte'] ?? 0} device-hot evictions; over the gru's page (${gruVerdicts.join(', ')}): ${m.deviceHotEvictions.gru ?? 0} device-hot eviction(s), ` +
      `the GRU refaulted it (${m.gruTlbMisses} TLB misses in the run)`,
  };
}

/** xpmem's invalidations sleep for the recall (virtual time passes inside them); kvm-spte's and gru's never do. */
export function sleepingFact(m: Measurements): Fact {
  const [kvm, gru, xp] = [driver(m, 'kvm-spte'), driver(m, 'gru'), driver(m, 'xpmem')];
  const holds = xp.blockedNs > 0 && kvm.blockedNs === 0 && gru.blockedNs === 0 && kvm.invalidations > 0 && gru.invalidations > 0;
  const line = (d: DriverFigures): string => `${d.driver}: ${d.invalidations} invalidations, ${d.blockedNs} ns blocked (longest ${d.maxInvalidationNs} ns)`;
  return {
    name: 'xpmem sleeps in its invalidations; kvm-spte and gru never do',
    holds,
    evidence: `${line(kvm)}; ${line(gru)}; ${line(xp)}, of which recalls ${m.xpmemRecallNs} ns`,
  };
}

/** Under migration each driver holds what its design says: kvm-spte (v6) and gru nothing, xpmem a pin — and move_pages refuses that page with EBUSY. */
export function migrationFact(m: Measurements): Fact {
  const of = (name: string) => m.migration.find((x) => x.page === `${name}'s page`);
  const [kvm, gru, xp] = [of('kvm-spte'), of('gru'), of('xpmem')];
  const held = (r: ReturnType<typeof of>, name: string): { refs: number; pins: number } => r?.holds[name] ?? { refs: -1, pins: -1 };
  const holds =
    kvm !== undefined && gru !== undefined && xp !== undefined &&
    typeof kvm.result === 'number' && typeof gru.result === 'number' && xp.result === 'EBUSY' &&
    held(kvm, 'kvm-spte').refs + held(kvm, 'kvm-spte').pins === 0 && held(gru, 'gru').refs + held(gru, 'gru').pins === 0 && held(xp, 'xpmem').pins > 0;
  const line = (r: ReturnType<typeof of>, name: string): string => `${name}'s page: ${held(r, name).refs} refs, ${held(r, name).pins} pins held → ${typeof r?.result === 'number' ? `moved to pfn ${r.result}` : String(r?.result)}`;
  return { name: 'migration: what each driver holds; the pinned xpmem page is refused EBUSY', holds, evidence: `${line(kvm, 'kvm-spte')}; ${line(gru, 'gru')}; ${line(xp, 'xpmem')}` };
}

/** The OOM reaper's non-blockable ranges: kvm-spte and gru answer them all; xpmem, which must sleep to recall, refuses them, and the reaper gives up on the whole mm. */
export function oomFact(m: Measurements): Fact {
  const [kvm, gru, xp] = [driver(m, 'kvm-spte'), driver(m, 'gru'), driver(m, 'xpmem')];
  const holds = m.oom !== null && m.oom.skipped && xp.refusedNonBlockable > 0 && kvm.refusedNonBlockable === 0 && gru.refusedNonBlockable === 0;
  return {
    name: 'OOM kill: xpmem refuses the reaper, which gives up the mm for every driver',
    holds,
    evidence: `victim ${m.oom?.victim ?? 'none'}; reaper attempts ${m.oom?.reapAttempts ?? 0}, gave up: ${m.oom?.skipped === true ? 'yes' : 'no'}; non-blockable ranges refused: kvm-spte ${kvm.refusedNonBlockable}, gru ${gru.refusedNonBlockable}, xpmem ${xp.refusedNonBlockable}`,
  };
}

/** Every fact of the sample, in the order they are printed. Kernel counterpart: none. */
export function facts(m: Measurements): Fact[] {
  return [deviceHotFact(m), sleepingFact(m), migrationFact(m), oomFact(m)];
}
