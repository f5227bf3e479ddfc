// The driver the conformance suite runs: a name, what it declares, its eras, and attach.
import { mmuNotifierRegister } from '@secondary-mmu/mmu-notifier';
import type { DriverFactory } from '@secondary-mmu/testkit';
import { SvaDevice } from './device.js';

export { SvaDevice } from './device.js';

export const driver = Object.freeze({
  name: 'sva-device',
  // Every capability spelt out: the suite skips a scenario only for one declared false.
  capabilities: Object.freeze({
    holdsPageRefs: false, // the IOTLB keeps no page reference: the flush must come before the free
    implementsAging: false, // the walker sets the PTE's accessed and dirty bits itself
    mayBlock: false, // the flush and release never sleep
    mayFailStart: false, // there is no start to fail
    sharesCpuPageTable: true, // the device walks the CPU page table: its DeviceMmu class agrees
  }),
  // The 2008 eras have no arch_invalidate_secondary_tlbs.
  eras: Object.freeze(['v6'] as const),
  async attach(task, machine, mm) {
    const sva = new SvaDevice(machine, mm);
    await mmuNotifierRegister(task, sva.notifier, mm);
    return sva;
  },
} satisfies DriverFactory);
