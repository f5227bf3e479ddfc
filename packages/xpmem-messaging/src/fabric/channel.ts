import { WaitQueue, type Machine, type Task } from '@secondary-mmu/core-mm';

/**
 * One direction between two partitions: messages are delivered in the order they were
 * sent, whatever their latency and retransmissions (a later message waits for an
 * earlier one's delivery, as a reliable link's in-order delivery makes it).
 * Kernel counterpart: an XPC channel (`struct xpc_channel`), in-order per direction.
 */
export class XpmemChannel {
  /** Messages sent on it (each message's sequence number is the count before it). */
  sent = 0;
  /** Messages delivered (or given up on): the next to deliver is number `delivered`. */
  delivered = 0;
  /** Virtual time the last transmission on it arrives: no later message overtakes it. */
  lastArrival = 0;
  private readonly turn: WaitQueue;

  constructor(
    machine: Machine,
    readonly name: string,
  ) {
    this.turn = new WaitQueue(machine, `xpmem channel ${name}`);
  }

  /** Take the next sequence number. */
  enqueue(): number {
    return this.sent++;
  }

  /** Sleep until message `seq` is next in order. */
  awaitTurn(task: Task, seq: number): void | Promise<void> {
    return this.turn.waitEvent(task, () => this.delivered === seq);
  }

  /** Message `seq` was delivered (or given up on): let the next one through. */
  done(): void {
    this.delivered++;
    this.turn.wakeUp();
  }
}
