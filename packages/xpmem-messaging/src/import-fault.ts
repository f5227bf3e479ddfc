import { SmmuError, type Task } from '@secondary-mmu/core-mm';
import type { XpmemAttachment } from './attachment.js';
import { xpmemOwnerFault, type XpmemFaultReply } from './owner-fault.js';
import { xpmemCutOff } from './recall.js';

/**
 * An import fault of `page` through `att`: note the recalls delivered so far, send the
 * request to the owner and sleep for its answer ({@link xpmemOwnerFault} runs there),
 * then under `att->lock` install the translation — unless a recall was delivered
 * meanwhile (the answer may name a page the owner has since unpinned): then start
 * over, at most `maxFaultRetries` times (`EAGAIN`). No answer by the cut-off: the
 * importer is cut off (`EFAULT`). The owner's errors (`EFAULT`, `EPERM`, `EAGAIN`)
 * pass through.
 *
 * Kernel counterpart: the importing side of SGI's 2008 XPMEM fault (a request message,
 * the PFN reply, the "request invalidated" retry); `hpc/xpmem`'s
 * `xpmem_fault_handler()` → `remap_pfn_range()` in one system image.
 */
export async function xpmemImportFault(task: Task, att: XpmemAttachment, page: number, write: boolean): Promise<void> {
  const { importer, segment } = att;
  const { driver } = importer;
  const owner = driver.ownerPartition(segment.mm);
  const what = `fault segment ${segment.segid} at 0x${page.toString(16)}${write ? ' (write)' : ''}`;
  for (let attempt = 0; attempt < driver.options.maxFaultRetries; attempt++) {
    const seen = att.recallSeq;
    const x = driver.fabric.send(importer.partition, owner, what, (t) => xpmemOwnerFault(t, driver, segment, importer, page, write));
    await driver.fabric.wait(task, [x]);
    if (x.error !== undefined) throw x.error as Error; // the owner's error, carried back as it was thrown
    if (x.answer?.ok !== true) {
      await xpmemCutOff(task, driver, segment, importer);
      throw new SmmuError('EFAULT', `${importer.device.name} (${importer.partition.name}): ${what}: no answer from the owner by the cut-off`);
    }
    const reply: XpmemFaultReply = x.answer.value;
    await att.lock.lock(task);
    try {
      if (att.cutOff || !att.attached) throw new SmmuError('EFAULT', `${importer.device.name}: ${what}: the attachment is gone or cut off`);
      if (att.recallSeq !== seen) {
        driver.stats.faultRetries++;
        continue;
      }
      const old = importer.device.lookup(segment.mm, page);
      if (old !== undefined) importer.device.drop(old);
      importer.device.establish(task, segment.mm, page, reply.pfn, { writable: reply.writable });
      return;
    } finally {
      await att.lock.unlock(task);
    }
  }
  driver.stats.faultsAgain++;
  throw new SmmuError('EAGAIN', `${importer.device.name}: ${what}: recalls overtook it ${driver.options.maxFaultRetries} times`);
}
