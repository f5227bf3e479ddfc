/**
 * The XPMEM driver's long exploration:
 *
 *   npm run explore:long -w @secondary-mmu/xpmem-messaging -- N [era]
 *
 * Every concurrent conformance scenario (one with race windows) the driver runs in
 * `era` (default `v6`), explored with N schedules (default 2000), seed 1, the
 * scenario's own strategy (the testkit's `exploreConformance`) — except, in `v6`, those
 * whose window the owner's pins keep shut by design and, in `rfc-2008`, the file
 * scenarios (anonymous exports only). Prints one JSON line per scenario and writes the
 * table to docs/exploration/xpmem-messaging.md. CI runs the conformance suite's few
 * seeds instead.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Era } from '@secondary-mmu/core-mm';
import { explorationRowJson, explorationTable, explorationTotal, exploreConformance, tuneHeapForExploration } from '@secondary-mmu/testkit';
import { xpmem } from '../src/index.js';

// Explorations allocate a machine per schedule: see tuneHeapForExploration.
tuneHeapForExploration();

const PINNED = ['access-vs-reclaim', 'release-vs-unregister', 'cow-vs-shared-tlb'];
const FILE = ['writeback-vs-device-write', 'hmm-file-read-write'];

const [count, eraArg] = process.argv.slice(2);
const schedules = Number(count ?? 2000);
const era = (eraArg ?? 'v6') as Era;
const started = performance.now();
const rows = await exploreConformance(xpmem, {
  schedules,
  eras: [era],
  skip: (name) => (era === 'v6' && PINNED.includes(name)) || (era === 'rfc-2008' && FILE.includes(name)),
  onRow: (row) => console.log(explorationRowJson(row)),
});
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
const doc = `# Exploration: xpmem-messaging

Recorded by \`npm run build && npm run explore:long -w @secondary-mmu/xpmem-messaging -- ${schedules} ${era}\`: ${schedules} schedules per scenario, era ${era}, seed 1, ${explorationTotal(rows)} schedules in ${minutes} min on this machine (shared with other work). Each row: the schedules run, how many hit each race window, the verdict — *pass* only if no schedule failed and some schedule hit a window; a failing row names the first failing seed (its shrunk replay token is in the command's JSON output).

Not explored: ${era === 'v6' ? `\`${PINNED.join('`, `')}\`, whose windows the owner's pins keep shut in v6 (reclaim keeps a pinned page; \`fork\` copies it for the child)` : `\`${FILE.join('`, `')}\`: rfc-2008 exports anonymous memory only`}; see docs/drivers/xpmem-messaging.md.

${explorationTable(rows)}
`;
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/exploration/xpmem-messaging.md');
writeFileSync(out, doc);
console.log(`wrote ${out}`);
