/**
 * What the XPMEM driver declares, in the shape of the testkit's `DriverCapabilities`
 * (this package does not depend on the testkit: it matches the contract structurally):
 * its importers' translations hold pins (the owner pins every page it hands out), no
 * aging, its invalidations sleep (a recall waits for every importer's acknowledgement),
 * a non-blockable range is refused (`-EAGAIN`, or false from the interval notifier),
 * and its translations are its own. Kernel counterpart: the design of XPMEM
 * (`hpc/xpmem`, and SGI's 2008 cross-partition driver).
 */
export const XPMEM_CAPABILITIES = Object.freeze({
  holdsPageRefs: true,
  implementsAging: false,
  mayBlock: true,
  mayFailStart: true,
  sharesCpuPageTable: false,
} as const);
