import type { Machine, MemoryState, Mm, Task } from '@secondary-mmu/core-mm';
import type { DriverFactory, DriverInstance } from '../../src/contract.js';

/** The one core-mm function the moving mirror calls, from whichever copy a test loaded. */
export type MovePages = (mem: MemoryState, task: Task, mm: Mm, addresses: readonly number[]) => (number | string)[] | Promise<(number | string)[]>;

/**
 * A NUMA-aware mirror: before its device touches a page it moves the page next to the
 * device (`move_pages`), then lets `inner` do the access. A realistic driver shape that
 * makes core-mm look at the page's `mapping` (anon_vma or file) from the driver's copy
 * of core-mm — so a test that loads the driver through one entry (CommonJS) and the
 * runner through the other (ESM) shows whether mixing them changes a verdict.
 */
export function movingMirror(inner: DriverFactory, movePages: MovePages): DriverFactory {
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    eras: inner.eras,
    async attach(task: Task, machine: Machine, mm: Mm): Promise<DriverInstance> {
      const d = await inner.attach(task, machine, mm);
      const moveNear = async (t: Task, address: number): Promise<void> => {
        await movePages(machine.mem, t, mm, [address]);
      };
      return {
        device: d.device,
        mm: d.mm,
        read: async (t, address) => (await moveNear(t, address), d.read(t, address)),
        write: async (t, address, value) => (await moveNear(t, address), d.write(t, address, value)),
        detach: (t) => d.detach(t),
      };
    },
  };
}
