import { Kernel, type KernelOptions } from './kernel/kernel.js';
import { SmmuError } from './kernel/errors.js';
import type { LockdepMap } from './kernel/locks/lockdep-map.js';
import { ERAS, type Era } from './mm/era.js';
import { Memory } from './mm/memory.js';
import type { MemoryOptions } from './mm/memory-state.js';

/** How to build a machine: the kernel's options, the era and the memory size. */
export interface MachineOptions extends KernelOptions {
  /** The kernel modelled: where notifier call sites are and which rmap locks spin (default `v6`). */
  era?: Era;
  /** Physical memory size. */
  memory?: MemoryOptions;
}

/**
 * One simulated machine: the concurrency {@link Kernel} (scheduler, clock, random
 * streams, lockdep, RCU, the report) with the memory model on top — the era that places
 * the notifier call sites, and the memory (frames, processes, files), created on first
 * use.
 */
export class Machine extends Kernel {
  /** The kernel modelled. */
  readonly era: Era;
  private memory: Memory | null = null;
  private readonly memoryOptions: MemoryOptions;

  constructor(options: MachineOptions = {}) {
    const era = options.era ?? 'v6';
    if (!ERAS.includes(era)) throw new SmmuError('EINVAL', `unknown era "${String(era)}" (expected ${ERAS.join(', ')})`);
    super(options);
    this.era = era;
    this.memoryOptions = options.memory ?? {};
  }

  /** The machine's memory (frames, processes, files), created on first use. */
  get mem(): Memory {
    return (this.memory ??= new Memory(this, this.era, this.memoryOptions));
  }

  /**
   * The `fs_reclaim` pseudo-lock of the machine's memory: a sleeping allocation
   * acquires and releases it, reclaim holds it while it runs (see `Memory.fsReclaim`).
   */
  get fsReclaim(): LockdepMap {
    return this.mem.fsReclaim;
  }
}
