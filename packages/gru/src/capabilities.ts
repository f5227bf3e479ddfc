/**
 * What the GRU driver declares, in the shape of the testkit's `DriverCapabilities`: no
 * page references (a TLB entry keeps nothing), no aging (the GRU has no young
 * callbacks and its accesses set no accessed bit), never blocks (its callbacks take
 * only a spinlock), never fails a start, and a TLB of its own (it does not share the
 * CPU page table: the driver walks it and drops entries in). Kernel counterpart: the
 * design of drivers/misc/sgi-gru (`gru_mmuops`).
 */
export const GRU_CAPABILITIES = Object.freeze({
  holdsPageRefs: false,
  implementsAging: false,
  mayBlock: false,
  mayFailStart: false,
  sharesCpuPageTable: false,
} as const);
