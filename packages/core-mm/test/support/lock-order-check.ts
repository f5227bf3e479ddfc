import type { LockOrder } from '../../src/mm/lock-order.js';

/** A lockdep class as the check needs it (a `LockClass` is one). */
export interface ClassRef {
  readonly name: string;
  readonly subclass: number;
}

/** An observed dependency `from -> to` (a `LockEdge` from `lockdep.edges()` is one). */
export interface ObservedEdge {
  readonly from: ClassRef;
  readonly to: ClassRef;
  readonly task?: string;
  readonly site?: string;
  readonly held?: readonly string[];
}

/**
 * An observed edge the table does not allow:
 * - `inverted`: a chain of the table puts `to` before `from` (or, for two subclasses of
 *   one class, the nesting runs backwards: `ptl/1 -> ptl`);
 * - `unordered`: both locks are in the table but share no chain, so the table gives
 *   them no order at all.
 */
export interface LockOrderFinding {
  readonly kind: 'inverted' | 'unordered';
  /** `from -> to`, with subclasses (`mmap_lock/1`). */
  readonly from: string;
  readonly to: string;
  /** For `inverted`: the table's chain that orders them the other way. */
  readonly chain?: readonly string[];
  readonly edge: ObservedEdge;
}

/** The outcome of {@link checkLockOrder}. */
export interface LockOrderCheck {
  /** Edges between two classes of the table that the table does not allow, in the order given. */
  readonly inconsistent: LockOrderFinding[];
  /** Class names that occur in some edge but not in the table, sorted; their edges were not judged. */
  readonly unknown: string[];
  /** How many edges were judged (both ends in the table) and found consistent. */
  readonly consistent: number;
}

/**
 * Judge lockdep's observed dependencies against one era's documented lock order.
 *
 * An edge is judged only when both of its classes are in the table. A class the table
 * does not know — a driver's lock (`dmirror->mutex`), a test's lock — is listed in
 * `unknown` and its edges are left alone: the table documents the memory model's
 * locks, and how a driver nests its own locks among them is that driver's contract,
 * which lockdep's own cycle detection still checks. A caller that runs only model code
 * expects `unknown` to be empty, so a lock class added to the model without a place in
 * the table is noticed rather than silently accepted.
 *
 * Two subclasses of one class (`mmap_lock -> mmap_lock/1`, fork's nesting) are in order
 * when the subclass grows; the nesting annotation is the code's claim, and lockdep
 * reports a same-subclass recursion itself.
 */
export function checkLockOrder(edges: readonly ObservedEdge[], order: LockOrder): LockOrderCheck {
  const known = new Set(order.flat());
  const unknown = new Set<string>();
  const inconsistent: LockOrderFinding[] = [];
  let consistent = 0;
  for (const edge of edges) {
    const { from, to } = edge;
    let missing = false;
    for (const name of [from.name, to.name]) {
      if (!known.has(name)) {
        unknown.add(name);
        missing = true;
      }
    }
    if (missing) continue;
    const finding = judge(edge, order);
    if (finding === null) consistent++;
    else inconsistent.push(finding);
  }
  return { inconsistent, unknown: [...unknown].sort(), consistent };
}

function judge(edge: ObservedEdge, order: LockOrder): LockOrderFinding | null {
  const { from, to } = edge;
  const base = { from: label(from), to: label(to), edge };
  if (from.name === to.name) return to.subclass > from.subclass ? null : { kind: 'inverted', ...base };
  let against: readonly string[] | undefined;
  for (const chain of order) {
    const i = chain.indexOf(from.name);
    const j = chain.indexOf(to.name);
    if (i < 0 || j < 0) continue;
    if (i < j) return null;
    against ??= chain;
  }
  return against !== undefined ? { kind: 'inverted', ...base, chain: against } : { kind: 'unordered', ...base };
}

/** A finding as one report line: the edge, who made it first and where, what was held, and the table's chain. */
export function formatFinding(f: LockOrderFinding): string {
  const e = f.edge;
  const who = e.task !== undefined ? ` first by ${e.task}${e.site !== undefined ? ` at ${e.site}` : ''}` : '';
  const held = e.held !== undefined ? `, holding [${e.held.join(', ')}]` : '';
  const why = f.kind === 'inverted' ? (f.chain !== undefined ? `the table has ${f.chain.join(' -> ')}` : 'the nesting runs backwards') : 'the table orders them nowhere';
  return `${f.kind}: ${f.from} -> ${f.to}${who}${held}; ${why}`;
}

/**
 * The table's own consistency: pairs that two chains order both ways (a table that
 * contradicts itself would excuse either order). Empty for a partial order.
 */
export function contradictions(order: LockOrder): string[] {
  const before = new Set<string>();
  for (const chain of order) for (let i = 0; i < chain.length; i++) for (let j = i + 1; j < chain.length; j++) before.add(`${chain[i]} -> ${chain[j]}`);
  const out: string[] = [];
  for (const chain of order) for (let i = 0; i < chain.length; i++) for (let j = i + 1; j < chain.length; j++) if (before.has(`${chain[j]} -> ${chain[i]}`)) out.push(`${chain[i]} -> ${chain[j]}`);
  return [...new Set(out)].sort();
}

function label(c: ClassRef): string {
  return c.subclass === 0 ? c.name : `${c.name}/${c.subclass}`;
}
