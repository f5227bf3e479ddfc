import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen } from '../kernel/util/flow.js';
import { handleMmFault } from './fault.js';
import { hex, PTRS_PER_TABLE, TASK_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import { PTE } from './pte.js';

const READABLE = PTE.present | PTE.user;
const WRITABLE = PTE.present | PTE.user | PTE.write;
/**
 * A fault may leave the access still impossible when an invalidation raced with it
 * (the kernel then simply retries). This many in a row means the model is stuck.
 */
const MAX_FAULTS = 64;

/**
 * A CPU load from `address` in the task's address space, as the hardware walk does
 * it: a present user entry is used directly (setting its accessed bit, no lock
 * taken); anything else faults and the access is retried. Each page holds one
 * 32-bit content word: every address in a page reads the same word.
 */
export function cpuRead(mem: MemoryState, task: Task, address: number, tries = 0): number | Promise<number> {
  const mm = checkAccess(task, address, 'read of');
  const vpn = Math.floor(address / 4096);
  const table = mm.pageTable.lookup(vpn);
  if (table !== undefined) {
    const i = vpn % PTRS_PER_TABLE;
    const bits = table.bits[i]!;
    if ((bits & READABLE) === READABLE) {
      table.bits[i] = bits | PTE.young;
      return mem.frames.content[table.word[i]!]!;
    }
  }
  if (tries >= MAX_FAULTS) throw new SmmuError('EFAULT', `${task.name}: read of ${hex(address)} still faults after ${tries} faults`);
  return andThen(handleMmFault(mem, task, mm, address, false), () => cpuRead(mem, task, address, tries + 1));
}

/** A CPU store of `value` (a 32-bit word) to `address`: sets the accessed and dirty bits, or faults and retries. */
export function cpuWrite(mem: MemoryState, task: Task, address: number, value: number, tries = 0): void | Promise<void> {
  const mm = checkAccess(task, address, 'write to');
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new SmmuError('EINVAL', `${task.name}: value ${String(value)} is not a 32-bit unsigned word`);
  const vpn = Math.floor(address / 4096);
  const table = mm.pageTable.lookup(vpn);
  if (table !== undefined) {
    const i = vpn % PTRS_PER_TABLE;
    const bits = table.bits[i]!;
    if ((bits & WRITABLE) === WRITABLE) {
      table.bits[i] = bits | PTE.young | PTE.dirty;
      const pfn = table.word[i]!;
      mem.frames.content[pfn] = value;
      if (mem.observers.active) mem.observers.emit({ kind: 'store', mm: mm.id, address, pfn, value, time: mem.kernel.clock.now });
      return;
    }
  }
  if (tries >= MAX_FAULTS) throw new SmmuError('EFAULT', `${task.name}: write to ${hex(address)} still faults after ${tries} faults`);
  return andThen(handleMmFault(mem, task, mm, address, true), () => cpuWrite(mem, task, address, value, tries + 1));
}

function checkAccess(task: Task, address: number, what: string): Mm {
  const mm = task.mm;
  if (mm === null || mm.dead) throw new SmmuError('EINVAL', `${task.name} has no address space (a kernel thread, or its process exited)`);
  if (!Number.isSafeInteger(address) || address < 0 || address >= TASK_SIZE) {
    throw SmmuError.answer('SIGSEGV', `${task.name}: ${what} ${typeof address === 'number' ? hex(address) : String(address)}: not a user address (SEGV_MAPERR)`);
  }
  return mm;
}
