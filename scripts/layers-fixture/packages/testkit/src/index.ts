// Allowed: core-mm and mmu-notifier. layer-testkit: a driver.
import type { Machine } from '@secondary-mmu/core-mm';
import type { Notifier } from '@secondary-mmu/mmu-notifier';
import type { Spte } from '@secondary-mmu/kvm-spte';

export type Scenario = [Machine, Notifier, Spte];
