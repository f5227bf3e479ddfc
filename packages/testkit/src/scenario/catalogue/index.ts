import { scenarioTexts } from '../../scenarios/registry.js';

export { ACCESS_VS_AGING, ACCESS_VS_RECLAIM, FAULT_VS_MUNMAP, IDLE_SCAN_VS_DEVICE_ACCESS, OOM_KILL_VS_DEVICE_ACCESS, RELEASE_VS_UNREGISTER, SLEEPING_INVALIDATE, WRITEBACK_VS_DEVICE_WRITE } from '../../scenarios/index.js';

/**
 * The scenario catalogue: YAML texts by name, for `loadScenario` (and the CLI) — the
 * registry's `catalogue` entries (`SCENARIO_REGISTRY`). Each race scenario passes with
 * a correct driver in every era it allows, at every device latency, and hits a window
 * on some seeds of the random strategy; `sleeping-invalidate` is a demonstration whose
 * expected violations differ by era.
 *
 * Where they come from: the seed thread (device access during aging and during
 * reclaim's unmap, writeback's page_mkclean, a sleeping invalidate) and the kernel
 * (the KVM get_user_pages → spte window is `fault-vs-munmap`; release vs unregister;
 * the OOM reaper's non-blockable unmap).
 */
export const SCENARIO_CATALOGUE: Readonly<Record<string, string>> = scenarioTexts('catalogue');
