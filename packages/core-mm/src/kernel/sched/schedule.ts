import type { Report } from '../check/violation.js';
import { SmmuError } from '../errors.js';
import { digest } from '../util/hash.js';
import type { RngStreams } from '../util/rng.js';
import { FifoStrategy } from './fifo.js';
import { PctStrategy } from './pct.js';
import { DEFAULT_PREEMPT_CLASSES, preemptClasses, preemptMask, type PreemptClass } from './preempt-class.js';
import { RandomStrategy } from './random.js';
import { ReplayStrategy } from './replay.js';
import { decodeReplayToken, encodeReplayToken, ReplayTokenError, type ReplayRecord } from './replay-token.js';
import type { Strategy } from './strategy.js';
import type { Task } from './task.js';

declare const __SMMU_MODEL_HASH__: string | undefined;
/**
 * Digest of the model's sources, injected at build time ('dev' when run from source
 * unbundled); part of every run's fingerprint. Kernel counterpart: a module's
 * `vermagic`, which ties it to the kernel it was built for.
 */
export const MODEL_HASH: string = typeof __SMMU_MODEL_HASH__ === 'string' ? __SMMU_MODEL_HASH__ : 'dev';

/**
 * How a machine schedules its tasks. Kernel counterpart: the boot-time choice of
 * preemption model (`preempt=`); see `Schedule`.
 */
export interface ScheduleOptions {
  /** `fifo` (default: run to block), `random`, or `pct`. Replays come from `MachineOptions.replay`. */
  strategy?: 'fifo' | 'random' | 'pct';
  /** Classes of preemption point that may switch tasks; default: all but `held` for random/pct (`DEFAULT_PREEMPT_CLASSES`), none for fifo. */
  preempt?: readonly PreemptClass[];
  /** PCT's bug depth d (default 2). */
  depth?: number;
  /** PCT's estimate of k, the scheduling points in a run (default 100). */
  steps?: number;
  /** Scheduling points after which a run is reported as a livelock (default 1,000,000). */
  maxSteps?: number;
  /** Keep a scheduling trace (default false): byte-identical for identical seeds. */
  trace?: boolean;
}

/**
 * A machine's schedule: how its runs are scheduled — the strategy, the preemption
 * classes that may switch tasks, the step bound — from its options or from a replay
 * token; and what reproduces each run: the token's header and the program's
 * fingerprint, to which `token()` adds the choices the scheduler made; and the kernel's
 * context label (`KernelOptions.context`), which its tokens record and a replayed token
 * must match. The scheduler copies `strategy`, `mask` and `maxSteps` into its own
 * fields: its scheduling points read them with no indirection.
 *
 * Kernel counterpart: the preemption model chosen at boot (`preempt=none|voluntary|full`)
 * and the scheduling policy. The recording has none: it is rr-style record and replay,
 * the model's way to reproduce a run.
 */
export class Schedule {
  readonly strategy: Strategy;
  /** The preemption classes that may switch tasks, as `PREEMPT_BIT` bits. */
  readonly mask: number;
  /** Scheduling points after which a run is a livelock. */
  readonly maxSteps: number;
  private readonly header: Omit<ReplayRecord, 'choices' | 'fingerprint'>;
  private readonly expectedFingerprint: string | null;
  private readonly program: string;
  private fingerprint = '';

  constructor(kernel: { readonly seed: number; readonly rng: RngStreams }, options: ScheduleOptions, replay: string | undefined, program: string, context = '') {
    this.program = program;
    this.maxSteps = positiveInt(options.maxSteps ?? 1_000_000, 'maxSteps');
    if (replay !== undefined) {
      const r = decodeReplayToken(replay);
      if (r.seed !== kernel.seed) throw new ReplayTokenError('other-seed', replay, `its seed ${r.seed} differs from the machine's seed ${kernel.seed}`);
      const recorded = r.context ?? '';
      if (recorded !== context) {
        const label = (c: string): string => (c === '' ? 'no context' : `context "${c}"`);
        throw new ReplayTokenError('other-context', replay, `recorded under ${label(recorded)}, but this kernel runs under ${label(context)}: a token replays only where it was recorded`);
      }
      this.header = { seed: r.seed, strategy: r.strategy, params: r.params, preempt: r.preempt, context };
      this.mask = preemptMask(r.preempt);
      this.strategy = new ReplayStrategy(r.choices, r.params);
      this.expectedFingerprint = r.fingerprint;
      return;
    }
    const name = options.strategy ?? 'fifo';
    if (name === 'fifo') this.strategy = new FifoStrategy();
    else if (name === 'random') this.strategy = new RandomStrategy(kernel.rng.schedule);
    else if (name === 'pct') {
      this.strategy = new PctStrategy(
        kernel.rng.schedule,
        positiveInt(options.depth ?? 2, 'depth'),
        positiveInt(options.steps ?? 100, 'steps'),
      );
    } else throw new SmmuError('EINVAL', `unknown strategy "${String(name)}" (expected fifo, random or pct)`);
    this.mask = name === 'fifo' ? 0 : preemptMask(options.preempt ?? DEFAULT_PREEMPT_CLASSES);
    this.header = { seed: kernel.seed, strategy: name, params: this.strategy.params, preempt: preemptClasses(this.mask), context };
    this.expectedFingerprint = null;
  }

  /**
   * A run starts with `tasks` spawned: fingerprint the model and the program (its label,
   * task names and bodies), and warn in `report` when a replayed token was recorded
   * from another.
   */
  begin(tasks: readonly Task[], report: Report): void {
    const fingerprint = (this.fingerprint = digest([MODEL_HASH, this.program, ...tasks.map((t) => `${t.name}:${String(t.body)}`)].join('\n')));
    if (this.expectedFingerprint !== null && this.expectedFingerprint !== fingerprint) {
      report.warn(
        `replay fingerprint ${this.expectedFingerprint} differs from this program's ${fingerprint}: the program or the model changed; replaying anyway`,
      );
    }
  }

  /** Recorded choices a replay has not used (0 when not replaying): left at a run's end, the run diverged. */
  get unusedChoices(): number {
    // eslint-disable-next-line no-restricted-syntax -- made by this constructor, so of this copy
    return this.strategy instanceof ReplayStrategy ? this.strategy.unused : 0;
  }

  /** The token that reproduces the run which made `choices` (pairs: spawn index, runnable count). */
  token(choices: readonly number[]): string {
    return encodeReplayToken({ ...this.header, choices, fingerprint: this.fingerprint });
  }
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new SmmuError('EINVAL', `${name} must be a positive integer, got ${value}`);
  return value;
}
