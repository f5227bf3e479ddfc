/**
 * `@secondary-mmu/xpmem-messaging`: an XPMEM-like cross-partition memory-sharing driver
 * over the secondary-mmu-sdk model — a simulated message fabric (ordered channels,
 * latency and jitter, loss and retransmission, slow partitions, a cut-off), owners
 * that pin pages for importers, import faults that retry when an invalidation
 * overtakes them, and invalidations that recall every importer and sleep until all
 * acknowledge, per kernel era. `xpmem` is the driver for the testkit.
 *
 * @packageDocumentation
 */
export { xpmem, xpmemSerial, createXpmemDriver } from './factory.js';
export type { XpmemFactory, XpmemFactoryOptions } from './build.js';
export { XPMEM_CAPABILITIES } from './capabilities.js';
export { XpmemDriver, xpmemDriverOf } from './driver.js';
export { XpmemImporter, XPMEM_MAX_ACCESS_ATTEMPTS } from './importer.js';
export { XpmemAttachment, type XpmemAttachmentOwner } from './attachment.js';
export { xpmemDetachAttachment, xpmemRoundTrip } from './detach.js';
export { XpmemSegment, type XpmemPin, type XpmemImporterPort } from './segment.js';
export { xpmemMake, xpmemGet, xpmemAttach, xpmemDetach, xpmemRemove, describeSegment } from './api.js';
export { xpmemImportFault } from './import-fault.js';
export { xpmemOwnerFault, type XpmemFaultReply } from './owner-fault.js';
export { xpmemRecall, xpmemCutOff, xpmemSettle, xpmemRecallSettled } from './recall.js';
export { xpmemUnpin, xpmemUnpinAll, xpmemReleasePins } from './unpin.js';
export { xpmemIntervalOps } from './notifier-interval.js';
export { xpmemClassicOps } from './notifier-classic.js';
export { xpmemRmapNotifier } from './rmap-hook.js';
export { resolveXpmemOptions, XPMEM_MAX_FAULT_RETRIES, type XpmemOptions, type ResolvedXpmemOptions, type XpmemRecallMode, type XpmemRecallOrder } from './options.js';
export { emptyXpmemStats, type XpmemStats } from './stats.js';
export { XpmemFabric, type XpmemFabricStats } from './fabric/fabric.js';
export { XpmemPartition } from './fabric/partition.js';
export { XpmemChannel } from './fabric/channel.js';
export { XpmemExchange, type XpmemAnswer } from './fabric/exchange.js';
export { resolveFabricOptions, XPMEM_DEFAULT_LATENCY_NS, XPMEM_DEFAULT_CUTOFF_NS, type XpmemFabricOptions, type ResolvedXpmemFabricOptions } from './fabric/options.js';
