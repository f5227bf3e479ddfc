import { SmmuError } from '../errors.js';

/**
 * Deep copies of a machine's object graph, for a testkit that builds a scenario's world
 * once and gives every run a copy instead of building it again.
 *
 * What a copy keeps: every object's prototype and own fields in their order (so the
 * copies of one class share one V8 shape), shared references and cycles (each object
 * is copied once), typed arrays as views on copies of their buffers (the frame
 * table's columns share one buffer, and so do their copies), `Map`s and `Set`s with
 * copied keys and values, holes in arrays. Frozen objects are immutable and shared, not
 * copied (a validated scenario is deep-frozen). A closure is opaque — what it captured
 * cannot be read — so only a closure made with {@link closureOver} is copied: its
 * recipe is called again over copies of what it captured. Anything else that cannot be
 * copied faithfully (an unregistered function, a promise, a `WeakMap`, an accessor
 * field, a field an inherited accessor would take) is refused with a
 * {@link GraphCopyError} naming where it was found, when the template is made; the
 * caller then builds its world instead.
 *
 * Kernel counterpart: none (the nearest is `fork()`'s `dup_mmap`, which copies one mm,
 * not a machine).
 */

/** How to remake a closure over copies of what it captured. */
interface Recipe {
  readonly make: (...captured: never[]) => unknown;
  readonly captured: readonly unknown[];
}

/**
 * Where a closure keeps its recipe: a hidden field of the closure itself, not a
 * `WeakMap` from closure to recipe. Every run makes a few such closures; as keys of a
 * long-lived `WeakMap` they would be ephemerons, which V8's young-generation GC keeps
 * alive, with everything they capture, until a full GC (measured: schedules 2.6× slower
 * with `tuneHeapForExploration`). `Symbol.for`: the ESM and CJS copies of this package
 * read one another's recipes.
 */
const RECIPE = Symbol.for('@secondary-mmu/core-mm:closureOver');

/**
 * `make(...captured)`, remembered so that {@link copyGraph} can make the same closure
 * (or object of closures) again over copies of `captured`. `make` must build its
 * result from its arguments alone. Kernel counterpart: none.
 */
export function closureOver<C extends unknown[], T extends object>(make: (...captured: C) => T, ...captured: C): T {
  const made = make(...captured);
  // A plain store, not defineProperty (several times slower, and every run makes a few).
  (made as Record<symbol, Recipe>)[RECIPE] = { make, captured };
  return made;
}

/** The recipe `value` was made with ({@link closureOver}), if any. */
function recipeOf(value: object): Recipe | undefined {
  return Object.prototype.hasOwnProperty.call(value, RECIPE) ? (value as Record<symbol, Recipe>)[RECIPE] : undefined;
}

/** Why {@link copyGraph} refused: the path from the root to what it could not copy. Code `EINVAL`. Kernel counterpart: none. */
export class GraphCopyError extends SmmuError {
  /** Where the object was found, from the root (`root.mem.allocator.onFree`). */
  readonly path: string;

  constructor(path: string, what: string) {
    super('EINVAL', `cannot copy ${what} at ${path}`);
    this.path = path;
  }
}

/** A deep copy of `root` (see the module comment); throws {@link GraphCopyError} on what it cannot copy. Kernel counterpart: none. */
export function copyGraph<T>(root: T): T {
  return new GraphTemplate(root).copy();
}

/**
 * A graph to be copied many times, and never changed after it is given: walked once,
 * when made — checked (a {@link GraphCopyError} then) and laid out as a plan, one entry
 * per object with where its references are — so that a copy is a few passes over the
 * plan: shells first (`Object.assign` of each object's fields, `slice` of each array
 * and buffer), then the references pointed at the copies. Changing the template after
 * making it voids the plan. Kernel counterpart: none.
 */
export class GraphTemplate<T> {
  /** The root: its plan index, or itself when it is shared (a primitive, a frozen object). */
  private readonly root: Slot;
  private readonly plan: readonly Entry[];
  /** The plan indices of closures, made after every other shell (they capture shells). */
  private readonly closures: readonly number[];

  constructor(root: T) {
    const planner = new Planner();
    this.root = planner.visit(root, 'root');
    this.plan = planner.plan;
    this.closures = planner.plan.flatMap((e, i) => (e.kind === 'closure' ? [i] : []));
  }

  /** A fresh deep copy of the template. */
  copy(): T {
    const plan = this.plan;
    const out: unknown[] = new Array(plan.length);
    for (let i = 0; i < plan.length; i++) out[i] = shell(plan[i]!, out);
    for (const i of this.closures) remakeAt(plan, out, i);
    for (let i = 0; i < plan.length; i++) link(plan[i]!, out[i], out);
    return resolve(this.root, out) as T;
  }
}

