import { replay } from '@secondary-mmu/testkit';
import { checkKillMatrixVariant, killMatrixScenario, type KillMatrixVariant } from '@secondary-mmu/testkit/kill-matrix';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { GRU_VARIANTS, type GruVariant } from '../src/variants/index.js';

describe('the GRU variants: the testkit catches each injected bug', () => {
  it('each is a KillMatrixVariant (structurally)', () => {
    expectTypeOf<GruVariant>().toExtend<KillMatrixVariant>();
    expect(new Set(GRU_VARIANTS.map((v) => v.name)).size).toBe(GRU_VARIANTS.length);
  });

  for (const v of GRU_VARIANTS) {
    const how = v.race ? 'a race: fifo passes, the search catches it' : 'deterministic: fifo catches it';
    it(`${v.name} (${how}) in ${v.scenario} [${v.era}] as ${v.expectedKinds.join(' | ')}; gru passes`, async () => {
      const c = await checkKillMatrixVariant(v, { seed: 1, shrinkBudget: 200 });
      expect(c.problems, `${v.name}: ${v.bug}`).toEqual([]);
      expect(c.reference.verdict).toBe('pass');
      expect(c.fifo.verdict === 'fail').toBe(!v.race);
      expect(c.caught.length).toBeGreaterThan(0);
      // The shrunk token replays: the same failure, from the token alone.
      const shrunk = c.explored.shrunk!;
      const again = await replay(killMatrixScenario(v), v.driver, shrunk.token, { era: v.era });
      expect(again.verdict).toBe('fail');
      expect(again.violations.some((x) => v.expectedKinds.includes(x.kind))).toBe(true);
      console.log(`${v.name}: caught at schedule ${c.explored.schedules}, preemptions ${c.explored.failing!.preemptions} -> ${shrunk.preemptions}; kinds ${c.caught.join(', ')}`);
    });
  }
});
