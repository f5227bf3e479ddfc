// Allowed: cli may import any workspace package.
import type { Scenario } from '@secondary-mmu/testkit';
import type { Gru } from '@secondary-mmu/gru';

export type Cli = [Scenario, Gru];
