/**
 * The long exploration budget for the KVM-like driver:
 *
 *   npm run build && npm run explore:long -w @secondary-mmu/kvm-spte -- N
 *
 * Every concurrent conformance scenario (one with race windows), explored with N
 * schedules (default 2 000), seed 1, the scenario's own strategy: the driver KVM was in
 * each era (`kvmSpteForEra`), and `kvmSpteHoldingRefs` in `v6` too. Prints one
 * JSON line per scenario × driver × era and writes the table to
 * docs/exploration/kvm-spte.md. CI runs the conformance suite's few seeds instead.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Era } from '@secondary-mmu/core-mm';
import { CONFORMANCE_SCENARIOS, explore, loadConformanceScenario, missingCapability, type DriverFactory } from '@secondary-mmu/testkit';
import { kvmSpte, kvmSpteHoldingRefs } from '../src/index.js';

const RUNS: readonly { readonly label: string; readonly driver: DriverFactory; readonly eras: readonly Era[] }[] = [
  { label: "kvm-spte refs: 'per-spte' (2.6.27)", driver: kvmSpteHoldingRefs, eras: ['rfc-2008', 'v2.6.27'] },
  { label: "kvm-spte refs: 'none' (today)", driver: kvmSpte, eras: ['v6'] },
  { label: "kvm-spte refs: 'per-spte'", driver: kvmSpteHoldingRefs, eras: ['v6'] },
];
const [count] = process.argv.slice(2);
const schedules = Number(count ?? 2_000);
if (!Number.isSafeInteger(schedules) || schedules <= 0) throw new Error(`schedules must be a positive integer, got ${count}`);

const rows: string[] = [];
const started = performance.now();
let total = 0;
for (const { label, driver, eras } of RUNS) {
  for (const spec of CONFORMANCE_SCENARIOS) {
    const { scenario, name, requires } = loadConformanceScenario(spec);
    if (missingCapability(requires, driver.capabilities) !== undefined) continue;
    if ((scenario.windows ?? []).length === 0) continue; // no race windows: nothing to explore for
    for (const era of eras) {
      if (scenario.eras !== undefined && !scenario.eras.includes(era)) continue;
      const t0 = performance.now();
      const r = await explore(scenario, { driver, era, schedules, seed: 1 });
      total += r.schedules;
      const line = { scenario: name, driver: driver.name, era, schedules: r.schedules, windowHits: r.windowHits, verdict: r.verdict, failingSeed: r.failing?.seed ?? null, token: r.shrunk?.token ?? r.failing?.token ?? null, seconds: Math.round((performance.now() - t0) / 1000) };
      console.log(JSON.stringify(line));
      const hits = Object.entries(r.windowHits).map(([w, n]) => `${w}: ${n}`).join(', ');
      const strategy = scenario.schedule?.strategy === 'pct' ? 'pct' : 'random';
      rows.push(`| ${label} | ${name} | ${era} | ${strategy} | ${r.schedules} | ${hits} | ${r.verdict}${r.failing === null ? '' : ` (seed ${r.failing.seed})`} |`);
    }
  }
}
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
const doc = `# Exploration: kvm-spte

Recorded by \`npm run build && npm run explore:long -w @secondary-mmu/kvm-spte -- ${schedules}\`: ${schedules} schedules per scenario × era, seed 1, ${total} schedules in ${minutes} min on this machine. Each row: the schedules run, how many hit each race window, the verdict — *pass* only if no schedule failed and some schedule hit a window; a failing row names the first failing seed (its shrunk replay token is in the command's JSON output). In the 2008 eras the driver's sptes hold their pages and 2.6.27's KVM had no \`release\`, so nothing tears them down at exit: the exit and OOM-kill windows are never hit there (*inconclusive* by design). The driver's page says more ([the long exploration](../drivers/kvm-spte.md#the-long-exploration)).

| driver | scenario | era | strategy | schedules | window hits | verdict |
|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/exploration/kvm-spte.md');
writeFileSync(out, doc);
console.log(`wrote ${out}`);