/** A slot that holds a copied object (its plan index) or a value shared as is. */
type Slot = { readonly index: number } | { readonly value: unknown };

/** One object of a template, and where its references to other copied objects are. */
type Entry =
  | { readonly kind: 'fields'; readonly from: object; readonly proto: object | null; readonly keys: readonly (string | symbol)[]; readonly refs: readonly number[] }
  | { readonly kind: 'array'; readonly from: readonly unknown[]; readonly at: readonly number[]; readonly refs: readonly number[] }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [Slot, Slot])[] }
  | { readonly kind: 'set'; readonly elements: readonly Slot[] }
  | { readonly kind: 'buffer'; readonly from: ArrayBuffer }
  | { readonly kind: 'view'; readonly from: ArrayBufferView; readonly buffer: number; readonly length: number }
  | { readonly kind: 'closure'; readonly recipe: Recipe; readonly captured: readonly Slot[] };

/**
 * Whether a value is copied, not shared: an object or function that is not frozen
 * (`Object.isFrozen` answers true for every primitive and for null).
 */
function isReference(value: unknown): value is object {
  return !Object.isFrozen(value);
}

/** An entry's copy before its references are linked: fields and elements still point at the template's. */
function shell(e: Entry, out: readonly unknown[]): unknown {
  switch (e.kind) {
    case 'fields':
      return Object.assign(Object.create(e.proto) as object, e.from);
    case 'array':
      return e.from.slice();
    case 'map':
      return new Map();
    case 'set':
      return new Set();
    case 'buffer':
      return e.from.slice(0);
    case 'view': {
      const Kind = e.from.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => ArrayBufferView;
      return new Kind(out[e.buffer] as ArrayBuffer, e.from.byteOffset, e.length);
    }
    case 'closure':
      return undefined; // made by remakeAt, once what it captured exists
  }
}

/** Make closure `i` over the copies of what it captured (a captured closure first). */
function remakeAt(plan: readonly Entry[], out: unknown[], i: number): unknown {
  if (out[i] !== undefined) return out[i];
  const e = plan[i] as Extract<Entry, { kind: 'closure' }>;
  const captured = e.captured.map((slot) => ('value' in slot ? slot.value : plan[slot.index]!.kind === 'closure' ? remakeAt(plan, out, slot.index) : out[slot.index]));
  return (out[i] = closureOver(e.recipe.make as (...c: unknown[]) => object, ...captured));
}

function resolve(slot: Slot, out: readonly unknown[]): unknown {
  return 'value' in slot ? slot.value : out[slot.index];
}

/** Point an entry's copy `to` at the copies of what it references. */
function link(e: Entry, to: unknown, out: readonly unknown[]): void {
  switch (e.kind) {
    case 'fields': {
      const o = to as Record<string | symbol, unknown>;
      for (let k = 0; k < e.keys.length; k++) o[e.keys[k]!] = out[e.refs[k]!];
      return;
    }
    case 'array': {
      const a = to as unknown[];
      for (let k = 0; k < e.at.length; k++) a[e.at[k]!] = out[e.refs[k]!];
      return;
    }
    case 'map':
      for (const [k, v] of e.entries) (to as Map<unknown, unknown>).set(resolve(k, out), resolve(v, out));
      return;
    case 'set':
      for (const v of e.elements) (to as Set<unknown>).add(resolve(v, out));
      return;
    default:
      return;
  }
}

/** Walks a template once: checks what it can copy and plans each object's copy. */
class Planner {
  readonly plan: Entry[] = [];
  private readonly index = new Map<unknown, number>();

  /** `value` as a slot: the plan index of its copy, or the value itself when it is shared. */
  visit(value: unknown, path: string): Slot {
    if (!isReference(value)) return { value };
    const known = this.index.get(value);
    if (known !== undefined) return { index: known };
    // A view's buffer comes first: shells are made in plan order, and the view's needs it.
    const buffer = ArrayBuffer.isView(value) ? this.buffer(value, path) : -1;
    const i = this.plan.length;
    this.index.set(value, i);
    this.plan.push(undefined as never); // reserved: cycles back to `value` find its index
    this.plan[i] = buffer >= 0 ? view(value as ArrayBufferView, buffer) : this.entry(value, path);
    return { index: i };
  }

