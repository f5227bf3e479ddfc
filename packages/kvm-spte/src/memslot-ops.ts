import { SmmuError, type Task } from '@secondary-mmu/core-mm';
import { KVM_SPTE_RETRY_BACKOFF_NS } from './fault.js';
import type { Memslot, MemslotSpec } from './memslot.js';
import type { KvmVm } from './vm.js';

/**
 * Run `body` under `mmu_lock` once no range invalidation is between its start and its
 * end (`v6` only: its in-progress range counts memslots, so a slot may not appear or
 * vanish under an invalidation; the 2008 check is VM-wide and needs no wait). Kernel
 * counterpart: `kvm_swap_active_memslots()` waiting for `mn_active_invalidate_count`.
 */
async function whenNoInvalidation<T>(vm: KvmVm, task: Task, body: () => T): Promise<T> {
  for (;;) {
    await vm.mmuLock.lock(task);
    const clear = vm.era !== 'v6' || vm.activeInvalidations === 0;
    let result: T | undefined;
    try {
      if (clear) result = body();
    } finally {
      await vm.mmuLock.unlock(task);
    }
    if (clear) return result as T;
    await vm.machine.sched.sleep(task, KVM_SPTE_RETRY_BACKOFF_NS);
  }
}

/**
 * Add the memslot `spec` describes, under `slots_lock` then `mmu_lock`. EINVAL / EEXIST
 * (nothing changed) for a bad or overlapping spec. May sleep. Kernel counterpart:
 * `KVM_SET_USER_MEMORY_REGION` creating a slot (`kvm_set_memory_region()`).
 */
export async function addMemslot(vm: KvmVm, task: Task, spec: MemslotSpec): Promise<Memslot> {
  vm.memslots.check(spec);
  await vm.slotsLock.lock(task);
  try {
    return await whenNoInvalidation(vm, task, () => {
      vm.memslots.check(spec);
      return vm.memslots.add(spec);
    });
  } finally {
    await vm.slotsLock.unlock(task);
  }
}

/**
 * Delete memslot `slot`: under `slots_lock` then `mmu_lock`, take it out (a fault that
 * resolved through it sees it deleted and does not install) and zap its sptes, flushing
 * under the lock in `v6`, after it in the 2008 eras. EINVAL (nothing changed) when there
 * is no such slot. May sleep. Kernel counterpart: `KVM_SET_USER_MEMORY_REGION` with
 * `memory_size` 0 (`kvm_delete_memslot()` → `kvm_arch_flush_shadow_memslot()`; 2.6.27:
 * `kvm_arch_flush_shadow()`).
 */
export async function deleteMemslot(vm: KvmVm, task: Task, slot: number): Promise<void> {
  if (vm.memslots.get(slot) === undefined) throw new SmmuError('EINVAL', `kvm-spte: memslot ${String(slot)} does not exist`);
  await vm.slotsLock.lock(task);
  try {
    const zapped = await whenNoInvalidation(vm, task, () => {
      const s = vm.memslots.remove(slot);
      if (s === undefined) return 0;
      const n = vm.sptes.zapGfns(s.baseGfn, s.endGfn);
      if (n > 0 && vm.era === 'v6') vm.tlb.flush(task);
      return n;
    });
    if (zapped > 0 && vm.era !== 'v6') vm.tlb.flush(task);
  } finally {
    await vm.slotsLock.unlock(task);
  }
}
