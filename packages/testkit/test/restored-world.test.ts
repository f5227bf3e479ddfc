import { copyGraph, GraphCopyError, isSmmuError, Machine } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { classicMirror } from '../src/classic-mirror/index.js';
import type { DriverFactory } from '../src/contract.js';
import { dmirror } from '../src/dmirror/index.js';
import { odpMirror } from '../src/odp/index.js';
import { explore, summarizeExploreResult } from '../src/explore/index.js';
import { loadScenario, runScenario, type ScenarioResult } from '../src/scenario/index.js';
import { COPY_FROM_PAGES } from '../src/scenario/world-template.js';
import { SCENARIO_REGISTRY, setup } from '../src/scenarios/index.js';
import { svaMirror } from '../src/sva/index.js';
import { lazyMirror } from './support/lazy-mirror.js';
import { thrown } from './support/thrown.js';

// Four correct reference drivers of different classes, and a broken one (its runs fail).
const DRIVERS: readonly DriverFactory[] = [classicMirror, dmirror, odpMirror, svaMirror, lazyMirror];
const SEEDS = [1, 2, 3, 4, 5];

/** Everything a run gives a user, as text: verdict, reasons, violations, window hits, token and trace. */
function observed(r: ScenarioResult): string {
  return JSON.stringify({ verdict: r.verdict, reasons: r.reasons, violations: r.violations, windowHits: r.windowHits, token: r.token, trace: r.trace.toJSON() });
}

describe('a run on a copied world is byte-identical to one on a freshly built world', () => {
  for (const entry of SCENARIO_REGISTRY) {
    it(`${entry.name}: every era, five drivers, five seeds`, async () => {
      const scenario = loadScenario(entry.yaml);
      let compared = 0;
      for (const era of entry.eras) {
        for (const driver of DRIVERS.filter((d) => d.eras.includes(era))) {
          for (const seed of SEEDS) {
            const options = { era, seed, strategy: 'random' as const };
            // Copies first: the first copy's template is built, then copied; the later ones only copy.
            const copied = observed(await runScenario(scenario, driver, { ...options, world: 'copy' }));
            const built = observed(await runScenario(scenario, driver, { ...options, world: 'build' }));
            expect(copied, `${era} ${driver.name} seed ${seed}`).toBe(built);
            compared++;
          }
        }
      }
      expect(compared).toBeGreaterThan(0);
    });
  }
});

describe('copies stay apart', () => {
  const scenario = loadScenario(SCENARIO_REGISTRY.find((e) => e.name === 'fault-vs-munmap')!.yaml);

  it('each run gets its own machine, and a run leaves the next copy as built', async () => {
    const first = await runScenario(scenario, classicMirror, { era: 'v6', seed: 7, strategy: 'random', world: 'copy' });
    const second = await runScenario(scenario, classicMirror, { era: 'v6', seed: 7, strategy: 'random', world: 'copy' });
    expect(second.machine).not.toBe(first.machine);
    expect(second.trace).not.toBe(first.trace);
    expect(observed(second)).toBe(observed(first));
  });

  it('a copy runs its own seed: seeds that schedule differently when built do so when copied', async () => {
    const tokens = async (world: 'copy' | 'build'): Promise<string[]> => {
      const out: string[] = [];
      for (const seed of [11, 12, 13, 14]) out.push((await runScenario(scenario, classicMirror, { era: 'v6', seed, strategy: 'random', world })).token);
      return out;
    };
    const copied = await tokens('copy');
    expect(new Set(copied).size).toBeGreaterThan(1);
    expect(copied).toEqual(await tokens('build'));
  });

  it('a replayed run replays on either source', async () => {
    const recorded = await runScenario(scenario, classicMirror, { era: 'v6', seed: 3, strategy: 'random', world: 'copy' });
    const replayed = await runScenario(scenario, classicMirror, { era: 'v6', replay: recorded.token, world: 'copy' });
    expect(observed(replayed)).toBe(observed(recorded));
  });
});

describe('auto copies a large set-up and builds a small one', () => {
  const big = loadScenario(`name: big-setup
${setup({ mappings: [{ name: 'buf', pages: COPY_FROM_PAGES, fill: 100 }] })}
tasks:
  - name: cpu
    process: app
    steps:
      - { op: munmap, at: "buf[0]", pages: ${COPY_FROM_PAGES} }
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[${COPY_FROM_PAGES - 1}]", allow: [EFAULT] }
`);

  it(`a set-up of ${COPY_FROM_PAGES} filled pages runs the same on auto, copy and build`, async () => {
    for (const seed of SEEDS) {
      const options = { era: 'v6' as const, seed, strategy: 'random' as const };
      const auto = observed(await runScenario(big, classicMirror, options));
      expect(auto).toBe(observed(await runScenario(big, classicMirror, { ...options, world: 'build' })));
      expect(auto).toBe(observed(await runScenario(big, classicMirror, { ...options, world: 'copy' })));
    }
  });
});

describe('explore on copies', () => {
  const scenario = loadScenario(SCENARIO_REGISTRY.find((e) => e.name === 'fault-vs-munmap')!.yaml);

  it('a passing and a failing exploration (found, counted and shrunk) are the same on copies as on builds', async () => {
    for (const [driver, verdict] of [[classicMirror, 'pass'], [lazyMirror, 'fail']] as const) {
      const options = { driver, era: 'v6' as const, schedules: 60, seed: 5 };
      const copied = summarizeExploreResult(await explore(scenario, { ...options, world: 'copy' }));
      expect(copied.verdict).toBe(verdict);
      expect(copied).toEqual(summarizeExploreResult(await explore(scenario, { ...options, world: 'build' })));
    }
  });

  it('an unknown world source is refused by explore too', async () => {
    const e = await thrown(() => explore(scenario, { driver: classicMirror, era: 'v6', schedules: 1, world: 'fresh' as never }));
    expect((e as { problem: string }).problem).toBe('bad-world');
  });
});

describe('bad world sources and set-ups that cannot be copied', () => {
  const scenario = loadScenario(SCENARIO_REGISTRY[0]!.yaml);

  it('an unknown source is refused before anything is built, naming it', async () => {
    const e = await thrown(() => runScenario(scenario, classicMirror, { era: 'v6', world: 'clone' as never }));
    expect(isSmmuError(e, 'EINVAL')).toBe(true);
    expect((e as { problem: string }).problem).toBe('bad-world');
    expect((e as Error).message).toContain('"clone"');
  });

  it('a closure made without closureOver cannot be copied: the error says where it is', async () => {
    const machine = new Machine({ era: 'v6' });
    machine.mem.observers.subscribe(() => {});
    const e = await thrown(() => copyGraph({ machine }));
    expect(e).toBeInstanceOf(GraphCopyError);
    expect((e as GraphCopyError).path).toBe('root.machine.memory.allocator.observers.listeners[0]');
  });
});
