import { ACCESS_VS_AGING } from './catalogue/access-vs-aging.js';
import { ACCESS_VS_RECLAIM } from './catalogue/access-vs-reclaim.js';
import { COW_VS_SHARED_TLB } from './catalogue/cow-vs-shared-tlb.js';
import { FAULT_VS_MUNMAP } from './catalogue/fault-vs-munmap.js';
import { IDLE_SCAN_VS_DEVICE_ACCESS } from './catalogue/idle-scan-vs-device-access.js';
import { MUNMAP_ACROSS_REGIONS } from './catalogue/munmap-across-regions.js';
import { MUNMAP_RANGE_VS_DEVICE_READS } from './catalogue/munmap-range-vs-device-reads.js';
import { OOM_KILL_VS_DEVICE_ACCESS } from './catalogue/oom-kill-vs-device-access.js';
import { REAP_VS_HELD_DRIVER_LOCK } from './catalogue/reap-vs-held-driver-lock.js';
import { RELEASE_VS_UNREGISTER } from './catalogue/release-vs-unregister.js';
import { SLEEPING_INVALIDATE } from './catalogue/sleeping-invalidate.js';
import { TWO_DEVICES_ACROSS_REGIONS } from './catalogue/two-devices-across-regions.js';
import { WRITEBACK_VS_DEVICE_WRITE } from './catalogue/writeback-vs-device-write.js';
import { DONTNEED_VS_DEVICE_FAULT } from './conformance/dontneed-vs-device-fault.js';
import { EXIT_VS_DEVICE_ACCESS } from './conformance/exit-vs-device-access.js';
import { FORK_COW_VS_DEVICE_WRITE } from './conformance/fork-cow-vs-device-write.js';
import { MPROTECT_VS_DEVICE_READ } from './conformance/mprotect-vs-device-read.js';
import { MREMAP_VS_DEVICE_ACCESS } from './conformance/mremap-vs-device-access.js';
import { defineScenario, type ScenarioEntry, type ScenarioKind } from './entry.js';
import { HMM_ANON_READ } from './hmm-tests/anon-read.js';
import { HMM_ANON_TEARDOWN } from './hmm-tests/anon-teardown.js';
import { HMM_ANON_WRITE } from './hmm-tests/anon-write.js';
import { HMM_ANON_WRITE_PROT } from './hmm-tests/anon-write-prot.js';
import { HMM_DOUBLE_MAP } from './hmm-tests/double-map.js';
import { HMM_FILE_READ_WRITE } from './hmm-tests/file-read-write.js';
import { HMM_READ_PROT_NONE } from './hmm-tests/read-prot-none.js';
import { HMM_TWO_DEVICES_SHARE_WRITES } from './hmm-tests/two-devices-share-writes.js';

/**
 * Every scenario the testkit ships, one entry each, in the conformance suite's order:
 * the catalogue, the suite's own race scenarios, then the hmm-tests cases. The
 * catalogue (`SCENARIO_CATALOGUE`) and the conformance list (`CONFORMANCE_SCENARIOS`)
 * are filters of it. Adding a scenario: a file exporting its YAML (its set-up from
 * `setup()`), and one entry here. Each passes with a correct driver in every era it is
 * for, at every device latency, and hits a window on some seeds of the random strategy
 * (but `sleeping-invalidate`, a demonstration whose expected violations differ by era).
 * Kernel counterpart: none.
 */
export const SCENARIO_REGISTRY: readonly ScenarioEntry[] = Object.freeze([
  defineScenario({ kind: 'catalogue', yaml: FAULT_VS_MUNMAP }),
  defineScenario({ kind: 'catalogue', yaml: ACCESS_VS_RECLAIM }),
  defineScenario({ kind: 'catalogue', yaml: ACCESS_VS_AGING, requires: ['implementsAging'] }),
  defineScenario({ kind: 'catalogue', yaml: IDLE_SCAN_VS_DEVICE_ACCESS, requires: ['implementsAging'] }),
  defineScenario({ kind: 'catalogue', yaml: WRITEBACK_VS_DEVICE_WRITE }),
  defineScenario({ kind: 'catalogue', yaml: OOM_KILL_VS_DEVICE_ACCESS }),
  defineScenario({ kind: 'catalogue', yaml: REAP_VS_HELD_DRIVER_LOCK }),
  defineScenario({ kind: 'catalogue', yaml: RELEASE_VS_UNREGISTER }),
  defineScenario({ kind: 'catalogue', yaml: MUNMAP_ACROSS_REGIONS }),
  defineScenario({ kind: 'catalogue', yaml: TWO_DEVICES_ACROSS_REGIONS }),
  defineScenario({ kind: 'catalogue', yaml: MUNMAP_RANGE_VS_DEVICE_READS }),
  defineScenario({ kind: 'catalogue', yaml: COW_VS_SHARED_TLB }),
  defineScenario({ kind: 'catalogue', yaml: SLEEPING_INVALIDATE, conformance: false }),
  defineScenario({ kind: 'conformance', yaml: MPROTECT_VS_DEVICE_READ }),
  defineScenario({ kind: 'conformance', yaml: FORK_COW_VS_DEVICE_WRITE }),
  defineScenario({ kind: 'conformance', yaml: EXIT_VS_DEVICE_ACCESS }),
  defineScenario({ kind: 'conformance', yaml: DONTNEED_VS_DEVICE_FAULT }),
  defineScenario({ kind: 'conformance', yaml: MREMAP_VS_DEVICE_ACCESS }),
  defineScenario({ kind: 'hmm-test', yaml: HMM_ANON_READ }),
  defineScenario({ kind: 'hmm-test', yaml: HMM_READ_PROT_NONE }),
  defineScenario({ kind: 'hmm-test', yaml: HMM_ANON_WRITE }),
  defineScenario({ kind: 'hmm-test', yaml: HMM_ANON_WRITE_PROT }),
  defineScenario({ kind: 'hmm-test', yaml: HMM_FILE_READ_WRITE }),
  defineScenario({ kind: 'hmm-test', yaml: HMM_ANON_TEARDOWN }),
  defineScenario({ kind: 'hmm-test', yaml: HMM_DOUBLE_MAP }),
  defineScenario({ kind: 'hmm-test', yaml: HMM_TWO_DEVICES_SHARE_WRITES }),
]);

/** The registry's YAML texts of one kind, by name (the shape of `SCENARIO_CATALOGUE`). Kernel counterpart: none. */
export function scenarioTexts(kind: ScenarioKind): Readonly<Record<string, string>> {
  return Object.freeze(Object.fromEntries(SCENARIO_REGISTRY.filter((e) => e.kind === kind).map((e) => [e.name, e.yaml])));
}
