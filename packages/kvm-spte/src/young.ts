import type { KvmVm } from './vm.js';

/** Count one aging answer in the VM's statistics and pass it on. Kernel counterpart: none. */
export function countYoung(vm: KvmVm, young: boolean): boolean {
  vm.stats.youngCalls++;
  if (young) vm.stats.youngAnswers++;
  return young;
}
