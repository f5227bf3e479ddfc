import { Kernel, type KernelOptions } from './kernel/kernel.js';
import { SmmuError } from './kernel/errors.js';
import type { LockdepMap } from './kernel/locks/lockdep-map.js';
import { decodeReplayToken, ReplayTokenError } from './kernel/sched/replay-token.js';
import { ERAS, type Era } from './mm/era.js';
import { Memory } from './mm/memory.js';
import type { MemoryOptions } from './mm/memory-state.js';

/**
 * How to build a machine: the kernel's options (but `context`: a machine's is its era),
 * the era and the memory size.
 */
export interface MachineOptions extends Omit<KernelOptions, 'context'> {
  /** The kernel modelled: where notifier call sites are and which rmap locks spin (default `v6`). */
  era?: Era;
  /** Physical memory size. */
  memory?: MemoryOptions;
}

/**
 * One simulated machine: the concurrency {@link Kernel} (scheduler, clock, random
 * streams, lockdep, RCU, the report) with the memory model on top — the era that places
 * the notifier call sites, and the memory (frames, processes, files), created on first
 * use. The era is the kernel's context label: every replay token records it, and a
 * machine refuses a token recorded in another era (`ReplayTokenError`, problem
 * `other-context`) rather than replay it to another verdict.
 */
export class Machine extends Kernel {
  /** The kernel modelled. */
  readonly era: Era;
  private memory: Memory | null = null;
  private readonly memoryOptions: MemoryOptions;

  constructor(options: MachineOptions = {}) {
    const era = options.era ?? 'v6';
    if (!ERAS.includes(era)) throw new SmmuError('EINVAL', `unknown era "${String(era)}" (expected ${ERAS.join(', ')})`);
    if (options.replay !== undefined) checkTokenEra(options.replay, era);
    // Fields written out, not spread: a spread literal is V8's slow path, and an
    // exploration builds a machine per schedule.
    super({ seed: options.seed, schedule: options.schedule, replay: options.replay, strict: options.strict, program: options.program, context: era });
    this.era = era;
    this.memoryOptions = options.memory ?? {};
  }

  /** `Kernel.reseed`, refusing a token recorded in another era first (`ReplayTokenError`). */
  override reseed(options: Pick<MachineOptions, 'seed' | 'replay'>): void {
    if (options.replay !== undefined) checkTokenEra(options.replay, this.era);
    super.reseed(options);
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

/** Refuse a token recorded in another era (or on a bare kernel), naming both. */
function checkTokenEra(token: string, era: Era): void {
  const recorded = decodeReplayToken(token).context ?? '';
  if (recorded === era) return;
  const where = recorded === '' ? 'on a bare Kernel (no era)' : `in era "${recorded}"`;
  throw new ReplayTokenError('other-context', token, `recorded ${where}, but this machine models era "${era}": replay it ${recorded === '' ? 'on a Kernel' : `with era "${recorded}"`}`);
}
