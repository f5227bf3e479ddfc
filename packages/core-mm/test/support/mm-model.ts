import fc from 'fast-check';
import { isSmmuError, Machine, MAP, MREMAP, PROT, type Era, type Task } from '../../src/index.js';

/**
 * The plain reference model the fast-check test compares the kernel model with: per
 * process, page slot -> { cell, prot }. A private page owns its cell; a shared page's
 * cell object is shared by every process that maps it (after fork), so a write through
 * one is seen by all. No page tables, no frames, no rmap: just what a program can see.
 */
export interface Cell {
  value: number;
}

export interface RefPage {
  readonly cell: Cell;
  readonly prot: number;
  readonly shared: boolean;
}

export interface RefProcess {
  readonly pages: Map<number, RefPage>;
}

export const SLOTS = 48;
export const BASE = 2 ** 40;
export const P = 4096;

export interface Real {
  readonly m: Machine;
  readonly tasks: (Task | null)[];
}

export interface Ref {
  readonly procs: (RefProcess | null)[];
}

/** Settle a `T | Promise<T>`. */
export async function settle<T>(x: T | Promise<T>): Promise<T> {
  return x instanceof Promise ? await x : x;
}

/** The code a call failed with, or 'ok'. */
export async function outcome<T>(f: () => T | Promise<T>): Promise<{ code: string; value?: T }> {
  try {
    return { code: 'ok', value: await settle(f()) };
  } catch (e) {
    if (isSmmuError(e)) return { code: e.code };
    throw e;
  }
}

export function liveProcess(ref: Ref, pick: number): number {
  const live = ref.procs.map((p, i) => (p === null ? -1 : i)).filter((i) => i >= 0);
  return live.length === 0 ? -1 : live[pick % live.length]!;
}

type Cmd = fc.AsyncCommand<Ref, Real>;

/** mmap(MAP_FIXED) of `count` pages at slot `slot`: replaces what was there with zero pages. */
export class MmapCmd implements Cmd {
  constructor(readonly proc: number, readonly slot: number, readonly count: number, readonly prot: number, readonly shared: boolean) {}
  check(ref: Readonly<Ref>): boolean {
    return liveProcess(ref, this.proc) >= 0;
  }
  async run(ref: Ref, real: Real): Promise<void> {
    const p = liveProcess(ref, this.proc);
    const count = Math.min(this.count, SLOTS - this.slot);
    const r = await outcome(() =>
      real.m.mem.mmap(real.tasks[p]!, { addr: BASE + this.slot * P, length: count * P, prot: this.prot, flags: (this.shared ? MAP.shared : MAP.private) | MAP.anonymous | MAP.fixed }),
    );
    if (r.code !== 'ok') throw new Error(`mmap failed: ${r.code}`);
    // Each page gets a fresh zero cell; fork shares the cells of shared pages and copies private ones.
    for (let s = this.slot; s < this.slot + count; s++) ref.procs[p]!.pages.set(s, { cell: { value: 0 }, prot: this.prot, shared: this.shared });
  }
  toString(): string {
    return `mmap(p${this.proc}, slot ${this.slot}, ${this.count}, prot ${this.prot}, ${this.shared ? 'shared' : 'private'})`;
  }
}

export class MunmapCmd implements Cmd {
  constructor(readonly proc: number, readonly slot: number, readonly count: number) {}
  check(ref: Readonly<Ref>): boolean {
    return liveProcess(ref, this.proc) >= 0;
  }
  async run(ref: Ref, real: Real): Promise<void> {
    const p = liveProcess(ref, this.proc);
    const count = Math.min(this.count, SLOTS - this.slot);
    const r = await outcome(() => real.m.mem.munmap(real.tasks[p]!, BASE + this.slot * P, count * P));
    if (r.code !== 'ok') throw new Error(`munmap failed: ${r.code}`);
    for (let s = this.slot; s < this.slot + count; s++) ref.procs[p]!.pages.delete(s);
  }
  toString(): string {
    return `munmap(p${this.proc}, slot ${this.slot}, ${this.count})`;
  }
}

export class ReadCmd implements Cmd {
  constructor(readonly proc: number, readonly slot: number) {}
  check(ref: Readonly<Ref>): boolean {
    return liveProcess(ref, this.proc) >= 0;
  }
  async run(ref: Ref, real: Real): Promise<void> {
    const p = liveProcess(ref, this.proc);
    const page = ref.procs[p]!.pages.get(this.slot);
    const expected = page === undefined || (page.prot & PROT.read) === 0 ? { code: 'SIGSEGV' } : { code: 'ok', value: page.cell.value };
    const r = await outcome(() => real.m.mem.read(real.tasks[p]!, BASE + this.slot * P));
    if (r.code !== expected.code || r.value !== expected.value) {
      throw new Error(`read(p${p}, slot ${this.slot}): model ${JSON.stringify(r)}, reference ${JSON.stringify(expected)}`);
    }
  }
  toString(): string {
    return `read(p${this.proc}, slot ${this.slot})`;
  }
}

