import { describe, expect, it } from 'vitest';
import { closureOver, copyGraph, GraphCopyError, GraphTemplate, isSmmuError, Machine, MAP, PAGE_SIZE, PROT } from '../../src/index.js';

class Node {
  next: Node | null = null;
  label: string;
  constructor(label: string) {
    this.label = label;
  }
  describe(): string {
    return `node ${this.label}`;
  }
}

/** The error `f` throws; fails the test when it returns. */
function refusal(f: () => unknown): GraphCopyError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GraphCopyError);
    expect(isSmmuError(e, 'EINVAL')).toBe(true);
    return e as GraphCopyError;
  }
  throw new Error('expected a GraphCopyError');
}

describe('copyGraph: what a copy keeps', () => {
  it('prototypes, fields in order, shared references and cycles', () => {
    const a = new Node('a');
    const b = new Node('b');
    a.next = b;
    b.next = a;
    const root = { first: a, again: a, list: [a, b] };
    const copy = copyGraph(root);
    expect(copy.first).not.toBe(a);
    expect(copy.first).toBeInstanceOf(Node);
    expect(copy.first.describe()).toBe('node a');
    expect(Object.keys(copy.first)).toEqual(Object.keys(a));
    expect(copy.again).toBe(copy.first);
    expect(copy.first.next!.next).toBe(copy.first);
    expect(copy.list[1]).toBe(copy.first.next);
  });

  it('typed arrays: views that shared a buffer share the copy of it; the template is untouched', () => {
    const buffer = new ArrayBuffer(16);
    const words = new Uint32Array(buffer, 0, 2);
    const bytes = new Uint8Array(buffer, 8, 8);
    words[0] = 7;
    bytes[0] = 9;
    const copy = copyGraph({ words, bytes, own: Uint16Array.of(1, 2, 3) });
    expect(copy.words.buffer).toBe(copy.bytes.buffer);
    expect(copy.words.buffer).not.toBe(buffer);
    expect([copy.words[0], copy.bytes[0], copy.bytes.byteOffset, copy.bytes.length]).toEqual([7, 9, 8, 8]);
    expect([...copy.own]).toEqual([1, 2, 3]);
    copy.words[0] = 1;
    expect(words[0]).toBe(7);
  });

  it('arrays keep their holes and length; Maps and Sets their order, with keys and values copied', () => {
    const sparse: (Node | undefined)[] = [];
    sparse[3] = new Node('x');
    sparse.length = 6;
    const key = new Node('k');
    const root = { sparse, map: new Map([[key, [1, 2]]]), set: new Set([key]) };
    const copy = copyGraph(root);
    expect(copy.sparse.length).toBe(6);
    expect(Object.keys(copy.sparse)).toEqual(['3']);
    const [copiedKey] = [...copy.map.keys()];
    expect(copiedKey).not.toBe(key);
    expect(copy.set.has(copiedKey!)).toBe(true);
    expect(copy.map.get(copiedKey!)).toEqual([1, 2]);
  });

  it('a root that is a typed array, or a DataView, is a view on its own copied buffer', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const copy = copyGraph(bytes);
    expect(copy).toBeInstanceOf(Uint8Array);
    expect(copy.buffer).not.toBe(bytes.buffer);
    expect([...copy]).toEqual([1, 2, 3]);
    const data = new DataView(new ArrayBuffer(8), 2, 4);
    data.setUint16(0, 0xbeef);
    const dataCopy = copyGraph({ data }).data;
    expect([dataCopy.byteOffset, dataCopy.byteLength, dataCopy.getUint16(0)]).toEqual([2, 4, 0xbeef]);
  });

  it('Maps and Sets of primitives, a null-prototype object, and a field over an inherited data property', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { n: 1 });
    class Kind {
      declare tag: string;
    }
    Object.defineProperty(Kind.prototype, 'tag', { value: 'default', writable: true });
    const kind = Object.assign(new Kind(), { tag: 'own' });
    const copy = copyGraph({ map: new Map<string, number>([['a', 1]]), set: new Set(['x', 2]), bare, kind });
    expect([...copy.map]).toEqual([['a', 1]]);
    expect([...copy.set]).toEqual(['x', 2]);
    expect(Object.getPrototypeOf(copy.bare)).toBeNull();
    expect(copy.bare['n']).toBe(1);
    expect(copy.kind).toBeInstanceOf(Kind);
    expect(copy.kind.tag).toBe('own');
  });

  it('frozen objects are shared, not copied', () => {
    const spec = Object.freeze({ name: 'buf', pages: 4 });
    const copy = copyGraph({ spec, holder: { spec } });
    expect(copy.spec).toBe(spec);
    expect(copy.holder.spec).toBe(spec);
    expect(copyGraph(spec)).toBe(spec);
    expect(copyGraph(7)).toBe(7);
    expect(copyGraph(null)).toBeNull();
  });

  it('a closure made with closureOver is made again over the copies of what it captured', () => {
    const counter = { n: 0 };
    const bump = closureOver((c) => () => ++c.n, counter);
    const copy = copyGraph({ counter, bump });
    copy.bump();
    copy.bump();
    expect(copy.counter.n).toBe(2);
    expect(counter.n).toBe(0);
    bump();
    expect(counter.n).toBe(1);
    expect(copy.counter.n).toBe(2);
  });

  it('a closure capturing another closure, and an object of closures, are remade; each once', () => {
    const box = { v: 1 };
    const read = closureOver((b) => () => b.v, box);
    const ops = closureOver((r, factor) => ({ times: () => factor * r(), read: r }), read, 2);
    const copy = copyGraph({ box, ops, read });
    copy.box.v = 5;
    expect(copy.ops.times()).toBe(10);
    expect(ops.times()).toBe(2);
    expect(copy.ops.read).toBe(copy.read);
    expect(copy.read).not.toBe(read);
  });
});

