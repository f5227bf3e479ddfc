import { checkKillMatrixVariant, type KillMatrixVariant } from '@secondary-mmu/testkit/kill-matrix';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KVM_SPTE_VARIANTS, type KvmSpteVariant } from '../src/variants/index.js';

describe('kvm-spte variants: one injected bug each, caught by the testkit', () => {
  for (const v of KVM_SPTE_VARIANTS) {
    const how = v.race ? 'a race: fifo does not catch it, the search does' : 'deterministic: fifo catches it';
    it(`${v.name} (${how}) as ${v.expectedKinds.join(' | ')} within ${v.schedules} schedules, the shrunk token replays; ${v.reference.name} passes`, async () => {
      const variant: KillMatrixVariant = v;
      const c = await checkKillMatrixVariant(variant, { seed: 1, shrinkBudget: 40 });
      expect(c.problems, `${v.name}: ${v.bug}`).toEqual([]);
      expect(c.fifo.verdict === 'fail').toBe(!v.race);
      expect(c.explored.verdict).toBe('fail');
      expect(c.caught.length).toBeGreaterThan(0);
      expect(c.replayed?.token).toBe(c.explored.shrunk?.token);
      expect(c.replayed?.verdict).toBe('fail');
      expect(c.reference.verdict).toBe('pass');
      console.log(`${v.name}: caught at schedule ${c.explored.schedules} as ${c.caught.join(', ')}; ${c.explored.failing!.preemptions} -> ${c.explored.shrunk!.preemptions} preemptions; token ${c.explored.shrunk!.token}`);
    });
  }

  it('every variant file is in the list, each named as its file and its driver', async () => {
    const files = readdirSync(new URL('../src/variants/', import.meta.url)).filter((f) => f.endsWith('.ts') && !['index.ts', 'variant.ts'].includes(f));
    expect(files).toHaveLength(KVM_SPTE_VARIANTS.length);
    for (const f of files) {
      const exported = Object.values((await import(`../src/variants/${f}`)) as Record<string, KvmSpteVariant>);
      expect(exported, f).toHaveLength(1);
      expect(KVM_SPTE_VARIANTS, f).toContain(exported[0]);
      expect(`kvm-spte-${f.replace(/\.ts$/, '')}`).toBe(exported[0]!.name);
      expect(exported[0]!.driver.name).toBe(exported[0]!.name);
    }
  });
});
