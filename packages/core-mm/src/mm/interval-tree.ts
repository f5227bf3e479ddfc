/**
 * An augmented interval tree over closed intervals `[start, last]` — the kernel's
 * `interval_tree` / `INTERVAL_TREE_DEFINE` (lib/interval_tree.c), used for `i_mmap`,
 * the anon_vma chains and interval notifiers. A treap ordered by (start, insertion
 * order) with each node's subtree maximum `last`, so an overlap query costs
 * O(log n + k). Treap priorities come from a counter hash, never from `Math.random`,
 * so the shape (and iteration order) is deterministic.
 */
export class IntervalTree<T> {
  private root: IntervalNode<T> | null = null;
  private serial = 0;
  private count = 0;
  /** Nodes examined by queries so far: the deterministic cost measure of the O(log n + k) claim. */
  nodeVisits = 0;

  /** Number of intervals. */
  get size(): number {
    return this.count;
  }

  /** Insert `value` over `[start, last]`; returns the node to remove it with. */
  insert(start: number, last: number, value: T): IntervalNode<T> {
    const node: IntervalNode<T> = {
      start,
      last,
      value,
      order: this.serial,
      priority: mix(this.serial++),
      max: last,
      left: null,
      right: null,
    };
    this.root = insertNode(this.root, node);
    this.count++;
    return node;
  }

  /** Remove a node returned by `insert`; false if it is not in the tree. */
  remove(node: IntervalNode<T>): boolean {
    const before = this.count;
    this.root = removeNode(this.root, node, () => this.count--);
    return this.count < before;
  }

  /** Visit every interval overlapping `[start, last]`, in (start, insertion) order; stop when `visit` returns false. */
  query(start: number, last: number, visit: (value: T, node: IntervalNode<T>) => boolean | void): void {
    this.queryNode(this.root, start, last, visit);
  }

  private queryNode(n: IntervalNode<T> | null, start: number, last: number, visit: (value: T, node: IntervalNode<T>) => boolean | void): boolean {
    if (n === null) return true;
    this.nodeVisits++;
    if (n.max < start) return true;
    if (!this.queryNode(n.left, start, last, visit)) return false;
    if (n.start > last) return true;
    if (n.last >= start && visit(n.value, n) === false) return false;
    return this.queryNode(n.right, start, last, visit);
  }

  /** The values overlapping `[start, last]`, in order (allocates; for tests and cold paths). */
  overlapping(start: number, last: number): T[] {
    const out: T[] = [];
    this.query(start, last, (v) => void out.push(v));
    return out;
  }

  /** Every value in order. */
  values(): T[] {
    return this.overlapping(-Infinity, Infinity);
  }
}

/** A tree node; hold on to it to remove the interval. */
export interface IntervalNode<T> {
  readonly start: number;
  readonly last: number;
  readonly value: T;
  /** @internal */ readonly order: number;
  /** @internal */ readonly priority: number;
  /** @internal */ max: number;
  /** @internal */ left: IntervalNode<T> | null;
  /** @internal */ right: IntervalNode<T> | null;
}

function mix(n: number): number {
  let z = Math.imul(n + 0x9e3779b9, 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function before<T>(a: IntervalNode<T>, b: IntervalNode<T>): boolean {
  return a.start < b.start || (a.start === b.start && a.order < b.order);
}

function update<T>(n: IntervalNode<T>): void {
  let max = n.last;
  if (n.left !== null && n.left.max > max) max = n.left.max;
  if (n.right !== null && n.right.max > max) max = n.right.max;
  n.max = max;
}

function rotateRight<T>(n: IntervalNode<T>): IntervalNode<T> {
  const l = n.left!;
  n.left = l.right;
  l.right = n;
  update(n);
  update(l);
  return l;
}

function rotateLeft<T>(n: IntervalNode<T>): IntervalNode<T> {
  const r = n.right!;
  n.right = r.left;
  r.left = n;
  update(n);
  update(r);
  return r;
}

function insertNode<T>(root: IntervalNode<T> | null, node: IntervalNode<T>): IntervalNode<T> {
  if (root === null) return node;
  if (before(node, root)) {
    root.left = insertNode(root.left, node);
    if (root.left.priority > root.priority) return rotateRight(root);
  } else {
    root.right = insertNode(root.right, node);
    if (root.right.priority > root.priority) return rotateLeft(root);
  }
  update(root);
  return root;
}

function removeNode<T>(root: IntervalNode<T> | null, node: IntervalNode<T>, removed: () => void): IntervalNode<T> | null {
  if (root === null) return null;
  if (root === node) {
    removed();
    return merge(root.left, root.right);
  }
  if (before(node, root)) root.left = removeNode(root.left, node, removed);
  else root.right = removeNode(root.right, node, removed);
  update(root);
  return root;
}

function merge<T>(a: IntervalNode<T> | null, b: IntervalNode<T> | null): IntervalNode<T> | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.priority > b.priority) {
    a.right = merge(a.right, b);
    update(a);
    return a;
  }
  b.left = merge(a, b.left);
  update(b);
  return b;
}
