/**
 * One coherence oracle per machine, whichever copy of the package asks: the oracle and
 * the devices it judges hang off the machine under a fixed key, so the copy under test
 * and the built package (another module instance) see the same oracle and devices.
 */
import { Machine } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { coherenceOracle, DeviceMmu } from '../src/index.js';

const built: typeof import('@secondary-mmu/mmu-notifier') = await import('@secondary-mmu/mmu-notifier');

describe('the coherence oracle of a machine', () => {
  it('is the same for this copy of the package and the built one', () => {
    const m = new Machine({ era: 'v6' });
    expect(built.coherenceOracle).not.toBe(coherenceOracle);
    const here = new DeviceMmu(m, { name: 'here', driverClass: 'no-references' });
    const there = new built.DeviceMmu(m, { name: 'there', driverClass: 'holds-references' });
    expect(built.coherenceOracle(m)).toBe(coherenceOracle(m));
    expect(coherenceOracle(m).devices.map((d) => d.name)).toEqual(['here', 'there']);
    expect(built.coherenceOracle(m).devices).toEqual([here, there]);
  });
});
