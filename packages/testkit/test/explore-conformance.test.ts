/**
 * exploreConformance: a driver's long exploration as a library call — every concurrent
 * conformance scenario it runs, per era, with the explorer's verdicts; its JSON line and
 * Markdown table; bad input refused before anything runs.
 */
import { isSmmuError } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { classicMirror } from '../src/classic-mirror/index.js';
import { explorationRowJson, explorationTable, explorationTotal, exploreConformance, type ExplorationRow } from '../src/conformance/index.js';
import { dmirror } from '../src/dmirror/index.js';
import { explore } from '../src/explore/explore.js';
import { CONFORMANCE_SCENARIOS, loadConformanceScenario } from '../src/conformance/index.js';

describe('exploreConformance', () => {
  it('explores the concurrent scenarios the driver runs, in the eras asked, as explore does', async () => {
    const seen: ExplorationRow[] = [];
    const rows = await exploreConformance(classicMirror, { schedules: 4, eras: ['v2.6.27', 'v6'], scenario: 'exit-vs-device-access', onRow: (r) => seen.push(r) });
    expect(rows.map((r) => `${r.scenario} ${r.era} ${r.strategy}`)).toEqual(['exit-vs-device-access v2.6.27 random', 'exit-vs-device-access v6 random']);
    expect(seen).toEqual(rows);
    const { scenario } = loadConformanceScenario(CONFORMANCE_SCENARIOS.find((s) => s.name === 'exit-vs-device-access')!);
    const direct = await explore(scenario, { driver: classicMirror, era: 'v6', schedules: 4, seed: 1 });
    expect(rows[1]!.summary.windowHits).toEqual(direct.windowHits);
    expect(rows[1]!.summary.verdict).toBe(direct.verdict);
    expect(explorationTotal(rows)).toBe(8);
    const json = JSON.parse(explorationRowJson(rows[1]!)) as Record<string, unknown>;
    expect(json).toMatchObject({ scenario: 'exit-vs-device-access', driver: 'classic-mirror', era: 'v6', schedules: 4, verdict: direct.verdict, failingSeed: null, token: null });
  });

  it('skips what the driver cannot run: scenarios without race windows, and the eras it does not declare', async () => {
    const rows = await exploreConformance(dmirror, { schedules: 1 });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.era === 'v6' && !r.scenario.startsWith('hmm-'))).toBe(true);
  });

  it('writes a Markdown table, with a label column when asked', async () => {
    const rows = await exploreConformance(classicMirror, { schedules: 2, eras: ['v6'], scenario: 'fork-cow-vs-device-write' });
    const table = explorationTable(rows).split('\n');
    expect(table[0]).toBe('| scenario | era | strategy | schedules | window hits | verdict |');
    expect(table[2]).toMatch(/^\| fork-cow-vs-device-write \| v6 \| (random|pct) \| 2 \| .* \| (pass|inconclusive) \|$/);
    expect(explorationTable(rows, { title: 'mode', of: () => 'plain' }).split('\n')[2]).toMatch(/^\| plain \| fork-cow-vs-device-write \|/);
  });

  it('refuses bad input, naming it, before anything runs', async () => {
    const code = async (f: () => Promise<unknown>): Promise<string> => f().then(() => 'ok', (e: unknown) => (isSmmuError(e, 'EINVAL') ? (e as unknown as { problem: string }).problem : String(e)));
    expect(await code(() => exploreConformance(classicMirror, { schedules: 0 }))).toBe('bad-count');
    expect(await code(() => exploreConformance(dmirror, { eras: ['v2.6.27'] }))).toBe('unknown-era');
    expect(await code(() => exploreConformance(classicMirror, { workers: 2 }))).toBe('bad-driver-reference');
    expect(await code(() => exploreConformance({} as never))).toBe('not-a-driver');
  });
});
