import { checkKillMatrixVariant, type KillMatrixVariant } from '@secondary-mmu/testkit/kill-matrix';
import { describe, expect, it } from 'vitest';
import { KVM_SPTE_VARIANTS } from '../src/variants/index.js';

describe('kvm-spte variants: one injected bug each, caught by the testkit', () => {
  for (const v of KVM_SPTE_VARIANTS) {
    it(`${v.name}: fifo passes, the search catches it as ${v.expectedKinds.join(' | ')} within ${v.schedules} schedules, the shrunk token replays; kvm-spte passes`, async () => {
      const variant: KillMatrixVariant = v;
      const c = await checkKillMatrixVariant(variant, { seed: 1, shrinkBudget: 40 });
      expect(c.problems, `${v.name}: ${v.bug}`).toEqual([]);
      expect(c.fifo.verdict).toBe('pass');
      expect(c.explored.verdict).toBe('fail');
      expect(c.caught.length).toBeGreaterThan(0);
      expect(c.replayed?.token).toBe(c.explored.shrunk?.token);
      expect(c.replayed?.verdict).toBe('fail');
      expect(c.reference.verdict).toBe('pass');
    });
  }
});
