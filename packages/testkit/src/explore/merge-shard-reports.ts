import { failFor } from '../arguments.js';
import { show } from '../show.js';
import type { ExploreSummary } from './explore-summary.js';
import { EXPLORE_SHARD_FORMAT, type ExploreShardReport } from './shard-report.js';

/** The fields every shard of one exploration must agree on. */
const SHARED = ['driver', 'era', 'strategy', 'seed', 'schedules', 'deviceLatency', 'shrinkBudget', 'scenario'] as const;

/** Refuse reports that are not all the shards of one exploration, exactly once each. */
function checkReports(fn: string, reports: unknown): readonly ExploreShardReport[] {
  const fail = failFor(fn);
  if (!Array.isArray(reports) || reports.length === 0) return fail('bad-shard', 'reports', `must be a non-empty list of shard reports, got ${show(reports)}`);
  const list = reports as ExploreShardReport[];
  list.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || r.format !== EXPLORE_SHARD_FORMAT) fail('bad-shard', `reports[${i}]`, `is not a shard report (format ${EXPLORE_SHARD_FORMAT}), got ${show(r)}`);
  });
  const first = list[0]!;
  const count = first.shard.count;
  if (list.length !== count) fail('bad-shard', 'reports', `the exploration has ${count} shards, but ${list.length} reports were given`);
  list.forEach((r, i) => {
    for (const key of SHARED) {
      if (JSON.stringify(r[key]) !== JSON.stringify(first[key])) fail('bad-shard', `reports[${i}].${key}`, `${show(r[key])} differs from reports[0].${key} ${show(first[key])}: not shards of one exploration`);
    }
    if (r.shard.count !== count) fail('bad-shard', `reports[${i}].shard.count`, `${r.shard.count} differs from reports[0].shard.count ${count}`);
    const twin = list.findIndex((o) => o.shard.index === r.shard.index);
    if (twin !== i) fail('bad-shard', `reports[${i}].shard.index`, `shard ${r.shard.index} is given twice (reports[${twin}] too)`);
  });
  return list;
}

/**
 * Combine the reports of every shard of one exploration into what the unsharded,
 * serial `explore` finds (as an {@link ExploreSummary}): the lowest failing schedule
 * over all shards, with its shrunk token; `schedules` up to and including it; window
 * hits counted only over schedules up to it. Reports may come in any order; they must
 * be all `count` shards of one exploration (same scenario, driver, era, strategy, seed,
 * budget), each once — otherwise a `TestkitArgumentError` (`EINVAL`, `bad-shard`).
 * Kernel counterpart: none (model machinery: the merge step of a CI matrix).
 */
export function mergeShardReports(reports: readonly ExploreShardReport[]): ExploreSummary {
  const list = checkReports('mergeShardReports', reports);
  const first = list[0]!;
  // Every shard ran all of its schedules below its own first failure, so every schedule
  // up to the lowest failure over all shards ran somewhere.
  const failed = list.filter((r) => r.failing !== null).sort((a, b) => a.failing!.index - b.failing!.index)[0];
  const last = failed === undefined ? first.schedules - 1 : failed.failing!.index;
  const windowHits: Record<string, number> = {};
  for (const w of Object.keys(first.windowHits)) windowHits[w] = list.reduce((n, r) => n + (r.windowHits[w] ?? []).filter((i) => i <= last).length, 0);
  if (failed !== undefined) {
    return { schedules: last + 1, windowHits, verdict: 'fail', failing: failed.failing, shrunk: failed.shrunk, scenario: first.scenario };
  }
  const names = Object.keys(windowHits);
  const passed = list.reduce((n, r) => n + r.passed, 0);
  const verdict = (names.length > 0 ? names.some((w) => windowHits[w]! > 0) : passed > 0) ? 'pass' : 'inconclusive';
  return { schedules: first.schedules, windowHits, verdict, failing: null, shrunk: null, scenario: first.scenario };
}
