// layer-core-mm.
export type { Notifier } from '@secondary-mmu/mmu-notifier';
