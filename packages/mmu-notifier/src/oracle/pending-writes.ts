import type { MmEvent, Task } from '@secondary-mmu/core-mm';
import type { JudgedTranslation } from './judged-translation.js';
import type { OracleContext } from './oracle-context.js';
import { hex, PageMap } from './page-map.js';

interface PendingWrite {
  readonly task: Task;
  readonly handle: string;
  readonly device: string;
  readonly pfn: number;
  /** The frame's generation at the write: a frame freed and allocated again is another page. */
  readonly generation: number;
  readonly value: number;
  readonly time: number;
}

/**
 * @internal Device writes whose lost-write verdict waits for the primary: the write
 * went to the frame a swap entry (its swap-cache page) or a migration entry still
 * names, so whether the process will see it depends on what the PTE becomes. Only the
 * latest such write per page and frame waits: an earlier one was overwritten in the
 * frame itself (or in the frame a migration of the swap-cache page carried it to), not
 * lost. When a frame is mapped there again: the same frame of the
 * same generation (freed and allocated again, it is another page, read from the slot),
 * or one whose content word equals the value written (a migration copy made after the
 * write), keeps the write; any other frame is a `lost-write`. If the entry is zapped
 * instead, the process discarded the page and nothing is reported. Kernel counterpart:
 * none.
 */
export class PendingWrites {
  private readonly pending = new PageMap<PendingWrite[]>();

  constructor(private readonly oracle: OracleContext) {}

  /** A write through `h` waits for its verdict; it supersedes an earlier pending write to the same page and frame (of the same generation: allocated again, the frame is another page), or one whose word the frame holds (carried here by a migration): the frame now holds this one's word. */
  add(task: Task, h: JudgedTranslation, value: number): void {
    const w: PendingWrite = { task, handle: h.toString(), device: h.device.name, pfn: h.pfn, generation: h.generation, value, time: this.oracle.machine.clock.now };
    const list = this.pending.get(h.mm.id, h.address);
    if (list === undefined) {
      this.pending.set(h.mm.id, h.address, [w]);
      return;
    }
    // Judged before it happens: the frame still holds an earlier write's word when the page
    // moved here after it (a migration copy), and this write overwrites it here too.
    const word = this.oracle.machine.mem.frames.content[h.pfn];
    const i = list.findIndex((p) => (p.pfn === h.pfn && p.generation === h.generation) || p.value === word);
    if (i >= 0) list[i] = w;
    else list.push(w);
  }

  onPte(e: Extract<MmEvent, { kind: 'pte' }>): void {
    const list = this.pending.get(e.mm, e.address);
    if (list === undefined) return;
    const q = e.newPfn;
    // Still an entry naming the frame. A list exists only while the PTE is an entry, and no
    // entry is installed over an entry, so no swapout/migrate entry event ever meets one:
    if (
      // Stryker disable next-line LogicalOperator: no swapout/migrate entry event meets a list
      q < 0 &&
      // Stryker disable next-line LogicalOperator,StringLiteral: no swapout/migrate entry event meets a list
      (e.cause === 'swapout' ||
        // Stryker disable next-line ConditionalExpression,StringLiteral: no migrate entry event meets a list
        e.cause === 'migrate')
    )
      return;
    this.pending.delete(e.mm, e.address);
    if (q < 0) return; // zapped: the process threw the page away
    const { content, generation } = this.oracle.machine.mem.frames;
    const entry =
      e.cause === 'swapin'
        ? 'swap'
        : // Stryker disable next-line StringLiteral: a lost write at a remap other than swap-in needs a device write after the migration copy, which the model's migration leaves no room for
          'swap or migration';
    for (const w of list) {
      if ((q === w.pfn && generation[q] === w.generation) || content[q] === w.value) continue;
      this.oracle.report(
        w.task,
        'lost-write',
        `${w.device}: write of ${hex(w.value)} at ${hex(e.address)} (mm ${e.mm}) to pfn ${w.pfn} at ${w.time} ns, while the primary had a ${entry} entry there, is lost: the process now maps pfn ${q} (${e.cause}) holding ${hex(content[q]!)}`,
        [w.handle],
      );
    }
  }
}
