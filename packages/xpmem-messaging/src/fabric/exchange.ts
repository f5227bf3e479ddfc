/**
 * How an exchange ended: the peer's answer, or nothing by the cut-off (the peer stopped
 * answering, or the link gave up on a message after its retransmissions). Kernel
 * counterpart: none (an XPC message's completion, `xpMsgDelivered` or a timeout).
 */
export type XpmemAnswer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: 'cut-off' };

/**
 * One request and its answer in flight between two partitions; the sender sleeps on
 * the fabric until it is {@link XpmemExchange.done}. The handler's error, if it threw
 * one, travels back in place of a value. Kernel counterpart: none (XPMEM's request
 * structures waiting for their reply message).
 */
export class XpmemExchange<T> {
  /** Answered, failed or cut off. */
  done = false;
  answer: XpmemAnswer<T> | null = null;
  /** What the handler threw, sent back instead of a value. */
  error: unknown = undefined;
  /** Virtual time the answer (or the cut-off) reached the sender. */
  finishedAt = -1;

  constructor(
    /** What was asked, for names and messages. */
    readonly what: string,
    /** Virtual time it was sent, ns. */
    readonly sentAt: number,
  ) {}
}