export class WriteCmd implements Cmd {
  constructor(readonly proc: number, readonly slot: number, readonly value: number) {}
  check(ref: Readonly<Ref>): boolean {
    return liveProcess(ref, this.proc) >= 0;
  }
  async run(ref: Ref, real: Real): Promise<void> {
    const p = liveProcess(ref, this.proc);
    const page = ref.procs[p]!.pages.get(this.slot);
    const allowed = page !== undefined && (page.prot & PROT.write) !== 0;
    const r = await outcome(() => real.m.mem.write(real.tasks[p]!, BASE + this.slot * P, this.value));
    if (r.code !== (allowed ? 'ok' : 'SIGSEGV')) throw new Error(`write(p${p}, slot ${this.slot}): model ${r.code}, reference ${allowed ? 'ok' : 'SIGSEGV'}`);
    if (allowed) page.cell.value = this.value;
  }
  toString(): string {
    return `write(p${this.proc}, slot ${this.slot}, ${this.value})`;
  }
}

export class ExitCmd implements Cmd {
  constructor(readonly proc: number) {}
  check(ref: Readonly<Ref>): boolean {
    return liveProcess(ref, this.proc) >= 0 && ref.procs.filter((p) => p !== null).length > 1;
  }
  async run(ref: Ref, real: Real): Promise<void> {
    const p = liveProcess(ref, this.proc);
    await settle(real.m.mem.exit(real.tasks[p]!));
    real.tasks[p] = null;
    ref.procs[p] = null;
  }
  toString(): string {
    return `exit(p${this.proc})`;
  }
}

/** mprotect over `count` slots: pages before the first hole change; any hole is ENOMEM (a hole at the start changes nothing). */
export class MprotectCmd implements Cmd {
  constructor(readonly proc: number, readonly slot: number, readonly count: number, readonly prot: number) {}
  check(ref: Readonly<Ref>): boolean {
    return liveProcess(ref, this.proc) >= 0;
  }
  async run(ref: Ref, real: Real): Promise<void> {
    const p = liveProcess(ref, this.proc);
    const count = Math.min(this.count, SLOTS - this.slot);
    const pages = ref.procs[p]!.pages;
    let expected = 'ok';
    for (let s = this.slot; s < this.slot + count; s++) {
      const page = pages.get(s);
      if (page === undefined) {
        expected = 'ENOMEM';
        break;
      }
      pages.set(s, { ...page, prot: this.prot });
    }
    const r = await outcome(() => real.m.mem.mprotect(real.tasks[p]!, BASE + this.slot * P, count * P, this.prot));
    if (r.code !== expected) throw new Error(`mprotect(p${p}, slot ${this.slot}, ${count}): model ${r.code}, reference ${expected}`);
  }
  toString(): string {
    return `mprotect(p${this.proc}, slot ${this.slot}, ${this.count}, prot ${this.prot})`;
  }
}

/** fork: the child shares the cells of shared pages and gets copies of private ones. */
export class ForkCmd implements Cmd {
  constructor(readonly proc: number) {}
  check(ref: Readonly<Ref>): boolean {
    return liveProcess(ref, this.proc) >= 0 && ref.procs.length < 8;
  }
  async run(ref: Ref, real: Real): Promise<void> {
    const p = liveProcess(ref, this.proc);
    const name = `p${ref.procs.length}`;
    const child = await settle(real.m.mem.fork(real.tasks[p]!, name));
    const pages = new Map<number, RefPage>();
    for (const [s, page] of ref.procs[p]!.pages) pages.set(s, page.shared ? page : { ...page, cell: { value: page.cell.value } });
    ref.procs.push({ pages });
    real.tasks.push(child.task(name));
  }
  toString(): string {
    return `fork(p${this.proc})`;
  }
}

/**
 * mremap of `count` slots at `slot` to `newCount` slots: moved to `toSlot` with
 * `MREMAP_FIXED`, else shrunk or grown in place (moves without a target would leave
 * the slots). Where the vmas are is the model's (the reference knows pages, not vmas),
 * so the expected EFAULT / ENOMEM is read from the model's vmas; contents and
 * permissions are the reference's. A shared mapping is not grown (its shmem file ends
 * where it was made: the new pages would be SIGBUS, which the reference does not model).
 */
