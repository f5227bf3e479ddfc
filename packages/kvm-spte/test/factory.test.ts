import { ERAS } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { createKvmSpte, eraRefs, kvmSpte, kvmSpteForEra, kvmSpteHoldingRefs } from '../src/index.js';
import { attach, code, rig } from './support/rig.js';

const CAPS = { implementsAging: true, mayBlock: false, mayFailStart: false, sharesCpuPageTable: false };

describe('kvm-spte factories: one per page-reference mode, each declaring what holds in every era it declares', () => {
  it('kvmSpte is KVM today: no page references, v6 only', () => {
    expect(kvmSpte.name).toBe('kvm-spte');
    expect([...kvmSpte.eras]).toEqual(['v6']);
    expect(kvmSpte.capabilities).toEqual({ holdsPageRefs: false, ...CAPS });
    const made = createKvmSpte();
    expect([made.name, made.capabilities, made.eras]).toEqual([kvmSpte.name, kvmSpte.capabilities, kvmSpte.eras]);
  });

  it('kvmSpteHoldingRefs is 2.6.27: page references, every era', () => {
    expect(kvmSpteHoldingRefs.name).toBe('kvm-spte-refs-per-spte');
    expect([...kvmSpteHoldingRefs.eras]).toEqual([...ERAS]);
    expect(kvmSpteHoldingRefs.capabilities).toEqual({ holdsPageRefs: true, ...CAPS });
  });

  it('kvmSpteForEra picks the mode KVM had', () => {
    expect(ERAS.map(eraRefs)).toEqual(['per-spte', 'per-spte', 'none']);
    expect(ERAS.map(kvmSpteForEra)).toEqual([kvmSpteHoldingRefs, kvmSpteHoldingRefs, kvmSpte]);
  });

  it('createKvmSpte rejects an unknown mode with EINVAL naming it', async () => {
    expect(await code(() => createKvmSpte({ refs: 'some' as never }))).toBe('EINVAL');
    expect(() => createKvmSpte({ refs: 'era' as never })).toThrow(/"era"/);
  });

  it.each(ERAS)('the device class and the ops follow the era (%s)', async (era) => {
    const r = rig(era);
    const d = await attach(r);
    const ops = d.subscription.ops;
    expect(d.device.driverClass).toBe(era === 'v6' ? 'no-references' : 'holds-references');
    expect(d.vm.refs).toBe(eraRefs(era));
    // 2.6.27's KVM: invalidate_page, the range pair, clear_flush_young — no release.
    expect(Object.keys(ops).sort()).toEqual(
      era === 'v6'
        ? ['clearFlushYoung', 'clearYoung', 'invalidateRangeEnd', 'invalidateRangeStart', 'release', 'testYoung']
        : ['clearFlushYoung', 'invalidatePage', 'invalidateRangeEnd', 'invalidateRangeStart'],
    );
    await d.detach(r.t);
  });
});
