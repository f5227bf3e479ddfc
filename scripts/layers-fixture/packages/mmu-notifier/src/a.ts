// no-circular, with b.ts: type-only imports both ways.
import type { B } from './b.js';

export interface A { b?: B }