  private buffer(view: ArrayBufferView, path: string): number {
    if (tag(view.buffer) !== 'ArrayBuffer') throw new GraphCopyError(path, 'a view on a SharedArrayBuffer');
    return (this.visit(view.buffer, `${path}.buffer`) as { index: number }).index;
  }

  private entry(value: object, path: string): Entry {
    const recipe = recipeOf(value);
    if (recipe !== undefined) return { kind: 'closure', recipe, captured: recipe.captured.map((c, k) => this.visit(c, `${path}<captured ${k}>`)) };
    if (typeof value === 'function') throw new GraphCopyError(path, `a function (${value.name || 'anonymous'}) not made with closureOver`);
    if (Array.isArray(value)) return this.array(value, path);
    const t = tag(value);
    if (t === 'ArrayBuffer') return { kind: 'buffer', from: value as ArrayBuffer };
    if (t === 'Map') {
      if (Object.getPrototypeOf(value) !== Map.prototype) throw new GraphCopyError(path, 'a subclass of Map');
      return { kind: 'map', entries: [...(value as Map<unknown, unknown>)].map(([k, v], n) => [this.visit(k, `${path}<key ${n}>`), this.visit(v, `${path}.get(${String(k)})`)] as const) };
    }
    if (t === 'Set') {
      if (Object.getPrototypeOf(value) !== Set.prototype) throw new GraphCopyError(path, 'a subclass of Set');
      return { kind: 'set', elements: [...(value as Set<unknown>)].map((v, n) => this.visit(v, `${path}<element ${n}>`)) };
    }
    const proto = Object.getPrototypeOf(value) as object | null;
    const builtIn = internalClass(proto);
    if (builtIn !== null) throw new GraphCopyError(path, `an object with internal state (${builtIn})`);
    return this.fields(value, proto, path);
  }

  private array(from: readonly unknown[], path: string): Entry {
    const at: number[] = [];
    const refs: number[] = [];
    // forEach skips holes, as the copy (a slice) keeps them.
    from.forEach((element, i) => {
      const slot = this.visit(element, `${path}[${i}]`);
      if ('index' in slot) {
        at.push(i);
        refs.push(slot.index);
      }
    });
    return { kind: 'array', from, at, refs };
  }

  private fields(from: object, proto: object | null, path: string): Entry {
    const keys: (string | symbol)[] = [];
    const refs: number[] = [];
    for (const key of Reflect.ownKeys(from)) {
      const d = Object.getOwnPropertyDescriptor(from, key)!;
      const where = `${path}.${String(key)}`;
      if (!('value' in d)) throw new GraphCopyError(where, 'an accessor field');
      if (!d.enumerable) throw new GraphCopyError(where, 'a non-enumerable field');
      // A copy assigns its fields (Object.assign): an inherited accessor of the same name would run instead, a read-only value would refuse.
      if (blocksAssignment(inherited(proto, key))) throw new GraphCopyError(where, 'a field shadowing an inherited accessor or read-only field');
      const slot = this.visit(d.value, where);
      if ('index' in slot) {
        keys.push(key);
        refs.push(slot.index);
      }
    }
    return { kind: 'fields', from, proto, keys, refs };
  }
}

/**
 * The built-in class with internal slots (`Promise`, `WeakMap`, `Date`, `RegExp`,
 * `Error`…) whose prototype is on `proto`'s chain, or null. Such an object keeps state
 * that no field holds: a copy of its fields would lose it.
 */
function internalClass(proto: object | null): string | null {
  for (let p = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const name = INTERNAL.get(p);
    if (name !== undefined) return name;
  }
  return null;
}

const INTERNAL = new Map<object, string>(
  [Promise, WeakMap, WeakSet, WeakRef, Date, RegExp, Error].map((c) => [c.prototype as object, c.name]),
);

/** A view's entry; its length in elements (a `DataView`'s in bytes) read once, here. */
function view(from: ArrayBufferView, buffer: number): Entry {
  const length = tag(from) === 'DataView' ? from.byteLength : (from as Uint8Array).length;
  return { kind: 'view', from, buffer, length };
}

/**
 * A built-in object's class (`Map`, `Set`, `ArrayBuffer`, `DataView`), read from its
 * tag: built-ins are one class per realm, so there is no ESM/CJS copy to tell apart.
 */
function tag(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** The descriptor of `key` up `proto`'s chain, nearest first, or undefined. */
function inherited(proto: object | null, key: string | symbol): PropertyDescriptor | undefined {
  for (let p = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** Whether an inherited property takes an assignment of its name instead of a new own field. */
function blocksAssignment(d: PropertyDescriptor | undefined): boolean {
  return d !== undefined && (!('value' in d) || d.writable === false);
}
