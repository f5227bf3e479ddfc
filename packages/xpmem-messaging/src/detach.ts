import { andThen, ensure, type Task } from '@secondary-mmu/core-mm';
import type { XpmemAttachment } from './attachment.js';
import { xpmemReleasePins } from './unpin.js';

/** A control message's round trip: the calling task sleeps it (outside a run the clock just advances). Kernel counterpart: none. */
export function xpmemRoundTrip(task: Task, att: XpmemAttachment): void | Promise<void> {
  const ns = 2 * att.importer.driver.options.fabric.latencyNs;
  return ns > 0 ? att.importer.driver.machine.sched.sleep(task, ns) : undefined;
}

/**
 * `xpmem_detach` of `att`: drop the importer's translations of the segment (under
 * `att->lock`), tell the owner (a control message's round trip), which unpins
 * everything it held for the importer there (dirty where written). The attachment is
 * gone afterwards: get the segment again to use it. A second call does nothing.
 * Kernel counterpart: `xpmem_detach()` and the owner's `xpmem_unpin_pages()` for that
 * attachment.
 */
export async function xpmemDetachAttachment(task: Task, att: XpmemAttachment): Promise<void> {
  const { importer, segment } = att;
  if (!importer.attachments.includes(att)) return;
  const written = await andThen(att.lock.lock(task), () =>
    ensure(
      () => {
        const out: number[] = [];
        for (const h of importer.device.translations(segment.mm)) {
          if (!segment.holds(h.address)) continue;
          if (h.dirty) out.push(h.address);
          importer.device.drop(h);
        }
        att.attached = false;
        return out;
      },
      () => att.lock.unlock(task),
    ),
  );
  await xpmemRoundTrip(task, att);
  await xpmemReleasePins(task, importer.driver, segment, importer, segment.start, segment.end, written);
  segment.importers.delete(importer);
  const i = importer.attachments.indexOf(att);
  if (i >= 0) importer.attachments.splice(i, 1);
  if (segment.notifier !== null && importer.device.subscriptions.includes(segment.notifier)) importer.device.removeSubscription(segment.notifier);
}
