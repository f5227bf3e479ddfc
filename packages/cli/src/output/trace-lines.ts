import type { NotifierTrace } from '@secondary-mmu/mmu-notifier';

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * The trace as lines in its total order (`seq`): callbacks with their range, event,
 * blockability, duration and result; device accesses; lifecycle steps; reclaim scans;
 * frame allocations. Times are virtual ns. Kernel counterpart: an ftrace text dump.
 */
export function traceLines(trace: NotifierTrace): string[] {
  const lines: { seq: number; text: string }[] = [];
  for (const r of trace.callbacks) {
    const range = r.start >= 0 ? ` [${hex(r.start)}, ${hex(r.end)})` : r.pfn >= 0 ? ` pfn ${r.pfn}` : '';
    const took = r.duration === null ? ' (did not return)' : r.duration > 0 ? ` took ${r.duration} ns` : '';
    const outcome = r.error !== null ? ` threw: ${r.error}` : r.result !== null ? ` -> ${String(r.result)}` : '';
    lines.push({ seq: r.seq, text: `${r.time} ${r.task}: ${r.driver}.${r.callback}${range}${r.event === null ? '' : ` ${r.event}`}${r.blockable ? '' : ' non-blockable'}${took}${outcome}` });
  }
  for (const a of trace.accesses) lines.push({ seq: a.seq, text: `${a.time} ${a.task}: ${a.device} ${a.write ? 'writes' : 'reads'} ${hex(a.address)} (pfn ${a.pfn})` });
  for (const l of trace.lifecycle) lines.push({ seq: l.seq, text: `${l.time} ${l.task ?? '-'}: ${l.driver} ${l.step}${l.mm === null ? '' : ` mm ${l.mm}`}` });
  for (const s of trace.scans) lines.push({ seq: s.seq, text: `${s.time} reclaim: pfn ${s.pfn} ${s.verdict}` });
  for (const a of trace.allocs) lines.push({ seq: a.seq, text: `${a.time} alloc: pfn ${a.pfn}` });
  return lines.sort((a, b) => a.seq - b.seq).map((l) => l.text);
}
