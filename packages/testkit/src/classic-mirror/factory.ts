import { ERAS, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, type MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import type { DriverFactory } from '../contract.js';
import { CLASSIC_MIRROR_CAPABILITIES } from './capabilities.js';
import type { ClassicMirrorFaultPath } from './fault.js';
import { ClassicMirrorInstance } from './instance.js';
import { classicMirrorOps } from './notifier-ops.js';
import { ClassicMirrorState } from './state.js';

/** The reference driver's name: its notifier's and its device's. */
export const CLASSIC_MIRROR_NAME = 'classic-mirror';

/**
 * How to attach a classic mirror: the defaults are the reference driver; the hooks let a
 * mutant (the testkit's kill matrix) be the reference with one injected fault. Kernel
 * counterpart: none.
 */
export interface ClassicMirrorOptions {
  /** The device's and the notifier's name (default {@link CLASSIC_MIRROR_NAME}). */
  readonly name?: string;
  /** Change the ops {@link classicMirrorOps} made (mutate `ops`) before they are registered. */
  readonly patchOps?: (ops: MmuNotifierOps, state: ClassicMirrorState, machine: Machine) => void;
  /** The device fault path (default `classicMirrorFault`). */
  readonly fault?: ClassicMirrorFaultPath;
}

/**
 * Attach a classic mirror to `mm`: make its state and device MMU (`no-references`),
 * register its notifier (`mmu_notifier_register`, which takes the mmap write lock
 * and waits out invalidations in flight). Kernel counterpart: `kvm_create_vm()` →
 * `kvm_init_mmu_notifier()`.
 */
export async function attachClassicMirror(task: Task, machine: Machine, mm: Mm, options: ClassicMirrorOptions = {}): Promise<ClassicMirrorInstance> {
  const name = options.name ?? CLASSIC_MIRROR_NAME;
  const device = new DeviceMmu(machine, { name, driverClass: 'no-references' });
  const state = new ClassicMirrorState(machine, mm, device);
  const ops = classicMirrorOps(state, machine.era);
  options.patchOps?.(ops, state, machine);
  const subscription = new MmuNotifier(ops, name);
  device.answerFor(subscription);
  await mmuNotifierRegister(task, subscription, mm);
  return new ClassicMirrorInstance(state, subscription, options.fault);
}

/**
 * The second reference driver: a classic start/end mirror, correct in every era
 * (`rfc-2008`, `v2.6.27`, `v6`) and for every classic callback — KVM-like but small. No page references, aging through device accessed bits, a spinlock
 * `mmu_lock`, Arcangeli's sequence / in-progress fault retry.
 *
 * Kernel counterpart: KVM's MMU notifier (`virt/kvm/kvm_main.c`,
 * `kvm_mmu_notifier_ops`) as it has been since sptes stopped holding page references
 * (≈2.6.32), with `invalidate_page` where the era has it.
 */
export const classicMirror: DriverFactory = {
  name: CLASSIC_MIRROR_NAME,
  capabilities: CLASSIC_MIRROR_CAPABILITIES,
  eras: ERAS,
  attach: (task, machine, mm) => attachClassicMirror(task, machine, mm),
};
