// The explorer's worker threads are kept between explorations (a new thread starts
// cold: imports and JIT), never hold the process open, and are released on request;
// the heap tuning programs call is idempotent. Worker threads run the built package.
import { spawnSync } from 'node:child_process';
import { closeExplorerThreads, EXPLORATION_V8_FLAGS, explore, loadScenario, SCENARIO_CATALOGUE, tuneHeapForExploration, type DriverReference } from '@secondary-mmu/testkit';
import { describe, expect, it } from 'vitest';

const classic: DriverReference = { module: '@secondary-mmu/testkit', export: 'classicMirror' };
const scenario = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']!, { source: 'fault-vs-munmap' });
const options = { driver: classic, era: 'v6', schedules: 12, workers: 2 } as const;

describe('worker threads kept between explorations', () => {
  it('two explorations with workers: 2 share two threads; closing releases them, and the next starts anew', async () => {
    await closeExplorerThreads();
    await explore(scenario, { ...options, seed: 1 });
    await explore(scenario, { ...options, seed: 2 });
    expect(await closeExplorerThreads()).toBe(2);
    expect(await closeExplorerThreads()).toBe(0);
    const again = await explore(scenario, { ...options, seed: 1 });
    expect(again.schedules).toBe(12);
    expect(await closeExplorerThreads()).toBe(2);
  });

  it('a program that explores with workers exits by itself when done', () => {
    const program = [
      "const { explore, loadScenario, SCENARIO_CATALOGUE } = await import('@secondary-mmu/testkit');",
      "const s = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']);",
      "const r = await explore(s, { driver: { module: '@secondary-mmu/testkit', export: 'classicMirror' }, era: 'v6', schedules: 8, workers: 2 });",
      'console.log(r.verdict);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', program], { cwd: import.meta.dirname, encoding: 'utf8', timeout: 60_000 });
    expect(r.error, 'still running after 60 s: a kept thread holds the process').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^(pass|inconclusive)$/);
  });
});

describe('tuneHeapForExploration', () => {
  it('sets the documented flags, once (a second call does nothing)', () => {
    expect(EXPLORATION_V8_FLAGS).toEqual(['--no-allocation-site-pretenuring']);
    expect(Object.isFrozen(EXPLORATION_V8_FLAGS)).toBe(true);
    expect(() => {
      tuneHeapForExploration();
      tuneHeapForExploration();
    }).not.toThrow();
  });
});
