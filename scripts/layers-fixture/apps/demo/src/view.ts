import type { Demo } from './index.js';

export interface View { demo?: Demo }
