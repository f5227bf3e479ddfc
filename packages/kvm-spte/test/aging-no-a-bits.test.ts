import { ERAS } from '@secondary-mmu/core-mm';
import { checkDriver, explore, loadScenario, SCENARIO_REGISTRY } from '@secondary-mmu/testkit';
import { describe, expect, it } from 'vitest';
import { createKvmSpte } from '../src/index.js';
import { anonPages, attach, code, P, rig } from './support/rig.js';

const noABits = (era: string) => createKvmSpte({ refs: era === 'v6' ? 'none' : 'per-spte', accessedBits: false });

describe('aging without hardware accessed bits (EPT without A/D)', () => {
  it('v6: aging makes the spte non-present and answers young; the next guest access refaults; untouched since, the answer is old', async () => {
    const r = rig('v6');
    const a = await anonPages(r);
    const d = await attach(r, noABits('v6'));
    await d.read(r.vcpu, a);
    const age = async () => await d.subscription.ops.clearFlushYoung!(r.t, d.subscription, r.t.mm!, a, a + P);
    const test = async () => await d.subscription.ops.testYoung!(r.t, d.subscription, r.t.mm!, a);
    expect(await test()).toBe(true);
    expect(await age()).toBe(true);
    expect(d.size).toBe(0);
    expect(d.vm.tlb.stale).toBe(0); // flushed: no vCPU reaches it
    expect(await test()).toBe(false);
    expect(await age()).toBe(false);
    const faults = d.stats.faults;
    expect(await d.read(r.vcpu, a)).toBe(100);
    expect(d.stats.faults).toBe(faults + 1);
    expect(await test()).toBe(true);
    expect(await d.subscription.ops.clearYoung!(r.t, d.subscription, r.t.mm!, a, a + P)).toBe(true);
    expect([d.size, d.vm.tlb.stale]).toEqual([0, 0]);
    expect(r.m.report.violations).toEqual([]);
    await d.detach(r.t);
  });

  it('v2.6.27: "always return old for EPT" — aging answers old and changes nothing', async () => {
    const r = rig('v2.6.27');
    const a = await anonPages(r);
    const d = await attach(r, noABits('v2.6.27'));
    await d.read(r.vcpu, a);
    expect(await d.subscription.ops.clearFlushYoung!(r.t, d.subscription, r.t.mm!, a, a + P)).toBe(false);
    expect(d.size).toBe(1);
    expect(d.stats.youngAnswers).toBe(0);
    await d.detach(r.t);
  });

  it('v6: the aging conformance scenarios pass; v2.6.27: access-vs-aging is a historical finding (reclaim blind to the guest), at the first schedule', async () => {
    const v6 = await checkDriver(noABits('v6'), { eras: ['v6'], scenarios: ['access-vs-aging', 'idle-scan-vs-device-access'] });
    expect(v6.cases.map((c) => `${c.title}: ${c.status}`)).toEqual(v6.cases.map((c) => `${c.title}: pass`));
    const yaml = SCENARIO_REGISTRY.find((e) => e.name === 'access-vs-aging')!.yaml;
    const found = await explore(loadScenario(yaml), { driver: noABits('v2.6.27'), era: 'v2.6.27', schedules: 5, seed: 1, shrinkBudget: 20 });
    expect(found.verdict).toBe('fail');
    expect(found.failing!.violations.map((x) => x.kind)).toContain('aging');
    console.log(`kvm-spte no A bits, v2.6.27, access-vs-aging: ${found.shrunk?.token}`);
  });

  it('accessedBits must be a boolean: EINVAL naming it', async () => {
    expect(await code(() => createKvmSpte({ accessedBits: 'no' as never }))).toBe('EINVAL');
    expect(() => createKvmSpte({ accessedBits: 'no' as never })).toThrow(/"no"/);
    expect(ERAS.map((e) => noABits(e).name)).toEqual(['kvm-spte-refs-per-spte-no-a-bits', 'kvm-spte-refs-per-spte-no-a-bits', 'kvm-spte-no-a-bits']);
  });
});
