/** 32-bit FNV-1a over a string's UTF-16 code units, from `seed`. */
function fnv1a32(text: string, seed: number, prime: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, prime) >>> 0;
  }
  return h >>> 0;
}

/** A 64-bit hex digest (two independent FNV-1a-style lanes): fingerprints of programs. */
export function digest(text: string): string {
  const a = fnv1a32(text, 0x811c9dc5, 0x01000193);
  const b = fnv1a32(text, 0x050c5d1f, 0x5bd1e995);
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}
