import type { DriverFactory } from '../contract.js';
import { DMIRROR_CAPABILITIES } from './capabilities.js';
import { DmirrorInstance } from './instance.js';

/**
 * The reference driver after the kernel's `lib/test_hmm.c`: an interval notifier over
 * the whole address space, a mirror table holding no page references, the
 * `read_begin` / `hmm_range_fault` / `read_retry` fault loop under `dmirror->mutex`, and
 * a `trylock` (answer false) when the invalidation may not block. `v6` only.
 *
 * Kernel counterpart: the `hmm_dmirror` character device (`dmirror_fops`); `attach` is
 * `open()` of `/dev/hmm_dmirror0`.
 */
export const dmirror: DriverFactory = Object.freeze({
  name: 'dmirror',
  capabilities: DMIRROR_CAPABILITIES,
  eras: Object.freeze(['v6'] as const),
  attach: (task, machine, mm) => DmirrorInstance.open(task, machine, mm),
} satisfies DriverFactory);
