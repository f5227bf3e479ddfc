/**
 * The seed of schedule `index` of an exploration with base seed `base`: a 32-bit
 * integer mix (splitmix32-style finaliser) of both, so nearby bases and indices give
 * unrelated streams. Pure and deterministic.
 */
export function scheduleSeed(base: number, index: number): number {
  let x = (Math.imul(base | 0, 0x9e3779b9) + Math.imul(index + 1, 0x85ebca6b)) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
