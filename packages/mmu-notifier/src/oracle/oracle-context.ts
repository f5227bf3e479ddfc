import type { Machine, Task } from '@secondary-mmu/core-mm';
import type { Subscriber } from '../events.js';
import type { JudgedDevice, JudgedTranslation } from './judged-translation.js';
import type { OracleViolationKind } from './kinds.js';

/**
 * What a rule of the coherence oracle sees of it: the machine, the live handles by
 * page, the devices by subscription, and where findings go. `OracleCore` is one; the
 * rules name only this, so they stay below the core that makes them.
 */
export interface OracleContext {
  readonly machine: Machine;
  /** The id the next handle will get: handles established later have larger ids. */
  readonly nextId: number;
  /** Live handles (of every device) of the page at `address` in mm `mmId`, oldest first. */
  translationsAt(mmId: number, address: number): readonly JudgedTranslation[] | undefined;
  /** The devices answering for `subscriber` (empty when none). */
  devicesFor(subscriber: Subscriber): readonly JudgedDevice[];
  /** Some device answers for `sub`. */
  hasDevices(sub: Subscriber): boolean;
  /** Some no-references device answers for `sub`: its invalidation windows are tracked. */
  judgesRules(sub: Subscriber): boolean;
  /** Report a finding (`machine.reportViolation`: a strict machine throws). */
  report(task: Task | null, kind: OracleViolationKind, message: string, details?: readonly string[]): void;
}
