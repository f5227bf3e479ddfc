// kernel-is-self-contained (a type-only import of the memory model).
import type { Page } from '../mm/page.js';

export interface Task { page?: Page }
