import { isPromise, type Machine } from '@secondary-mmu/core-mm';
import { notifierCore } from '@secondary-mmu/mmu-notifier';
import type { DriverFactory, DriverInstance } from '@secondary-mmu/testkit';
import { extraReferences } from './extra-refs.js';

/** What a {@link measuredFactory} saw of its instances during one run. Kernel counterpart: none. */
export interface InstanceProbe {
  /** Every instance attached, in order. */
  readonly instances: DriverInstance[];
  /** The most page references and pins the instances' devices held at once through `DeviceMmu.getUserPages` (sampled at every device access and callback return). */
  peakHolds: number;
  /** The most references beyond the primary's a page had when a device accessed it ({@link extraReferences}). */
  peakExtraRefs: number;
}

/**
 * `factory` with the same name, capabilities and eras (so a run's token replays with the
 * plain factory), whose `attach` also records each instance and samples its devices'
 * page references and pins. Sampling only reads: the run and its schedule are the plain
 * factory's. Kernel counterpart: none (model machinery).
 */
export function measuredFactory(factory: DriverFactory): { readonly factory: DriverFactory; readonly probe: InstanceProbe } {
  const probe: InstanceProbe = { instances: [], peakHolds: 0, peakExtraRefs: 0 };
  const listening = new WeakSet<Machine>();
  const sample = (): void => {
    let holds = 0;
    for (const i of probe.instances) holds += i.device.holds().length;
    if (holds > probe.peakHolds) probe.peakHolds = holds;
  };
  const record = (machine: Machine, instance: DriverInstance): DriverInstance => {
    probe.instances.push(instance);
    if (!listening.has(machine)) {
      listening.add(machine);
      notifierCore(machine).listen({
        onDeviceAccess: (access) => {
          sample();
          probe.peakExtraRefs = Math.max(probe.peakExtraRefs, extraReferences(machine, access.pfn));
        },
        onReturn: sample,
      });
    }
    sample();
    return instance;
  };
  return {
    probe,
    factory: {
      name: factory.name,
      capabilities: factory.capabilities,
      eras: factory.eras,
      attach(task, machine, mm) {
        const attached = factory.attach(task, machine, mm);
        return isPromise(attached) ? attached.then((i) => record(machine, i)) : record(machine, attached);
      },
    },
  };
}
