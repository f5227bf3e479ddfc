import { svaMirror } from '../../sva/factory.js';
import type { Task } from '@secondary-mmu/core-mm';
import type { DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import { defineDriver } from '../../define-driver.js';
import { SVA_CAPABILITIES } from '../../sva/capabilities.js';
import { SvaInstance } from '../../sva/instance.js';
import type { KillMatrixVariant } from '../types.js';

/** The SVA driver with its IOTLB invalidation queued by the flush and carried out at the device's next access. */
class LateFlushSva extends SvaInstance {
  private readonly queued: [number, number][] = [];

  protected override invalidateSecondaryTlbs(_task: Task, start: number, end: number): void {
    this.queued.push([start, end]); // returns before the IOTLB is invalidated
  }

  protected override translate(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    for (const [start, end] of this.queued.splice(0)) this.device.dropRange(this.mm, start, end);
    return super.translate(task, address, write);
  }
}

/**
 * `late-flush`: `arch_invalidate_secondary_tlbs` only queues the invalidation and the
 * device's next access carries it out — after the flush returned, so after the PT lock
 * was dropped and the COW's new PTE set. Kernel counterpart: none (a driver bug: a
 * flush completed outside the caller's PT lock).
 */
export const LATE_FLUSH: KillMatrixVariant = {
  name: 'late-flush',
  bug: 'arch_invalidate_secondary_tlbs queues the IOTLB invalidation and returns; the next device access carries it out',
  race: true,
  driver: defineDriver({ name: 'late-flush', capabilities: SVA_CAPABILITIES, eras: ['v6'], attach: (task, machine, mm) => LateFlushSva.open(task, machine, mm, 'late-flush') }),
  reference: svaMirror,
  scenario: 'cow-vs-shared-tlb',
  era: 'v6',
  expectedKinds: ['late-secondary-flush', 'stale-read', 'use-after-free'],
  schedules: 40,
};
