import { andThen, ensure, type SpinLock, type Task } from '@secondary-mmu/core-mm';

/**
 * Run the synchronous `body` with `lock` held and return its result: a Promise only if
 * taking or dropping the lock had to wait. Kernel counterpart: `spin_lock(&kvm->mmu_lock);
 * …; spin_unlock(&kvm->mmu_lock);` (`KVM_MMU_LOCK` / `KVM_MMU_UNLOCK`).
 */
export function withMmuLock<T>(lock: SpinLock, task: Task, body: () => T): T | Promise<T> {
  return andThen(lock.lock(task), () => ensure(body, () => lock.unlock(task)));
}
