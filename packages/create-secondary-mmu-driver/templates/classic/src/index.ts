// The driver the conformance suite runs: a name, what it declares, its eras, and attach.
import { mmuNotifierRegister } from '@secondary-mmu/mmu-notifier';
import type { DriverFactory } from '@secondary-mmu/testkit';
import { ClassicMirror } from './mirror.js';

export { ClassicMirror } from './mirror.js';

export const driver = Object.freeze({
  name: 'classic-mirror',
  // Every capability spelt out: the suite skips a scenario only for one declared false.
  capabilities: Object.freeze({
    holdsPageRefs: false, // translations keep no page reference: invalidations must zap
    implementsAging: true, // clear_flush_young / clear_young / test_young answer from the device's accessed bits
    mayBlock: false, // every callback takes only a spinlock
    mayFailStart: false, // invalidate_range_start always succeeds
    sharesCpuPageTable: false, // the device has a table of its own
  }),
  // The start/end callbacks exist in every era; invalidate_page is added for the 2008 ones.
  eras: Object.freeze(['rfc-2008', 'v2.6.27', 'v6'] as const),
  async attach(task, machine, mm) {
    const mirror = new ClassicMirror(machine, mm);
    await mmuNotifierRegister(task, mirror.notifier, mm);
    return mirror;
  },
} satisfies DriverFactory);
