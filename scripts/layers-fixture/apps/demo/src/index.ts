// Allowed: an app may import any workspace package. no-circular, with view.ts.
import type { Cli } from '@secondary-mmu/cli';
import type { Spte } from '@secondary-mmu/kvm-spte';
import type { View } from './view.js';

export type Demo = [Cli, Spte, View];
