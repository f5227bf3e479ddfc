/**
 * One partition on the fabric: an operating-system instance of its own in the real
 * machine, here a name whose messages are handled by tasks spawned for it on the one
 * scheduler (so a run stays one replayable schedule). Two knobs: `delayNs`, the time it
 * takes to handle each message (a slow partition), and `answering` (false: it has
 * stopped answering; its peers cut it off at the fabric's cut-off).
 *
 * Kernel counterpart: an SGI partition reached through XPC (`struct xpc_partition`),
 * whose XPMEM instance answers the owner's requests.
 */
export class XpmemPartition {
  /** Extra virtual ns spent handling each message delivered to it (the slow-partition knob). */
  delayNs = 0;
  /** False once it stops answering: what is sent to it is never handled nor answered. */
  answering = true;
  /** Messages handled here. */
  handled = 0;

  constructor(readonly name: string) {}
}
