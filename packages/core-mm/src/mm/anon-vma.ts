import { IntervalTree } from '../util/interval-tree.js';
import type { Memory } from './memory.js';
import { RmapLock } from './rmap-lock.js';
import type { Vma } from './vma.js';

/**
 * `struct anon_vma`: the reverse map of anonymous pages. A page's `mapping` names the
 * anon_vma of the vma it was faulted in; every vma that may map it — the original and
 * its fork descendants — is linked into that anon_vma's tree (over its pgoff range)
 * through an `anon_vma_chain`. The lock lives in the root of the fork tree, as in the
 * kernel (`anon_vma->root->rwsem`; a spinlock, `anon_vma->lock`, in 2008).
 */
export class AnonVma {
  readonly id: number;
  readonly root: AnonVma;
  readonly parent: AnonVma | null;
  /** The vmas linked in, keyed by their page-offset range (`anon_vma->rb_root`). */
  readonly tree = new IntervalTree<Vma>();
  private readonly ownLock: RmapLock | null;

  constructor(memory: Memory, parent: AnonVma | null) {
    this.id = memory.newMappingId(this);
    this.parent = parent;
    this.root = parent === null ? this : parent.root;
    this.ownLock = parent === null ? new RmapLock(memory.machine, { spin: 'anon_vma->lock', rwsem: 'anon_vma->rwsem' }) : null;
  }

  /** The root's lock, shared by the whole fork tree. */
  get lock(): RmapLock {
    return this.root.ownLock!;
  }
}

/** Link `vma` into `anonVma`'s tree (`anon_vma_chain_link`); the caller holds the anon_vma lock for writing. */
export function linkAnonVma(vma: Vma, anonVma: AnonVma): void {
  const chain = { anonVma, node: anonVma.tree.insert(vma.pgoff, vma.lastPgoff, vma) };
  vma.chains.push(chain);
}

/** Re-key `vma` in every anon_vma tree after its range or pgoff changed. */
export function relinkAnonVma(vma: Vma): void {
  for (const chain of vma.chains) {
    if (chain.node !== null) chain.anonVma.tree.remove(chain.node);
    chain.node = chain.anonVma.tree.insert(vma.pgoff, vma.lastPgoff, vma);
  }
}

/** Unlink `vma` from every anon_vma (`unlink_anon_vmas`). */
export function unlinkAnonVmas(vma: Vma): void {
  for (const chain of vma.chains) if (chain.node !== null) chain.anonVma.tree.remove(chain.node);
  vma.chains.length = 0;
}
