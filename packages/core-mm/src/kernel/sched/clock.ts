/**
 * Virtual time in nanoseconds, advanced only by sleeps and modelled costs (a TLB
 * flush IPI, a message's latency, an spte zap), never by the wall clock, so runs are
 * deterministic and comparisons report simulated latency. Kernel counterpart: the
 * clock behind `ktime_get()` / jiffies, made virtual.
 */
export class VirtualClock {
  private nowNs = 0;

  /** Current virtual time, ns. */
  get now(): number {
    return this.nowNs;
  }

  /** Charge a modelled cost: time passes for everyone. */
  advance(ns: number): void {
    if (!(ns >= 0)) throw new RangeError(`clock advance by ${ns} ns: must be a non-negative number`);
    this.nowNs += ns;
  }

  /** @internal The scheduler jumps to the next sleeper's wake time. */
  advanceTo(ns: number): void {
    if (ns > this.nowNs) this.nowNs = ns;
  }
}
