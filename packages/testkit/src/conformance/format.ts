import { formatDeviceLatency } from '../scenario/device-latency.js';
import type { ConformanceCase, ConformanceReport } from './report.js';

const hits = (h: Readonly<Record<string, number>>): string =>
  Object.keys(h).length === 0 ? 'no windows' : Object.entries(h).map(([k, v]) => `${k}=${v}`).join(', ');

/** Reasons shown per case; the rest are counted. */
const MAX_REASONS = 12;

/**
 * One case as text: `scenario [era] @ latency: status`, its window hits, then its reasons — a
 * failing seed's name its replay token (`runScenario(s, driver, { era, replay })`), and
 * its unexpected violations are among them.
 */
export function formatConformanceCase(c: ConformanceCase): string {
  const lines = [`${c.title}: ${c.status}${c.skip === undefined ? '' : ` (${c.skip.capability})`} — window hits: ${hits(c.windowHits)}`];
  for (const r of c.reasons.slice(0, MAX_REASONS)) lines.push(`  ${r}`);
  if (c.reasons.length > MAX_REASONS) lines.push(`  … and ${c.reasons.length - MAX_REASONS} more`);
  return lines.join('\n');
}

/** A whole report as text: a summary line, then each case. */
export function formatConformanceReport(r: ConformanceReport): string {
  const head = `conformance of ${r.driver}: ${r.ok ? 'ok' : 'NOT ok'} — ${r.counts.pass} pass, ${r.counts.fail} fail, ${r.counts.inconclusive} inconclusive, ${r.counts.skipped} skipped (seeds ${r.seeds.join(', ')}; device latencies ${r.latencies.map(formatDeviceLatency).join(', ')})`;
  return [head, ...r.cases.map(formatConformanceCase)].join('\n');
}
