import { ERAS } from '@secondary-mmu/core-mm';
import { loadScenario, runScenario, setup } from '@secondary-mmu/testkit';
import { describe, expect, it } from 'vitest';
import { gru } from '../src/index.js';

/**
 * A device-hot page lost to reclaim, as a scenario: the engine keeps reading buf[0]
 * through its TLB, then kswapd reclaims it (`page_referenced`, then `shrink_page`), then
 * the engine reads it again. The GRU has no aging callback and its TLB hits set no
 * accessed bit, so reclaim frees a page the device was using — a device-hot eviction as
 * mmu-notifier's trace defines it — and the next access refaults the swapped-out data.
 */
const HOT_PAGE_VS_RECLAIM = `name: gru-hot-page-vs-reclaim
description: the engine keeps reading buf[0] from its TLB while kswapd reclaims it
schedule:
  strategy: fifo
${setup({ processes: ['app', 'kswapd'], mappings: [{ name: 'buf', pages: 1, fill: 70 }] })}
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 70 }
      - { op: device-read, at: "buf[0]", expect: 70 }
      - { op: device-read, at: "buf[0]", expect: 70 }
      - { op: device-read, at: "buf[0]", expect: 70, after: reclaimed }
  - name: kswapd
    process: kswapd
    steps:
      - { op: reclaim, label: reclaimed, at: "buf[0]", passes: 1, after: engine.2 }
`;

describe('no aging, from a scenario run: reclaim takes the page the GRU keeps hitting', () => {
  for (const era of ERAS) {
    it(`${era}: one device-hot eviction after three device reads (a dropin, then two TLB hits); the refault reads the data back; no violation`, async () => {
      const r = await runScenario(loadScenario(HOT_PAGE_VS_RECLAIM), gru, { era });
      expect(r.violations).toEqual([]);
      expect(r.verdict).toBe('pass');
      const evictions = r.trace.deviceHotEvictions();
      expect(evictions).toHaveLength(1);
      expect(evictions[0]!.accesses).toHaveLength(3);
    });
  }
});
