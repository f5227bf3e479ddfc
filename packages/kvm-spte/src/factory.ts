import { ERAS, SmmuError, type Era, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, type MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import { kvmSpteCapabilities, type KvmSpteCapabilities } from './capabilities.js';
import { KvmSpteInstance } from './instance.js';
import { IDENTITY_MEMSLOT } from './memslot.js';
import { kvmNotifierOps2008 } from './notifier-ops-2008.js';
import { kvmNotifierOpsV6 } from './notifier-ops-v6.js';
import { eraRefs, KVM_SPTE_REFS, type KvmSpteRefs } from './refs.js';
import { retryCheckFor, type KvmRetryCheck } from './retry.js';
import { KvmVm } from './vm.js';

/** {@link kvmSpte}'s name: its notifier's and its device's. Kernel counterpart: none. */
export const KVM_SPTE_NAME = 'kvm-spte';

/** How to make a KVM-like driver. Kernel counterpart: none. */
export interface KvmSpteOptions {
  /** What sptes keep of their pages (default `'none'`, KVM since ≈2.6.32; `'per-spte'` is 2.6.27's). */
  readonly refs?: KvmSpteRefs;
  /** Whether sptes have hardware accessed bits (default true; false: EPT without A/D bits, aged as `ageWithoutABits` says). */
  readonly accessedBits?: boolean;
}

/**
 * How to attach one VM, for this package's variants: a name, and a broken retry check
 * or broken callbacks. Kernel counterpart: none.
 */
export interface KvmSpteAttachOptions {
  /** The device's and the notifier's name. */
  readonly name: string;
  /** What sptes keep of their pages. */
  readonly refs: KvmSpteRefs;
  /** Whether sptes have hardware accessed bits (default true). */
  readonly accessedBits?: boolean;
  /** The guest fault's retry check in `era` (default {@link retryCheckFor}). */
  readonly retry?: (era: Era) => KvmRetryCheck;
  /** The VM's notifier callbacks (default the era's: {@link kvmNotifierOps2008}, {@link kvmNotifierOpsV6}). */
  readonly ops?: (vm: KvmVm) => MmuNotifierOps;
}

/**
 * A KVM-like driver as the testkit's `DriverFactory` (structurally): a name, what it
 * declares, the eras it is written for and `attach`. Kernel counterpart: the KVM module
 * (`/dev/kvm`), `attach` being `KVM_CREATE_VM`.
 */
export interface KvmSpteFactory {
  readonly name: string;
  readonly capabilities: KvmSpteCapabilities;
  readonly eras: readonly Era[];
  attach(task: Task, machine: Machine, mm: Mm): Promise<KvmSpteInstance>;
}

/**
 * Make a VM on `mm`: its state with the identity memslot ({@link IDENTITY_MEMSLOT}), a
 * device of class `'holds-references'` (sptes holding references) or `'no-references'`,
 * the era's notifier ops, registered with `mmu_notifier_register` (which takes the mmap
 * write lock). Kernel counterpart: `kvm_create_vm()` → `kvm_init_mmu_notifier()`.
 */
export async function attachKvmSpte(task: Task, machine: Machine, mm: Mm, options: KvmSpteAttachOptions): Promise<KvmSpteInstance> {
  const { refs } = options;
  const device = new DeviceMmu(machine, { name: options.name, driverClass: refs === 'per-spte' ? 'holds-references' : 'no-references' });
  const vm = new KvmVm(machine, mm, device, refs, options.accessedBits ?? true);
  vm.memslots.add(IDENTITY_MEMSLOT);
  const ops = options.ops?.(vm) ?? (machine.era === 'v6' ? kvmNotifierOpsV6(vm) : kvmNotifierOps2008(vm));
  const subscription = new MmuNotifier(ops, options.name);
  device.answerFor(subscription);
  await mmuNotifierRegister(task, subscription, mm);
  return new KvmSpteInstance(vm, subscription, (options.retry ?? retryCheckFor)(machine.era));
}

/**
 * Make the driver for `options.refs`, one factory per mode so that what it declares
 * holds in every era it declares: `'none'` (the default, {@link kvmSpte}) declares no
 * page references and `v6` only (without references the 2008 eras' exit would free
 * pages sptes map: 2.6.27's KVM had no `release`); `'per-spte'`
 * ({@link kvmSpteHoldingRefs}) declares page references and every era.
 * `accessedBits: false` models EPT without A/D bits (name suffix `-no-a-bits`). EINVAL
 * (naming the value) for another mode or a non-boolean. Kernel counterpart: none.
 */
export function createKvmSpte(options: KvmSpteOptions = {}): KvmSpteFactory {
  const refs: unknown = options?.refs ?? 'none';
  if (!(KVM_SPTE_REFS as readonly unknown[]).includes(refs)) {
    throw new SmmuError('EINVAL', `createKvmSpte: refs ${JSON.stringify(refs) ?? String(refs)} is not one of ${KVM_SPTE_REFS.map((r) => `'${r}'`).join(', ')}`);
  }
  const accessedBits: unknown = options.accessedBits ?? true;
  if (typeof accessedBits !== 'boolean') throw new SmmuError('EINVAL', `createKvmSpte: accessedBits ${JSON.stringify(accessedBits) ?? String(accessedBits)} is not a boolean`);
  const mode = refs as KvmSpteRefs;
  const name = `${mode === 'none' ? KVM_SPTE_NAME : `${KVM_SPTE_NAME}-refs-${mode}`}${accessedBits ? '' : '-no-a-bits'}`;
  return makeKvmSpteFactory({ name, refs: mode, accessedBits });
}

/** @internal A factory attaching with `options` (the variants' way in). Kernel counterpart: none. */
export function makeKvmSpteFactory(options: KvmSpteAttachOptions): KvmSpteFactory {
  return Object.freeze({
    name: options.name,
    capabilities: kvmSpteCapabilities(options.refs),
    eras: Object.freeze(options.refs === 'none' ? (['v6'] as const) : [...ERAS]),
    attach: (task: Task, machine: Machine, mm: Mm) => attachKvmSpte(task, machine, mm, options),
  });
}

/**
 * The KVM-like driver as KVM is today: sptes holding no page references (`'none'`),
 * `v6`'s callbacks, retry check and flush placement. Declares `v6` only and no page
 * references; `checkDriver(kvmSpte)` is ok. For the 2008 eras use
 * {@link kvmSpteHoldingRefs} (or {@link kvmSpteForEra}).
 *
 * Kernel counterpart: KVM's MMU with its MMU notifier (`virt/kvm/kvm_main.c`,
 * `arch/x86/kvm/mmu/`) as of 6.x.
 */
export const kvmSpte: KvmSpteFactory = createKvmSpte();

/**
 * The KVM-like driver whose sptes each hold a page reference (`'per-spte'`), put when
 * the spte is zapped: 2.6.27's KVM in the 2008 eras; in `v6`, that design under
 * today's callbacks. Declares page references and every era. In `rfc-2008` and
 * `v2.6.27` nothing tears its sptes down at exit (2.6.27's KVM had no `release`), so
 * the conformance suite's two exit scenarios are inconclusive there by design.
 *
 * Kernel counterpart: KVM's MMU with its MMU notifier as of 2.6.27 (`rmap_remove()`
 * releasing each spte's page, until acb66dd0 in 2.6.32).
 */
export const kvmSpteHoldingRefs: KvmSpteFactory = createKvmSpte({ refs: 'per-spte' });

/**
 * The driver KVM was in `era`: {@link kvmSpteHoldingRefs} in `rfc-2008` and
 * `v2.6.27`, {@link kvmSpte} in `v6` (see {@link eraRefs}). Kernel counterpart: none.
 */
export function kvmSpteForEra(era: Era): KvmSpteFactory {
  return eraRefs(era) === 'none' ? kvmSpte : kvmSpteHoldingRefs;
}
