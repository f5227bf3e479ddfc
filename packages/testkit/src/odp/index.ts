/**
 * The ODP mirror, the multi-region reference driver: one interval notifier per
 * registered memory region, after RDMA on-demand paging (`umem_odp.c`, mlx5 ODP).
 */
export { OdpRegion, type OdpRegions } from './region.js';
export { odpInvalidateRange } from './invalidate.js';
export { OdpMirror, type OdpMirrorOptions } from './instance.js';
export { attachOdpMirror, odpMirror, odpMirrorDriver, ODP_MIRROR_CAPABILITIES, type OdpMirrorDriverOptions } from './factory.js';
