import { Machine, MAP, PAGE_SIZE, PROT, type Inode, type Process, type Task } from '@secondary-mmu/core-mm';
import { gru, type GruInstance } from '@secondary-mmu/gru';
import { kvmSpte, type KvmSpteInstance } from '@secondary-mmu/kvm-spte';
import { NotifierTrace } from '@secondary-mmu/mmu-notifier';
import { xpmem, type XpmemImporter } from '@secondary-mmu/xpmem-messaging';

/** The host process's pages the workload uses, by role. Kernel counterpart: none. */
export interface HostPages {
  /** The page the kvm-spte guest keeps using (device-hot for KVM only). */
  readonly kvmHot: number;
  /** The page the gru context keeps using (device-hot for the GRU only). */
  readonly gruHot: number;
  /** The page the xpmem importer keeps using (pinned by the owner for it). */
  readonly xpmemPage: number;
  /** A page all three devices use. */
  readonly shared: number;
  /** A page mremap moves. */
  readonly moved: number;
  /** A shared file page the devices write and writeback cleans. */
  readonly file: number;
}

/** The one machine: the host process, its CPU thread, its pages, the three drivers attached to its mm, and the trace of all of it. Kernel counterpart: none. */
export interface Host {
  readonly machine: Machine;
  readonly app: Process;
  readonly setup: Task;
  readonly inode: Inode;
  readonly pages: HostPages;
  readonly kvm: KvmSpteInstance;
  readonly gru: GruInstance;
  readonly xpmem: XpmemImporter;
  readonly trace: NotifierTrace;
}

const RW = PROT.read | PROT.write;

/**
 * Build the machine (`v6`: the one era all three drivers share) from `seed` or a replay
 * token (`program` labels the run: a token replays only the program it recorded), map the host process's memory — five anonymous pages and one shared file page,
 * each written by the CPU — and attach a kvm-spte VM, a gru context and an xpmem importer
 * to its mm, each through its package's `DriverFactory.attach`. The trace starts before
 * the attaches, so it sees every registration. Kernel counterpart: none.
 */
export async function buildHost(options: ({ seed: number } | { replay: string }) & { program: string }): Promise<Host> {
  const machine = new Machine({ era: 'v6', memory: { frames: 96 }, ...options });
  const trace = NotifierTrace.attach(machine);
  const app = machine.mem.createProcess('host');
  const setup = app.task('setup');
  const anon = await machine.mem.mmap(setup, { length: 5 * PAGE_SIZE, prot: RW, flags: MAP.private | MAP.anonymous });
  const inode = machine.mem.createFile('shared-buffer', PAGE_SIZE);
  const file = await machine.mem.mmap(setup, { length: PAGE_SIZE, prot: RW, flags: MAP.shared, file: inode });
  const pages: HostPages = { kvmHot: anon, gruHot: anon + PAGE_SIZE, xpmemPage: anon + 2 * PAGE_SIZE, shared: anon + 3 * PAGE_SIZE, moved: anon + 4 * PAGE_SIZE, file };
  let value = 100;
  for (const address of Object.values(pages) as number[]) await machine.mem.write(setup, address, value++);
  const mm = setup.mm!;
  return {
    machine,
    app,
    setup,
    inode,
    pages,
    kvm: await kvmSpte.attach(setup, machine, mm),
    gru: await gru.attach(setup, machine, mm),
    xpmem: await xpmem.attach(setup, machine, mm),
    trace,
  };
}
