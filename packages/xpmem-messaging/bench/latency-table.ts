/**
 * The invalidation latency table:
 *
 *   npm run latency:docs -w @secondary-mmu/xpmem-messaging
 *
 * One munmap of a page that 1, 2, 4 and 8 importers map, recalled serially and by
 * multicast, in virtual time: with the default fabric (1 µs one way, no jitter), and
 * with 500 ns of jitter (mean and maximum over seeds 1–20). Writes the tables between
 * the markers of docs/drivers/xpmem-messaging.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureRecall } from './recall-latency.js';

const COUNTS = [1, 2, 4, 8];
const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
const us = (ns: number): string => `${(ns / 1000).toFixed(2)} µs`;

const rows: string[] = [];
for (const n of COUNTS) {
  const cells: string[] = [];
  for (const order of ['serial', 'multicast'] as const) {
    const plain = await measureRecall(order, n);
    if (plain.violations > 0) throw new Error(`${order} × ${n}: ${plain.violations} violation(s)`);
    const jittered = await Promise.all(SEEDS.map((seed) => measureRecall(order, n, { jitterNs: 500 }, seed)));
    const costs = jittered.map((c) => c.recallNs);
    cells.push(us(plain.recallNs), `${us(costs.reduce((s, c) => s + c, 0) / costs.length)} / ${us(Math.max(...costs))}`);
  }
  rows.push(`| ${n} | ${cells.join(' | ')} |`);
  console.log(rows.at(-1));
}
const table = `| importers | serial | serial, jitter 500 ns (mean / max) | multicast | multicast, jitter 500 ns (mean / max) |
|---|---|---|---|---|
${rows.join('\n')}`;

const doc = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/drivers/xpmem-messaging.md');
const text = readFileSync(doc, 'utf8');
const begin = '<!-- latency-table:begin -->';
const end = '<!-- latency-table:end -->';
const i = text.indexOf(begin);
const j = text.indexOf(end);
if (i < 0 || j < i) throw new Error(`${doc}: the markers ${begin} … ${end} are missing`);
writeFileSync(doc, `${text.slice(0, i + begin.length)}\n${table}\n${text.slice(j)}`);
console.log(`wrote ${doc}`);