export class MremapCmd implements Cmd {
  constructor(readonly proc: number, readonly slot: number, readonly count: number, readonly toSlot: number, readonly newCount: number, readonly fixed: boolean) {}
  check(ref: Readonly<Ref>): boolean {
    return liveProcess(ref, this.proc) >= 0;
  }
  async run(ref: Ref, real: Real): Promise<void> {
    const p = liveProcess(ref, this.proc);
    const pages = ref.procs[p]!.pages;
    const mm = real.tasks[p]!.mm!;
    const count = Math.min(this.count, SLOTS - this.slot);
    const first = pages.get(this.slot);
    const target = this.fixed ? this.toSlot : this.slot;
    let newCount = Math.min(this.newCount, SLOTS - target);
    if (first?.shared === true && newCount > count) newCount = count;
    const addr = BASE + this.slot * P;
    const vma = mm.vmas.lookup(addr);
    const kept = Math.min(count, newCount);
    const grows = newCount > count || this.fixed;
    let expected = 'ok';
    if (this.fixed && this.slot + count > target && target + newCount > this.slot) expected = 'EINVAL';
    else if (vma === undefined) expected = 'EFAULT';
    else if (grows && addr + kept * P > vma.end) expected = 'EFAULT';
    else if (!this.fixed && newCount > count && (addr + count * P !== vma.end || mm.vmas.overlapping(vma.end, addr + newCount * P).length > 0)) expected = 'ENOMEM';
    const r = await outcome(() => real.m.mem.mremap(real.tasks[p]!, addr, count * P, newCount * P, this.fixed ? MREMAP.maymove | MREMAP.fixed : 0, this.fixed ? BASE + target * P : undefined));
    if (r.code !== expected) throw new Error(`${this.toString()}: model ${r.code}, reference ${expected}`);
    if (expected !== 'ok') return;
    if (!this.fixed) {
      for (let s = this.slot + newCount; s < this.slot + count; s++) pages.delete(s); // shrink: the tail goes
      for (let s = this.slot + count; s < this.slot + newCount; s++) pages.set(s, { cell: { value: 0 }, prot: first!.prot, shared: false });
      return;
    }
    const moved: RefPage[] = [];
    for (let i = 0; i < kept; i++) moved.push(pages.get(this.slot + i)!);
    for (let s = this.slot; s < this.slot + count; s++) pages.delete(s);
    for (let s = target; s < target + newCount; s++) pages.delete(s);
    moved.forEach((page, i) => pages.set(target + i, page));
    for (let i = kept; i < newCount; i++) pages.set(target + i, { cell: { value: 0 }, prot: first!.prot, shared: false });
  }
  toString(): string {
    return `mremap(p${this.proc}, slot ${this.slot}, ${this.count} -> ${this.newCount}${this.fixed ? `, fixed to slot ${this.toSlot}` : ''})`;
  }
}

/** Arbitraries for the commands every model run uses. */
export function baseCommands(): fc.Arbitrary<Cmd>[] {
  const proc = fc.nat(7);
  const slot = fc.nat(SLOTS - 1);
  const prot = fc.constantFrom(PROT.read | PROT.write, PROT.read, PROT.none);
  return [
    fc.tuple(proc, slot, fc.integer({ min: 1, max: 8 }), prot, fc.boolean()).map(([p, s, c, pr, sh]) => new MmapCmd(p, s, c, pr, sh)),
    fc.tuple(proc, slot, fc.integer({ min: 1, max: 8 })).map(([p, s, c]) => new MunmapCmd(p, s, c)),
    fc.tuple(proc, slot).map(([p, s]) => new ReadCmd(p, s)),
    fc.tuple(proc, slot, fc.nat(0xffffffff)).map(([p, s, v]) => new WriteCmd(p, s, v)),
    fc.tuple(proc, slot, fc.nat(0xffffffff)).map(([p, s, v]) => new WriteCmd(p, s, v)),
    proc.map((p) => new ExitCmd(p)),
    fc.tuple(proc, slot, fc.integer({ min: 1, max: 8 }), prot).map(([p, s, c, pr]) => new MprotectCmd(p, s, c, pr)),
    proc.map((p) => new ForkCmd(p)),
    fc.tuple(proc, slot, fc.integer({ min: 1, max: 8 }), slot, fc.integer({ min: 1, max: 8 }), fc.boolean()).map(([p, s, c, to, n, f]) => new MremapCmd(p, s, c, to, n, f)),
  ];
}

/** A fresh pair: one process with one task, in `era`. */
export function initial(era: Era): () => { model: Ref; real: Real } {
  return () => {
    const m = new Machine({ era, memory: { frames: 2048 } });
    const t = m.mem.createProcess('p0').task('p0');
    return { model: { procs: [{ pages: new Map() }] }, real: { m, tasks: [t] } };
  };
}

/**
 * Run one command sequence in `era` from a fresh machine and return the machine, so the
 * caller can `verify` it (the CI test and the long `model-check` run share this).
 */
export async function runSequence(era: Era, cmds: Iterable<fc.AsyncCommand<Ref, Real>>): Promise<Machine> {
  let real: Real | undefined;
  const setup = initial(era);
  await fc.asyncModelRun(() => {
    const s = setup();
    real = s.real;
    return s;
  }, cmds);
  return real!.m;
}
