import { ERAS } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { createKvmSpte, eraRefs, kvmSpte } from '../src/index.js';
import { attach, code, rig } from './support/rig.js';

describe('kvm-spte factories', () => {
  it('kvmSpte is era-faithful: every era, declares page references and aging', () => {
    expect(kvmSpte.name).toBe('kvm-spte');
    expect([...kvmSpte.eras]).toEqual([...ERAS]);
    expect(kvmSpte.capabilities).toEqual({ holdsPageRefs: true, implementsAging: true, mayBlock: false, mayFailStart: false, sharesCpuPageTable: false });
    expect(ERAS.map(eraRefs)).toEqual(['per-spte', 'per-spte', 'none']);
  });

  it("createKvmSpte: 'none' declares no references and v6 only; 'per-spte' references and every era", () => {
    const none = createKvmSpte({ refs: 'none' });
    expect(none.name).toBe('kvm-spte-refs-none');
    expect(none.capabilities.holdsPageRefs).toBe(false);
    expect([...none.eras]).toEqual(['v6']);
    const per = createKvmSpte({ refs: 'per-spte' });
    expect(per.capabilities.holdsPageRefs).toBe(true);
    expect([...per.eras]).toEqual([...ERAS]);
  });

  it('createKvmSpte rejects an unknown mode with EINVAL naming it', async () => {
    expect(await code(() => createKvmSpte({ refs: 'some' as never }))).toBe('EINVAL');
    expect(() => createKvmSpte({ refs: 'some' as never })).toThrow(/"some"/);
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
