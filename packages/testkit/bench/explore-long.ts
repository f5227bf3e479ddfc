/**
 * The long exploration budget:
 *
 *   npm run explore:long -w @secondary-mmu/testkit -- N [driver…]
 *
 * Every concurrent conformance scenario (one with race windows) a reference driver runs
 * (by its capabilities), explored
 * with N schedules (default 10 000) in each era it declares, seed 1, the scenario's own
 * strategy (random, or PCT where the scenario asks for it). Drivers: `dmirror` (v6),
 * `classic-mirror` (every era), `acking-mirror` (v6); all three when none is named —
 * name them to run shards in parallel processes. Prints one JSON line per scenario ×
 * driver × era (schedules, window hits, verdict, first failing seed and shrunk token)
 * and writes each driver's table to docs/exploration/<driver>.md. CI runs a small capped
 * budget in the conformance tests instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ackingMirror, classicMirror, CONFORMANCE_SCENARIOS, dmirror, explore, loadConformanceScenario, missingCapability, withIntervalCallbacks, type DriverFactory } from '../src/index.js';

const DRIVERS: readonly DriverFactory[] = [dmirror, classicMirror, ackingMirror];
const [count, ...names] = process.argv.slice(2);
const schedules = Number(count ?? 10_000);
if (!Number.isSafeInteger(schedules) || schedules <= 0) throw new Error(`schedules must be a positive integer, got ${count}`);
const unknown = names.filter((n) => !DRIVERS.some((d) => d.name === n));
if (unknown.length > 0) throw new Error(`unknown driver ${unknown.join(', ')} (known: ${DRIVERS.map((d) => d.name).join(', ')})`);
const drivers = names.length === 0 ? DRIVERS : DRIVERS.filter((d) => names.includes(d.name));
const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/exploration');
mkdirSync(outDir, { recursive: true });

for (const driver of drivers) {
  const rows: string[] = [];
  const started = performance.now();
  let total = 0;
  for (const spec of CONFORMANCE_SCENARIOS) {
    const { scenario, name, requires } = loadConformanceScenario(spec);
    if (missingCapability(requires, driver.capabilities) !== undefined) continue;
    if ((scenario.windows ?? []).length === 0) continue; // no race windows (the hmm-tests cases): nothing to explore for
    for (const era of driver.eras) {
      if (scenario.eras !== undefined && !scenario.eras.includes(era)) continue;
      const s = driver === dmirror ? withIntervalCallbacks(scenario) : scenario;
      const t0 = performance.now();
      const r = await explore(s, { driver, era, schedules, seed: 1 });
      total += r.schedules;
      const seconds = (performance.now() - t0) / 1000;
      const line = { scenario: name, driver: driver.name, era, schedules: r.schedules, windowHits: r.windowHits, verdict: r.verdict, failingSeed: r.failing?.seed ?? null, token: r.shrunk?.token ?? r.failing?.token ?? null, seconds: Math.round(seconds) };
      console.log(JSON.stringify(line));
      const hits = Object.entries(r.windowHits).map(([w, n]) => `${w}: ${n}`).join(', ');
      const strategy = s.schedule?.strategy === 'pct' ? 'pct' : 'random';
      rows.push(`| ${name} | ${era} | ${strategy} | ${r.schedules} | ${hits} | ${r.verdict}${r.failing === null ? '' : ` (seed ${r.failing.seed})`} |`);
    }
  }
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  const doc = `# Exploration: ${driver.name}

Recorded by \`npm run build && npm run explore:long -w @secondary-mmu/testkit -- ${schedules} ${driver.name}\`: ${schedules} schedules per scenario × era, seed 1, ${total} schedules in ${minutes} min on this machine. Each row: the schedules run, how many hit each race window, the verdict — *pass* only if no schedule failed and some schedule hit a window; a failing row names the first failing seed (its shrunk replay token is in the command's JSON output).

| scenario | era | strategy | schedules | window hits | verdict |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
  const out = path.join(outDir, `${driver.name}.md`);
  writeFileSync(out, doc);
  console.log(`wrote ${out}`);
}
