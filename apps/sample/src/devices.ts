import type { Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu } from '@secondary-mmu/mmu-notifier';
import type { Host } from './host.js';

/** What the workload needs of a driver instance: the device's accesses and its device MMU. Kernel counterpart: none. */
export interface DeviceUser {
  /** The driver's name, as its factory gives it. */
  readonly driver: string;
  /** The task that drives the device: the vCPU, the GRU's engine, the importer's thread. */
  readonly actor: string;
  readonly device: DeviceMmu;
  read(task: Task, address: number): number | Promise<number>;
  write(task: Task, address: number, value: number): void | Promise<void>;
}

/** The host's three devices, in a fixed order. Kernel counterpart: none. */
export function devicesOf(host: Host): readonly DeviceUser[] {
  return [
    { driver: 'kvm-spte', actor: 'vcpu0', device: host.kvm.device, read: (t, a) => host.kvm.read(t, a), write: (t, a, v) => host.kvm.write(t, a, v) },
    { driver: 'gru', actor: 'gru-engine', device: host.gru.device, read: (t, a) => host.gru.read(t, a), write: (t, a, v) => host.gru.write(t, a, v) },
    { driver: 'xpmem', actor: 'importer', device: host.xpmem.device, read: (t, a) => host.xpmem.read(t, a), write: (t, a, v) => host.xpmem.write(t, a, v) },
  ];
}
