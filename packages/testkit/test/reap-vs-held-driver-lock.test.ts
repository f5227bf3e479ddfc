/**
 * The OOM reaper's non-blockable unmap finding the driver lock held: reachable only
 * with the `held` preemption class (a device access switched out inside its critical
 * section). The reference drivers pass; a dmirror that answers success when its
 * trylock fails (kill-matrix `trylock-fails`) is caught, with a shrunk token that
 * replays — and never under fifo, whose schedules have no such window.
 */
import { describe, expect, it } from 'vitest';
import { classicMirror } from '../src/classic-mirror/index.js';
import type { DriverFactory } from '../src/contract.js';
import { dmirror } from '../src/dmirror/index.js';
import { explore, replay } from '../src/explore/index.js';
import { killMatrixScenario } from '../src/kill-matrix/index.js';
import { TRYLOCK_FAILS } from '../src/kill-matrix/variants/trylock-fails.js';
import { loadScenario, runScenario, SCENARIO_CATALOGUE, type Scenario } from '../src/scenario/index.js';

const scenario = loadScenario(SCENARIO_CATALOGUE['reap-vs-held-driver-lock']!, { source: 'reap-vs-held-driver-lock' });
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const kinds = (vs: readonly { kind: string }[]): string[] => [...new Set(vs.map((x) => x.kind))];

/** The scenario with other preemption classes. */
const preempting = (preempt: ('held' | 'yield' | 'device' | 'lock' | 'spin')[]): Scenario => ({ ...scenario, schedule: { strategy: 'random', preempt } });

/** Per window, on how many of SEEDS it was hit; and every run's violations. */
async function sweep(s: Scenario, driver: DriverFactory, strategy: 'random' | 'fifo'): Promise<{ hits: Record<string, number>; violations: string[] }> {
  const hits: Record<string, number> = {};
  const violations: string[] = [];
  for (const seed of SEEDS) {
    const r = await runScenario(s, driver, { era: 'v6', seed, strategy });
    for (const [w, n] of Object.entries(r.windowHits)) if (n > 0) hits[w] = (hits[w] ?? 0) + 1;
    violations.push(...r.violations.map((v) => `${v.kind}: ${v.message}`), ...r.reasons.filter((x) => !x.startsWith('no window')));
  }
  return { hits, violations };
}

describe('reap-vs-held-driver-lock', () => {
  it('dmirror answers false when its trylock fails: the window is hit, nothing is reported', async () => {
    const r = await sweep(scenario, dmirror, 'random');
    expect(r.violations).toEqual([]);
    expect(r.hits['reap-finds-lock-held'] ?? 0).toBeGreaterThan(0);
  });

  it('the classic mirror spins on mmu_lock: nothing is reported', async () => {
    const r = await sweep(scenario, classicMirror, 'random');
    expect(r.violations).toEqual([]);
    expect(r.hits['access-then-reap'] ?? 0).toBeGreaterThan(0);
  });

  it('fifo hits no window, and without `held` the trylock never fails', async () => {
    for (const driver of [dmirror, classicMirror]) expect((await sweep(scenario, driver, 'fifo')).hits).toEqual({});
    const without = await sweep(preempting(['yield', 'lock', 'spin']), dmirror, 'random');
    expect(without.violations).toEqual([]);
    expect(without.hits['reap-finds-lock-held'] ?? 0).toBe(0);
  });
});

describe('kill matrix: trylock-fails', () => {
  const v = TRYLOCK_FAILS;

  it('is caught by the search, with a shrunk token that replays', async () => {
    const r = await explore(killMatrixScenario(v), { driver: v.driver, era: v.era, schedules: v.schedules, seed: 1, shrinkBudget: 40 });
    expect(r.verdict).toBe('fail');
    const found = kinds(r.failing!.violations);
    expect(found.some((k) => v.expectedKinds.includes(k)), found.join(', ')).toBe(true);
    expect(r.shrunk!.preemptions).toBeLessThanOrEqual(r.failing!.preemptions);
    const again = kinds((await replay(r.scenario, v.driver, r.shrunk!.token, { era: v.era })).violations);
    expect(again.some((k) => v.expectedKinds.includes(k)), again.join(', ')).toBe(true);
  });

  it('is not caught under fifo, nor without `held`', async () => {
    const fifo = await runScenario(killMatrixScenario(v), v.driver, { era: v.era, seed: 1, strategy: 'fifo' });
    expect(fifo.violations).toEqual([]);
    expect(fifo.verdict).not.toBe('fail');
    const r = await explore(preempting(['yield', 'lock', 'spin']), { driver: v.driver, era: v.era, schedules: v.schedules, seed: 1 });
    expect(r.failing?.violations ?? []).toEqual([]);
  });
});
