import { describe, expect, it } from 'vitest';
import { classicMirror } from '../src/classic-mirror/index.js';
import type { DriverFactory } from '../src/contract.js';
import { loadScenario, runScenario, SCENARIO_CATALOGUE } from '../src/scenario/index.js';

/** The classic mirror, but its attach gives a free frame a reference: the model is corrupt. */
const corrupting: DriverFactory = {
  ...classicMirror,
  name: 'corrupting-mirror',
  attach(task, machine, mm) {
    const frames = machine.mem.frames;
    frames.refcount[frames.count - 1]! += 1;
    return classicMirror.attach(task, machine, mm);
  },
};

describe('runScenario verifies the model after the run', () => {
  const scenario = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']!);

  it('by default: a driver that corrupts the model fails with an invariant violation', async () => {
    const r = await runScenario(scenario, corrupting, { era: 'v6', seed: 1 });
    expect(r.verdict).toBe('fail');
    expect(r.violations.map((v) => v.kind)).toContain('invariant');
  });

  it('with verify: false (a sampled throughput run) the same run is not checked', async () => {
    const r = await runScenario(scenario, corrupting, { era: 'v6', seed: 1, verify: false });
    expect(r.violations.map((v) => v.kind)).not.toContain('invariant');
  });

  it('a correct driver passes either way', async () => {
    for (const verify of [true, false]) expect((await runScenario(scenario, classicMirror, { era: 'v6', seed: 1, verify })).violations).toEqual([]);
  });
});
