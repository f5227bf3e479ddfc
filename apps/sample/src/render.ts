import type { Fact } from './facts.js';
import type { Measurements } from './measure.js';

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/**
 * The sample's report: invalidations per phase and driver, each driver's totals, then
 * each fact with its measured evidence, and the replay command of the run. Kernel
 * counterpart: none.
 */
export function renderSample(m: Measurements, found: readonly Fact[]): string {
  const rows: string[][] = [['phase', ...m.drivers.map((d) => d.driver)]];
  for (const p of m.phases) rows.push([p, ...m.drivers.map((d) => String(d.byPhase[p] ?? 0))]);
  const totals: string[][] = [['driver', 'invalidations', 'blocked ns', 'longest ns', 'young answers', 'refused non-blockable']];
  for (const d of m.drivers) totals.push([d.driver, String(d.invalidations), String(d.blockedNs), String(d.maxInvalidationNs), String(d.youngAnswers), String(d.refusedNonBlockable)]);
  return [
    'One host process; a kvm-spte guest, a gru context and an xpmem importer use its memory at once (era v6).',
    '',
    'Invalidations each driver received, per phase of the workload:',
    table(rows),
    '',
    table(totals),
    '',
    `Violations in the run: ${m.violations}`,
    ...m.violationList.map((v) => `  ${v}`),
    '',
    ...found.flatMap((f) => [`${f.holds ? '✓' : '✗'} ${f.name}`, `    ${f.evidence}`]),
    '',
    `Replay this run: ${m.replay}`,
  ].join('\n');
}
