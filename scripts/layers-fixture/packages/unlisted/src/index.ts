// layer-unlisted-package.
export type { Machine } from '@secondary-mmu/core-mm';
