// Allowed: core-mm by name. no-relative-import-out-of-package: into core-mm's folder.
import type { Machine } from '@secondary-mmu/core-mm';
import type { Page } from '../../core-mm/src/mm/page.js';

export type Notifier = [Machine, Page];
