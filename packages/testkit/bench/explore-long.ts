/**
 * The long exploration budget (`npm run explore:long -w @secondary-mmu/testkit -- N`):
 * every conformance scenario explored with N schedules (default 10 000) for dmirror
 * (v6) and the classic mirror (every era), random strategy, seed 1. Prints one JSON
 * line per scenario × driver × era — schedules run, schedules that hit each window,
 * verdict, the first failing seed and token if any — and writes the table to
 * docs/exploration.md. CI runs a small capped budget in the conformance tests instead.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classicMirror, CONFORMANCE_SCENARIOS, dmirror, explore, loadConformanceScenario, withIntervalCallbacks, type DriverFactory } from '../src/index.js';

const schedules = Number(process.argv[2] ?? 10_000);
if (!Number.isSafeInteger(schedules) || schedules <= 0) throw new Error(`schedules must be a positive integer, got ${process.argv[2]}`);
const drivers: readonly DriverFactory[] = [dmirror, classicMirror];
const rows: string[] = [];
const started = performance.now();
for (const spec of CONFORMANCE_SCENARIOS) {
  const { scenario, name } = loadConformanceScenario(spec);
  for (const driver of drivers) {
    for (const era of driver.eras) {
      if (scenario.eras !== undefined && !scenario.eras.includes(era)) continue;
      const s = driver === dmirror ? withIntervalCallbacks(scenario) : scenario;
      const t0 = performance.now();
      const r = await explore(s, { driver, era, schedules, seed: 1 });
      const seconds = (performance.now() - t0) / 1000;
      const line = { scenario: name, driver: driver.name, era, schedules: r.schedules, windowHits: r.windowHits, verdict: r.verdict, failingSeed: r.failing?.seed ?? null, token: r.shrunk?.token ?? r.failing?.token ?? null, seconds: Math.round(seconds) };
      console.log(JSON.stringify(line));
      const hits = Object.entries(r.windowHits).map(([w, n]) => `${w}: ${n}`).join(', ');
      rows.push(`| ${name} | ${driver.name} | ${era} | ${r.schedules} | ${hits} | ${r.verdict}${r.failing === null ? '' : ` (seed ${r.failing.seed})`} |`);
    }
  }
}
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
const doc = `# Exploration

The long exploration budget, recorded by

\`\`\`sh
npm run build && npm run explore:long -w @secondary-mmu/testkit -- ${schedules}
\`\`\`

(${schedules} schedules per scenario × driver × era, random strategy, seed 1; ${minutes} min on this machine). Each row: the schedules run, how many hit each race window, and the verdict — *pass* only if no schedule failed and some schedule hit a window; a failing row names the first failing seed (its shrunk replay token is in the command's JSON output).

| scenario | driver | era | schedules | window hits | verdict |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/exploration.md');
writeFileSync(out, doc);
console.log(`wrote ${out}`);
