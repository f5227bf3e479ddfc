import type { Mm } from '@secondary-mmu/core-mm';
import type { Subscriber } from '../events.js';
import type { DriverClass } from './driver-class.js';
import type { PageHold } from './page-hold.js';

// The rules sit below the DeviceMmu that feeds them (it makes the oracle core, which
// makes the rules), so they see handles and devices through these, not the classes.

/** A translation handle's mutable state: permission, liveness, the device's A/D bits and the marks the rules leave. */
export interface TranslationState {
  writable: boolean;
  live: boolean;
  accessed: boolean;
  dirty: boolean;
  /** The frame was already free when the handle was made (every access is a use-after-free). */
  bornFree: boolean;
  /**
   * The process's page at `address` was stored to while it lived elsewhere than `pfn`
   * (since the primary last mapped `pfn` there), or already lived elsewhere when the
   * handle was made (`stale-baseline.ts`).
   */
  storedSince: boolean;
  /** Set when an `invalidate_page` that began after this handle was made returned. */
  revokedBy: string | null;
  leakReported: boolean;
  lateFlushReported: boolean;
}

/** What the oracle's rules see of a `DeviceTranslation`. */
export interface JudgedTranslation {
  readonly id: number;
  readonly device: JudgedDevice;
  readonly mm: Mm;
  readonly address: number;
  readonly pfn: number;
  readonly generation: number;
  readonly live: boolean;
  /** The subscription answering for it: its device's subscription covering its page, or null. */
  readonly subscription: Subscriber | null;
  readonly state: TranslationState;
  toString(): string;
}

/** What the oracle's rules see of a `DeviceMmu`. */
export interface JudgedDevice {
  readonly name: string;
  readonly driverClass: DriverClass;
  /** Its first subscription (null: none). */
  readonly subscription: Subscriber | null;
  /** The subscription covering the page at `address` of `mm` (null: none covers it). */
  covering(mm: Mm, address: number): Subscriber | null;
  translations(mm?: Mm): readonly JudgedTranslation[];
  holds(mm?: Mm): readonly PageHold[];
}
