import { shrinkPage, walkPageTable, type Machine, type ScanVerdict, type Task } from '@secondary-mmu/core-mm';
import { ANON, P, RW, v } from './helpers.js';

/** The kinds of the machine's violations, in order. */
export function kinds(m: Machine): string[] {
  return m.report.violations.map((x) => x.kind);
}

/** The messages of the machine's violations of `kind`. */
export function messages(m: Machine, kind: string): string[] {
  return m.report.violations.filter((x) => x.kind === kind).map((x) => x.message);
}

/** `pages` anonymous RW pages, each written with 100 + its index; returns the address. */
export async function anonPages(m: Machine, t: Task, pages = 1): Promise<number> {
  const a = await v(m.mem.mmap(t, { length: pages * P, prot: RW, flags: ANON }));
  for (let i = 0; i < pages; i++) await v(m.mem.write(t, a + i * P, 100 + i));
  return a;
}

/** The frame mapped at `address` now (present entries), or -1. */
export function frameAt(t: Task, address: number): number {
  return walkPageTable(t.mm!, address)?.pfn ?? -1;
}

/** Reclaim passes over `pfn` (by kswapd) until one frees it or `max` passes ran; returns the verdicts. */
export async function reclaim(m: Machine, pfn: number, options: { max?: number; writePage?: boolean } = {}): Promise<ScanVerdict[]> {
  const kswapd = m.task('kswapd');
  const verdicts: ScanVerdict[] = [];
  for (let i = 0; i < (options.max ?? 4); i++) {
    const verdict = await v(shrinkPage(m.mem, kswapd, pfn, options.writePage === undefined ? {} : { writePage: options.writePage }));
    verdicts.push(verdict);
    if (verdict === 'freed') break;
  }
  return verdicts;
}
