import { ACCESS_VS_AGING } from './access-vs-aging.js';
import { ACCESS_VS_RECLAIM } from './access-vs-reclaim.js';
import { FAULT_VS_MUNMAP } from './fault-vs-munmap.js';
import { IDLE_SCAN_VS_DEVICE_ACCESS } from './idle-scan-vs-device-access.js';
import { OOM_KILL_VS_DEVICE_ACCESS } from './oom-kill-vs-device-access.js';
import { RELEASE_VS_UNREGISTER } from './release-vs-unregister.js';
import { SLEEPING_INVALIDATE } from './sleeping-invalidate.js';
import { WRITEBACK_VS_DEVICE_WRITE } from './writeback-vs-device-write.js';
import { MUNMAP_RANGE_VS_DEVICE_READS } from './munmap-range-vs-device-reads.js';
import { COW_VS_SHARED_TLB } from './cow-vs-shared-tlb.js';

export { ACCESS_VS_AGING, ACCESS_VS_RECLAIM, FAULT_VS_MUNMAP, IDLE_SCAN_VS_DEVICE_ACCESS, OOM_KILL_VS_DEVICE_ACCESS, RELEASE_VS_UNREGISTER, SLEEPING_INVALIDATE, WRITEBACK_VS_DEVICE_WRITE, MUNMAP_RANGE_VS_DEVICE_READS, COW_VS_SHARED_TLB };

/**
 * The scenario catalogue: YAML texts by name, for `loadScenario` (and the CLI). Each
 * race scenario passes with a correct driver in every era it allows and hits a window on
 * some seeds of the random strategy; `sleeping-invalidate` is a demonstration whose
 * expected violations differ by era.
 *
 * Where they come from: the seed thread (device access during aging and during
 * reclaim's unmap, writeback's page_mkclean, a sleeping invalidate) and the kernel
 * (the KVM get_user_pages → spte window is `fault-vs-munmap`; release vs unregister;
 * the OOM reaper's non-blockable unmap).
 */
export const SCENARIO_CATALOGUE: Readonly<Record<string, string>> = {
  'fault-vs-munmap': FAULT_VS_MUNMAP,
  'access-vs-reclaim': ACCESS_VS_RECLAIM,
  'access-vs-aging': ACCESS_VS_AGING,
  'idle-scan-vs-device-access': IDLE_SCAN_VS_DEVICE_ACCESS,
  'writeback-vs-device-write': WRITEBACK_VS_DEVICE_WRITE,
  'oom-kill-vs-device-access': OOM_KILL_VS_DEVICE_ACCESS,
  'release-vs-unregister': RELEASE_VS_UNREGISTER,
  'sleeping-invalidate': SLEEPING_INVALIDATE,
  'munmap-range-vs-device-reads': MUNMAP_RANGE_VS_DEVICE_READS,
  'cow-vs-shared-tlb': COW_VS_SHARED_TLB,
};
