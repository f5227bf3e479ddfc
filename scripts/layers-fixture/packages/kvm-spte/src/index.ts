// Allowed: core-mm and mmu-notifier. layer-kvm-spte: testkit (tests only) and another driver.
import type { Machine } from '@secondary-mmu/core-mm';
import type { Notifier } from '@secondary-mmu/mmu-notifier';
import type { Scenario } from '@secondary-mmu/testkit';
import type { Gru } from '@secondary-mmu/gru';

export type Spte = [Machine, Notifier, Scenario, Gru];
