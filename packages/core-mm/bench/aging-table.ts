/**
 * The aging experiment's results table (docs/aging.md), from `agingRounds` runs.
 * Prints it; with `--write`, replaces the table between the markers in docs/aging.md.
 *
 *   npm run aging-table -w @secondary-mmu/core-mm [-- --write]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AGING_TABLE_END, AGING_TABLE_START, agingTable } from '../test/support/aging-table.js';

const table = await agingTable();
if (process.argv.includes('--write')) {
  const doc = fileURLToPath(new URL('../../../docs/aging.md', import.meta.url));
  const text = readFileSync(doc, 'utf8');
  const start = text.indexOf(AGING_TABLE_START);
  const end = text.indexOf(AGING_TABLE_END);
  if (start < 0 || end < start) throw new Error(`docs/aging.md has no ${AGING_TABLE_START} … ${AGING_TABLE_END} block`);
  writeFileSync(doc, `${text.slice(0, start + AGING_TABLE_START.length)}\n${table}\n${text.slice(end)}`);
  console.log(`wrote the table to ${doc}`);
} else {
  console.log(table);
}
