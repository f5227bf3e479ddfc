import { decodeReplayToken, type Era } from '@secondary-mmu/core-mm';
import { CONFORMANCE_SCENARIOS, explore, loadConformanceScenario, replay } from '@secondary-mmu/testkit';
import { describe, expect, it } from 'vitest';
import { gru } from '../src/index.js';
import { GRU_KERNEL_RELEASE } from '../src/variants/index.js';

/**
 * The finding of docs/drivers/gru.md ("release: a finding"): the kernel's own `release`
 * (2.6.27–5.3: `ms_released` only; 5.4+: none) in `exit-vs-device-access`, per era. Each
 * finding is the one the explorer finds with seed 1 (at its first schedule, shrunk to no
 * preemption); the doc records its token. A token names the model it was recorded on,
 * so the test pins the schedule (seed, and the choices as pairs of pick and number of
 * runnable tasks), not the token text: the doc's
 * tokens are regenerated when the model changes. `gru`, which unloads its contexts in
 * `release`, passes the same schedule.
 */
const FINDINGS: readonly { era: Era; seed: number; choices: number[]; kinds: string[] }[] = [
  {
    era: 'rfc-2008',
    seed: 3849843626,
    choices: [0, 2, 1, 2, 1, 2, 1, 2],
    kinds: ['leak', 'use-after-free'],
  },
  {
    era: 'v2.6.27',
    seed: 3849843626,
    choices: [0, 2, 1, 2, 1, 2, 1, 2],
    kinds: ['leak', 'use-after-free'],
  },
  {
    era: 'v6',
    seed: 3849843626,
    choices: [0, 2, 1, 2, 1, 2, 1, 2],
    kinds: ['use-after-free'], // no release at all: nothing to leak "after release"
  },
];

const { scenario } = loadConformanceScenario(CONFORMANCE_SCENARIOS.find((s) => s.name === 'exit-vs-device-access')!);

describe("exit with the kernel's GRU release, per era: the recorded finding replays; gru passes the same schedule", () => {
  for (const f of FINDINGS) {
    it(`${f.era}: ${f.kinds.join(' + ')}`, async () => {
      const found = await explore(scenario, { driver: GRU_KERNEL_RELEASE.driver, era: f.era, schedules: 5, seed: 1, shrinkBudget: 50 });
      expect(found.verdict).toBe('fail');
      expect(found.shrunk?.preemptions).toBe(0);
      const token = found.shrunk!.token;
      const record = decodeReplayToken(token);
      expect([record.seed, [...record.choices]]).toEqual([f.seed, f.choices]);
      const bad = await replay(scenario, GRU_KERNEL_RELEASE.driver, token, { era: f.era });
      expect(bad.verdict).toBe('fail');
      expect([...new Set(bad.violations.map((v) => v.kind))].sort()).toEqual(f.kinds);
      const good = await replay(scenario, gru, token, { era: f.era });
      expect(good.violations).toEqual([]);
      expect(good.verdict).toBe('pass');
    });
  }
});
