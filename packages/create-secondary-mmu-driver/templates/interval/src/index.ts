// The driver the conformance suite runs: a name, what it declares, its eras, and attach.
import type { DriverFactory } from '@secondary-mmu/testkit';
import { IntervalMirror } from './mirror.js';

export { IntervalMirror } from './mirror.js';

export const driver = Object.freeze({
  name: 'interval-mirror',
  // Every capability spelt out: the suite skips a scenario only for one declared false.
  capabilities: Object.freeze({
    holdsPageRefs: false, // translations keep no page reference: invalidate must drop them
    implementsAging: false, // an interval notifier has no aging callbacks
    mayBlock: false, // invalidate sleeps on the mutex only when the range is blockable
    mayFailStart: true, // answers false when the range may not block and the mutex is held
    sharesCpuPageTable: false, // the device has translations of its own
  }),
  // Interval notifiers came in Linux 5.5: the v6 era only.
  eras: Object.freeze(['v6'] as const),
  attach: (task, machine, mm) => IntervalMirror.open(task, machine, mm),
} satisfies DriverFactory);
