/*
 * The scenario registry: every scenario the testkit ships, one entry each (name, kind,
 * requirements, eras, YAML); the catalogue and the conformance list filter it.
 */
export { SCENARIO_REGISTRY, scenarioTexts } from './registry.js';
export { defineScenario, type ScenarioEntry, type ScenarioEntrySpec, type ScenarioKind } from './entry.js';
export { setup, type SetupSpec, type SetupMapping } from './setup.js';
export { ACCESS_VS_AGING } from './catalogue/access-vs-aging.js';
export { ACCESS_VS_RECLAIM } from './catalogue/access-vs-reclaim.js';
export { FAULT_VS_MUNMAP } from './catalogue/fault-vs-munmap.js';
export { IDLE_SCAN_VS_DEVICE_ACCESS } from './catalogue/idle-scan-vs-device-access.js';
export { OOM_KILL_VS_DEVICE_ACCESS } from './catalogue/oom-kill-vs-device-access.js';
export { RELEASE_VS_UNREGISTER } from './catalogue/release-vs-unregister.js';
export { SLEEPING_INVALIDATE } from './catalogue/sleeping-invalidate.js';
export { WRITEBACK_VS_DEVICE_WRITE } from './catalogue/writeback-vs-device-write.js';
export { DONTNEED_VS_DEVICE_FAULT } from './conformance/dontneed-vs-device-fault.js';
export { EXIT_VS_DEVICE_ACCESS } from './conformance/exit-vs-device-access.js';
export { FORK_COW_VS_DEVICE_WRITE } from './conformance/fork-cow-vs-device-write.js';
export { MPROTECT_VS_DEVICE_READ } from './conformance/mprotect-vs-device-read.js';
export { MREMAP_VS_DEVICE_ACCESS } from './conformance/mremap-vs-device-access.js';
export { HMM_ANON_READ } from './hmm-tests/anon-read.js';
export { HMM_ANON_TEARDOWN } from './hmm-tests/anon-teardown.js';
export { HMM_ANON_WRITE } from './hmm-tests/anon-write.js';
export { HMM_ANON_WRITE_PROT } from './hmm-tests/anon-write-prot.js';
export { HMM_DOUBLE_MAP } from './hmm-tests/double-map.js';
export { HMM_FILE_READ_WRITE } from './hmm-tests/file-read-write.js';
export { HMM_READ_PROT_NONE } from './hmm-tests/read-prot-none.js';
export { HMM_TWO_DEVICES_SHARE_WRITES } from './hmm-tests/two-devices-share-writes.js';
