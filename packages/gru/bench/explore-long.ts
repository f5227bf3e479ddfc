/**
 * The GRU's long exploration:
 *
 *   npm run explore:long -w @secondary-mmu/gru -- N
 *
 * Every concurrent conformance scenario (one with race windows) the GRU runs (by its
 * capabilities), explored with N schedules (default 2000) in each era, seed 1, the
 * scenario's own strategy. Prints one JSON line per scenario × era (schedules, window
 * hits, verdict, first failing seed and shrunk token) and writes the table to
 * docs/exploration/gru.md. CI runs the conformance suite's few seeds instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFORMANCE_SCENARIOS, explore, loadConformanceScenario, missingCapability } from '@secondary-mmu/testkit';
import { gru } from '../src/index.js';

const [count] = process.argv.slice(2);
const schedules = Number(count ?? 2000);
if (!Number.isSafeInteger(schedules) || schedules <= 0) throw new Error(`schedules must be a positive integer, got ${count}`);
const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/exploration');
mkdirSync(outDir, { recursive: true });

const rows: string[] = [];
const started = performance.now();
let total = 0;
for (const spec of CONFORMANCE_SCENARIOS) {
  const { scenario, name, requires } = loadConformanceScenario(spec);
  if (missingCapability(requires, gru.capabilities) !== undefined) continue;
  if ((scenario.windows ?? []).length === 0) continue; // the hmm-tests cases: no race to explore
  for (const era of gru.eras) {
    if (scenario.eras !== undefined && !scenario.eras.includes(era)) continue;
    const t0 = performance.now();
    const r = await explore(scenario, { driver: gru, era, schedules, seed: 1 });
    total += r.schedules;
    const seconds = Math.round((performance.now() - t0) / 1000);
    console.log(JSON.stringify({ scenario: name, era, schedules: r.schedules, windowHits: r.windowHits, verdict: r.verdict, failingSeed: r.failing?.seed ?? null, token: r.shrunk?.token ?? r.failing?.token ?? null, seconds }));
    const hits = Object.entries(r.windowHits).map(([w, n]) => `${w}: ${n}`).join(', ');
    const strategy = scenario.schedule?.strategy === 'pct' ? 'pct' : 'random';
    rows.push(`| ${name} | ${era} | ${strategy} | ${r.schedules} | ${hits} | ${r.verdict}${r.failing == null ? '' : ` (seed ${r.failing.seed})`} |`);
  }
}
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
const doc = `# Exploration: gru

Recorded by \`npm run build && npm run explore:long -w @secondary-mmu/gru -- ${schedules}\`: ${schedules} schedules per scenario × era, seed 1, ${total} schedules in ${minutes} min on this machine (shared with other work). Each row: the schedules run, how many hit each race window, the verdict — *pass* only if no schedule failed and some schedule hit a window; a failing row names the first failing seed (its shrunk replay token is in the command's JSON output).

| scenario | era | strategy | schedules | window hits | verdict |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
const out = path.join(outDir, 'gru.md');
writeFileSync(out, doc);
console.log(`wrote ${out}`);
