// Allowed: the machine on mm/.
import type { Page } from './mm/page.js';

export interface Machine { pages: Page[] }
