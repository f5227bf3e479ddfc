import { SmmuError } from '@secondary-mmu/core-mm';
import { buildXpmemFactory, type XpmemFactory, type XpmemFactoryOptions } from './build.js';

/**
 * Build a correct XPMEM driver: recall in `start` (the default; `'end-only'` is
 * refused here with `EINVAL` — it lives on the `./variants` subpath), serial or
 * multicast recalls, any fabric. Options are checked now (`EINVAL` naming the bad value,
 * nothing built). Kernel counterpart: none (module parameters at most).
 */
export function createXpmemDriver(options: XpmemFactoryOptions = {}): XpmemFactory {
  if (options !== null && typeof options === 'object' && options.recall === 'end-only') {
    throw new SmmuError('EINVAL', "xpmem: options.recall 'end-only' is the hpc/xpmem shape, not a correct driver: use createXpmemEndOnly from '@secondary-mmu/xpmem-messaging/variants'");
  }
  return buildXpmemFactory(options);
}

/**
 * The XPMEM driver, correct in `rfc-2008` and `v6`: recalls in `start` (the
 * interval notifier in `v6`, the external-rmap hook and range callbacks in
 * `rfc-2008`), multicast, the default fabric (1 µs latency, no loss). Kernel
 * counterpart: SGI's XPMEM as the 2008 RFC meant it, and a correct modern
 * `hpc/xpmem`.
 */
export const xpmem: XpmemFactory = createXpmemDriver();

/** {@link xpmem} with serial recalls (one importer after another). Kernel counterpart: as {@link xpmem}. */
export const xpmemSerial: XpmemFactory = createXpmemDriver({ name: 'xpmem-serial', order: 'serial' });
