import { ACCESS_VS_RECLAIM } from './access-vs-reclaim.js';
import { FAULT_VS_MUNMAP } from './fault-vs-munmap.js';
import { WRITEBACK_VS_DEVICE_WRITE } from './writeback-vs-device-write.js';

export { ACCESS_VS_RECLAIM, FAULT_VS_MUNMAP, WRITEBACK_VS_DEVICE_WRITE };

/**
 * The scenario catalogue: YAML texts by name, for `loadScenario`. Each passes with a
 * correct driver in every era and hits its window on some seeds of the random strategy.
 */
export const SCENARIO_CATALOGUE: Readonly<Record<string, string>> = {
  'fault-vs-munmap': FAULT_VS_MUNMAP,
  'access-vs-reclaim': ACCESS_VS_RECLAIM,
  'writeback-vs-device-write': WRITEBACK_VS_DEVICE_WRITE,
};