describe('GraphTemplate: copied many times', () => {
  it('every copy is independent of the template and of the other copies', () => {
    const template = new GraphTemplate({ list: [new Node('a')], map: new Map<string, number>() });
    const one = template.copy();
    const two = template.copy();
    one.list[0]!.label = 'changed';
    one.map.set('k', 1);
    expect(two.list[0]!.label).toBe('a');
    expect(two.map.size).toBe(0);
    expect(template.copy().list[0]!.label).toBe('a');
  });

  it('a machine with a mapping: the copy reads the same memory and writes only its own', async () => {
    const machine = new Machine({ era: 'v6', memory: { frames: 64 } });
    const proc = machine.mem.createProcess('app');
    const t = proc.task('setup');
    const base = await machine.mem.mmap(t, { length: 2 * PAGE_SIZE, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous });
    await machine.mem.write(t, base, 41);
    const template = new GraphTemplate({ machine, proc, t });
    const copy = template.copy();
    expect(copy.machine).not.toBe(machine);
    expect(copy.proc.mm).toBe(copy.machine.mem.processes[0]!.mm);
    expect(await copy.machine.mem.read(copy.t, base)).toBe(41);
    await copy.machine.mem.write(copy.t, base, 42);
    await copy.machine.mem.write(copy.t, base + PAGE_SIZE, 43);
    expect(await machine.mem.read(t, base)).toBe(41);
    const fresh = template.copy();
    expect(await fresh.machine.mem.read(fresh.t, base)).toBe(41);
  });
});

describe('what cannot be copied is refused, naming where it is', () => {
  it('a function not made with closureOver, named or not', () => {
    function onFree(): void {}
    const e = refusal(() => copyGraph({ hooks: [onFree] }));
    expect(e.path).toBe('root.hooks[0]');
    expect(e.message).toBe('EINVAL: cannot copy a function (onFree) not made with closureOver at root.hooks[0]');
    const anonymous = [(): number => 1][0]!;
    expect(refusal(() => copyGraph({ f: anonymous })).message).toContain('a function (anonymous)');
  });

  it('the path goes through what a closure captured and through a Set', () => {
    const hook = closureOver((target) => () => target, { bad: new WeakSet() });
    expect(refusal(() => copyGraph({ hook })).path).toBe('root.hook<captured 0>.bad');
    expect(refusal(() => copyGraph({ s: new Set([1, new WeakMap()]) })).path).toBe('root.s<element 1>');
  });

  it('objects with internal state, a subclass of one, subclasses of Map and Set, a view on shared memory', () => {
    expect(refusal(() => copyGraph({ p: Promise.resolve(1) })).message).toBe('EINVAL: cannot copy an object with internal state (Promise) at root.p');
    class Deferred extends Promise<number> {}
    expect(refusal(() => copyGraph({ d: Deferred.resolve(1) })).message).toContain('(Promise)');
    expect(refusal(() => copyGraph({ w: new WeakMap() })).message).toContain('(WeakMap)');
    class Registry extends Map<string, number> {}
    expect(refusal(() => copyGraph({ r: new Registry() })).message).toContain('a subclass of Map at root.r');
    class Members extends Set<string> {}
    expect(refusal(() => copyGraph({ s: new Members() })).message).toContain('a subclass of Set at root.s');
    expect(refusal(() => copyGraph({ v: new Int32Array(new SharedArrayBuffer(8)) })).message).toBe('EINVAL: cannot copy a view on a SharedArrayBuffer at root.v');
  });

  it('accessor, hidden and symbol-keyed fields, and a field shadowing an accessor', () => {
    const accessor = Object.defineProperty({}, 'x', { get: () => 1, enumerable: true });
    expect(refusal(() => copyGraph({ o: accessor })).message).toBe('EINVAL: cannot copy an accessor field at root.o.x');
    const hidden = Object.defineProperty({}, 'y', { value: 1, enumerable: false });
    expect(refusal(() => copyGraph({ o: hidden })).message).toBe('EINVAL: cannot copy a non-enumerable field at root.o.y');
    class WithGetter {
      get z(): number {
        return 0;
      }
    }
    class Derived extends WithGetter {}
    const shadowing = Object.defineProperty(new Derived(), 'z', { value: 1, enumerable: true });
    expect(refusal(() => copyGraph(shadowing)).message).toBe('EINVAL: cannot copy a field shadowing an inherited accessor or read-only field at root.z');
    class Sealed {}
    Object.defineProperty(Sealed.prototype, 'id', { value: 0, writable: false });
    const readOnly = Object.defineProperty(new Sealed(), 'id', { value: 1, enumerable: true });
    expect(refusal(() => copyGraph(readOnly)).path).toBe('root.id');
  });

  it('a refused template is refused when made, not when copied', () => {
    expect(() => new GraphTemplate({ f: () => 0 })).toThrow(GraphCopyError);
  });
});
