import { SmmuError, WaitQueue, type Machine, type Task } from '@secondary-mmu/core-mm';
import { XpmemChannel } from './channel.js';
import { XpmemExchange } from './exchange.js';
import { resolveFabricOptions, type ResolvedXpmemFabricOptions, type XpmemFabricOptions } from './options.js';
import { XpmemPartition } from './partition.js';

/** The fabric's counters. Kernel counterpart: none (XPC's channel statistics at most). */
export interface XpmemFabricStats {
  /** Exchanges started. */
  exchanges: number;
  /** Transmissions made (each message once, plus its retransmissions). */
  transmissions: number;
  /** Transmissions lost. */
  lost: number;
  /** Messages the link gave up on after their retransmissions. */
  givenUp: number;
  /** Exchanges abandoned at the cut-off. */
  cutOffs: number;
}

/**
 * A message fabric between partitions of one `Machine`: ordered channels per
 * direction, a one-way latency plus jitter per transmission, message loss with a
 * bounded number of retransmissions, a slow-partition knob and a cut-off — all in
 * virtual time, every draw from the machine's `faults` random stream, so a run is one
 * replayable schedule.
 *
 * An exchange ({@link XpmemFabric.send}) spawns a task that carries the message: it
 * sleeps the transmission time, waits its turn on the channel, runs the handler as the
 * receiving partition's task, and carries the answer back the same way. Nothing by
 * the cut-off — the peer stopped answering, or a message was lost more often than the
 * retransmissions allow — ends the exchange as `cut-off`, at `sentAt + cutoffNs`.
 *
 * Kernel counterpart: none as such — SGI's XPC (`drivers/misc/sgi-xp`), over which the
 * 2008 XPMEM sent its requests and recalls between partitions.
 */
export class XpmemFabric {
  readonly options: ResolvedXpmemFabricOptions;
  readonly stats: XpmemFabricStats = { exchanges: 0, transmissions: 0, lost: 0, givenUp: 0, cutOffs: 0 };
  private readonly partitions = new Map<string, XpmemPartition>();
  private readonly channels = new Map<string, XpmemChannel>();
  /** Senders sleep here until their exchanges are done. */
  private readonly answers: WaitQueue;

  constructor(
    readonly machine: Machine,
    options: XpmemFabricOptions = {},
  ) {
    this.options = resolveFabricOptions(options);
    this.answers = new WaitQueue(machine, 'xpmem fabric answers');
  }

  /** A new partition `name`; EINVAL (nothing made) for an empty or taken name. */
  partition(name: string): XpmemPartition {
    if (typeof name !== 'string' || name === '') throw new SmmuError('EINVAL', `xpmem fabric: partition name ${String(name)} must be a non-empty string`);
    if (this.partitions.has(name)) throw new SmmuError('EINVAL', `xpmem fabric: partition ${name} already exists`);
    const p = new XpmemPartition(name);
    this.partitions.set(name, p);
    return p;
  }

  /** The partition named `name`, if any. */
  find(name: string): XpmemPartition | undefined {
    return this.partitions.get(name);
  }

  /**
   * Send a request `what` from `from` to `to`: `handler` runs as `to`'s task when the
   * request is delivered, and its value (or error) travels back. Returns at once; sleep
   * on {@link XpmemFabric.wait} for the answer.
   */
  send<T>(from: XpmemPartition, to: XpmemPartition, what: string, handler: (task: Task) => T | Promise<T>): XpmemExchange<T> {
    const x = new XpmemExchange<T>(what, this.machine.clock.now);
    const forth = this.channel(from, to);
    const back = this.channel(to, from);
    const n = this.stats.exchanges++;
    const seq = forth.enqueue(); // its place in the channel's order is taken now, at the send
    this.machine.sched.spawn(`${to.name}: ${what} #${n}`, (task) => this.carry(task, x, forth, seq, back, to, handler), { daemon: true });
    return x;
  }

  /** Sleep until every exchange of `exchanges` is done (a sleeping call). */
  wait(task: Task, exchanges: readonly XpmemExchange<unknown>[], site?: string): void | Promise<void> {
    return this.answers.waitEvent(task, () => exchanges.every((x) => x.done), site);
  }

  private channel(from: XpmemPartition, to: XpmemPartition): XpmemChannel {
    const name = `${from.name} -> ${to.name}`;
    let ch = this.channels.get(name);
    if (ch === undefined) this.channels.set(name, (ch = new XpmemChannel(this.machine, name)));
    return ch;
  }

  private async carry<T>(task: Task, x: XpmemExchange<T>, forth: XpmemChannel, seq: number, back: XpmemChannel, to: XpmemPartition, handler: (task: Task) => T | Promise<T>): Promise<void> {
    const deadline = x.sentAt + this.options.cutoffNs;
    if (!(await this.transmit(task, forth, seq)) || !to.answering) return this.cutOff(task, x, deadline);
    if (to.delayNs > 0) await this.machine.sched.sleep(task, to.delayNs);
    to.handled++;
    let value: T | undefined;
    try {
      value = await handler(task);
    } catch (error) {
      x.error = error;
    }
    if (!(await this.transmit(task, back, back.enqueue()))) return this.cutOff(task, x, deadline);
    if (x.error === undefined) x.answer = { ok: true, value: value as T };
    this.finish(x);
  }

  /**
   * Message `seq` over `ch`: transmissions (each the latency plus jitter, never arriving
   * before the one sent before it) until one is not lost, at most `maxRetransmits`
   * retransmissions `retransmitTimeoutNs` apart; then its turn in the channel's order.
   * False when the link gave up on it.
   */
  private async transmit(task: Task, ch: XpmemChannel, seq: number): Promise<boolean> {
    const { latencyNs, jitterNs, loss, maxRetransmits, retransmitTimeoutNs } = this.options;
    const rng = this.machine.rng.faults;
    let delivered = false;
    for (let attempt = 0; attempt <= maxRetransmits && !delivered; attempt++) {
      if (attempt > 0) await this.machine.sched.sleep(task, retransmitTimeoutNs);
      this.stats.transmissions++;
      const now = this.machine.clock.now;
      const arrival = Math.max(now + latencyNs + (jitterNs > 0 ? rng.int(0, jitterNs) : 0), ch.lastArrival);
      ch.lastArrival = arrival;
      if (arrival > now) await this.machine.sched.sleep(task, arrival - now);
      delivered = !(loss > 0 && rng.chance(loss));
      if (!delivered) this.stats.lost++;
    }
    if (!delivered) this.stats.givenUp++;
    await ch.awaitTurn(task, seq);
    ch.done();
    return delivered;
  }

  private async cutOff(task: Task, x: XpmemExchange<unknown>, deadline: number): Promise<void> {
    const now = this.machine.clock.now;
    if (deadline > now) await this.machine.sched.sleep(task, deadline - now);
    this.stats.cutOffs++;
    x.answer = { ok: false, reason: 'cut-off' };
    x.error = undefined;
    this.finish(x);
  }

  private finish(x: XpmemExchange<unknown>): void {
    x.done = true;
    x.finishedAt = this.machine.clock.now;
    this.answers.wakeUp();
  }
}
