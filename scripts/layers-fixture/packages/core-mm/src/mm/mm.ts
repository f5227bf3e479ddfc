// Allowed: mm/ on kernel/. mm-below-machine, twice: the machine and the experiments.
import type { Lock } from '../kernel/lock.js';
import type { Machine } from '../machine.js';
import { rounds } from '../experiments/rounds.js';

export interface Mm { lock?: Lock; machine?: Machine; rounds: typeof rounds }
