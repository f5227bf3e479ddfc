/**
 * The GRU's long exploration:
 *
 *   npm run explore:long -w @secondary-mmu/gru -- N
 *
 * Every concurrent conformance scenario (one with race windows) the GRU runs (by its
 * capabilities), explored with N schedules (default 2000) in each era, seed 1, the
 * scenario's own strategy (the testkit's `exploreConformance`). Prints one JSON line per
 * scenario × era (schedules, window hits, verdict, first failing seed and shrunk token)
 * and writes the table to docs/exploration/gru.md. CI runs the conformance suite's few
 * seeds instead.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { explorationRowJson, explorationTable, explorationTotal, exploreConformance, tuneHeapForExploration } from '@secondary-mmu/testkit';
import { gru } from '../src/index.js';

// Explorations allocate a machine per schedule: see tuneHeapForExploration.
tuneHeapForExploration();

const [count] = process.argv.slice(2);
const schedules = Number(count ?? 2000);
const started = performance.now();
const rows = await exploreConformance(gru, { schedules, onRow: (row) => console.log(explorationRowJson(row)) });
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
const doc = `# Exploration: gru

Recorded by \`npm run build && npm run explore:long -w @secondary-mmu/gru -- ${schedules}\`: ${schedules} schedules per scenario × era, seed 1, ${explorationTotal(rows)} schedules in ${minutes} min on this machine (shared with other work). Each row: the schedules run, how many hit each race window, the verdict — *pass* only if no schedule failed and some schedule hit a window; a failing row names the first failing seed (its shrunk replay token is in the command's JSON output).

${explorationTable(rows)}
`;
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/exploration/gru.md');
writeFileSync(out, doc);
console.log(`wrote ${out}`);
