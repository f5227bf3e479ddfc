// Allowed.
import type { Notifier } from '@secondary-mmu/mmu-notifier';

export type Gru = Notifier;
