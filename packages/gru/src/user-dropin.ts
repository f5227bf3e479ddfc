import { SmmuError, type Task } from '@secondary-mmu/core-mm';
import type { GruContext } from './context.js';
import { gruTryDropin } from './dropin.js';
import type { GruDropinHost } from './host.js';

/** Dropin attempts after which the user path gives up with EAGAIN (an invalidation storm). Kernel counterpart: none (the model's livelock guard; the kernel loops). */
export const GRU_MAX_USER_DROPINS = 1000;

/**
 * The user path for a fault the interrupt path could not drop in: sleep on the gms
 * wait queue until no invalidation is active, read the fault again, and try the dropin
 * in process context (which may fault the page in); an invalidation that began
 * meanwhile sends it back to the wait, a discarded dropin to a fresh try. Sleeps: never
 * call it in atomic context. Kernel counterpart: `gru_user_dropin()` — `wait_event(
 * gms->ms_wait_queue, atomic_read(&gms->ms_range_active) == 0)` then `gru_try_dropin()`,
 * in a loop (reached from the `GRU_USER_CALL_OS` ioctl after the interrupt path set the
 * TFH to user polling mode).
 */
export async function gruUserDropin(task: Task, host: GruDropinHost, context: GruContext, page: number, write: boolean): Promise<void> {
  const { gms } = host;
  for (let attempt = 0; attempt < GRU_MAX_USER_DROPINS; attempt++) {
    if (gms.rangeActive > 0) host.stats.waits++;
    await gms.waitQueue.waitEvent(task, () => gms.rangeActive === 0 || host.detached || gms.released || host.mm.dead);
    const outcome = await gruTryDropin(task, host, context.readFault(page, write), false);
    if (outcome === 'dropped-in') return;
  }
  throw new SmmuError('EAGAIN', `${host.device.name}: dropin at 0x${page.toString(16)} raced invalidations ${GRU_MAX_USER_DROPINS} times`);
}
