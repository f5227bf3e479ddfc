import { explore, loadScenario, MREMAP_VS_DEVICE_ACCESS } from '@secondary-mmu/testkit';
import { describe, expect, it } from 'vitest';
import { gru } from '../src/index.js';

describe('mremap in the 2008 eras against a range start that suspends', () => {
  // The GRU's start spins on ms_asid_lock, a preemption point: core-mm's per-extent move
  // once ran its body with the loop's advanced addresses then, moved nothing, and the
  // unmap of the old range freed the pages (spare[1] read 0, not 61, at schedule 69).
  for (const era of ['rfc-2008', 'v2.6.27'] as const) {
    it(`${era}: 80 explored schedules of mremap-vs-device-access pass`, async () => {
      const s = loadScenario(MREMAP_VS_DEVICE_ACCESS);
      const r = await explore(s, { driver: gru, era, schedules: 80 });
      expect(r.failing?.reasons ?? []).toEqual([]);
      expect(r.verdict).toBe('pass');
    });
  }
});
