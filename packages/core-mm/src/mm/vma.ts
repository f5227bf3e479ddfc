import type { IntervalNode } from '../util/interval-tree.js';
import type { AnonVma } from './anon-vma.js';
import type { Inode } from './inode.js';
import { PAGE_SIZE } from './layout.js';
import type { Mm } from './mm.js';

/** `vm_flags` bits (`VM_READ`, `VM_WRITE`, …). */
export const VM = {
  read: 0x1,
  write: 0x2,
  exec: 0x4,
  shared: 0x8,
  mayRead: 0x10,
  mayWrite: 0x20,
  mayExec: 0x40,
  mayShare: 0x80,
  locked: 0x2000,
} as const;

/** The protection part of `vm_flags`. */
export const VM_PROT_MASK = VM.read | VM.write | VM.exec;

/** A link of a vma into one anon_vma's tree (`struct anon_vma_chain`). */
export interface AnonVmaChain {
  readonly anonVma: AnonVma;
  node: IntervalNode<Vma> | null;
}

/**
 * `struct vm_area_struct`: `[start, end)` of one mm with the same flags and backing.
 * Anonymous memory hangs off `anonVma` (created at the first anonymous fault) and the
 * chains link the vma into every anon_vma of its fork ancestry; a file mapping sits
 * in its inode's `i_mmap` tree over `[pgoff, lastPgoff]`.
 */
export class Vma {
  start: number;
  end: number;
  flags: number;
  /** `vm_pgoff`: file page of `start`, or for anonymous memory `start / PAGE_SIZE` at creation. */
  pgoff: number;
  readonly mm: Mm;
  readonly file: Inode | null;
  anonVma: AnonVma | null = null;
  /** `anon_vma_chain`: one link per anon_vma this vma's pages may belong to. */
  readonly chains: AnonVmaChain[] = [];
  /** Node in `file.iMmap`, while linked. */
  iMmapNode: IntervalNode<Vma> | null = null;

  constructor(mm: Mm, start: number, end: number, flags: number, file: Inode | null, pgoff: number) {
    this.mm = mm;
    this.start = start;
    this.end = end;
    this.flags = flags;
    this.file = file;
    this.pgoff = pgoff;
  }

  /** Pages in the vma. */
  get pages(): number {
    return (this.end - this.start) / PAGE_SIZE;
  }

  /** `vma_last_pgoff()`. */
  get lastPgoff(): number {
    return this.pgoff + this.pages - 1;
  }

  /** `linear_page_index()`: the page index of `address`. */
  pageIndex(address: number): number {
    return this.pgoff + (address - this.start) / PAGE_SIZE;
  }

  /** `vma_address()`: where page index `index` is mapped, or -1 if outside the vma. */
  addressOf(index: number): number {
    const address = this.start + (index - this.pgoff) * PAGE_SIZE;
    return address >= this.start && address < this.end ? address : -1;
  }

  /** Private (COW) mapping: neither `VM_SHARED` nor `VM_MAYSHARE`. */
  get isPrivate(): boolean {
    return (this.flags & VM.shared) === 0;
  }

  /** `vma_is_anonymous()`. */
  get isAnonymous(): boolean {
    return this.file === null;
  }

  toString(): string {
    const p = (bit: number, c: string): string => ((this.flags & bit) !== 0 ? c : '-');
    return `${this.start.toString(16)}-${this.end.toString(16)} ${p(VM.read, 'r')}${p(VM.write, 'w')}${p(VM.exec, 'x')}${this.isPrivate ? 'p' : 's'}${this.file ? ` ${this.file.name}@${this.pgoff}` : ''}`;
  }
}
