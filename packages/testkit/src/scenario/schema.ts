import { ERAS, PREEMPT_CLASSES } from '@secondary-mmu/core-mm';
import { z } from 'zod';
import { ADDRESS_PATTERN } from './address.js';

const NAME = /^[A-Za-z_][\w.-]*$/;

/** A name: a letter or `_`, then letters, digits, `_`, `.`, `-`. */
const name = z.string().regex(NAME, { message: 'expected a name (a letter or _, then letters, digits, _ . -)' });
/** An address `mapping[page]`. */
const address = z.string().regex(ADDRESS_PATTERN, { message: 'expected an address mapping[page], e.g. buf[2]' });
const pages = z.number().int().positive();
/** The largest content word: memory holds unsigned 32-bit words. */
export const MAX_WORD = 0xffff_ffff;
/** A content word: an unsigned 32-bit integer. */
const word = z
  .number()
  .int({ message: `expected an unsigned 32-bit word (an integer from 0 to ${MAX_WORD})` })
  .min(0, { message: `expected an unsigned 32-bit word (an integer from 0 to ${MAX_WORD})` })
  .max(MAX_WORD, { message: `expected an unsigned 32-bit word (an integer from 0 to ${MAX_WORD})` });

/**
 * The scenario format this testkit reads and writes: a document's `version`. A document
 * without one is read as version 1, the format before the field existed — never as
 * "the newest" — so files written before it keep their meaning.
 */
export const SCENARIO_FORMAT_VERSION = 1;

/** Error codes a step may be allowed to end with. */
export const STEP_ERROR_CODES = ['EFAULT', 'EPERM', 'SIGSEGV', 'SIGBUS', 'ENOMEM', 'EINVAL', 'EAGAIN', 'EBUSY', 'ENOENT'] as const;
/** A mapping's protection. */
export const SCENARIO_PROTS = ['r', 'rw', 'none'] as const;
/** A mapping's kind. */
export const MAPPING_KINDS = ['anon-private', 'anon-shared', 'file-shared', 'file-private'] as const;
/** The notifier callbacks a window can name (the trace's names). */
export const WINDOW_CALLBACKS = [
  'release',
  'invalidate_range_start',
  'invalidate_range_end',
  'invalidate_page',
  'clear_flush_young',
  'clear_young',
  'test_young',
  'arch_invalidate_secondary_tlbs',
  'interval_invalidate',
  'rmap_invalidate_page',
] as const;
/** The subscription lifecycle steps a window can name (the trace's). */
export const LIFECYCLE_STEPS = ['registered', 'unlisted', 'unregistered', 'freed'] as const;
/** The notifier range events a window can name. */
export const WINDOW_EVENTS = ['unmap', 'clear', 'protection-vma', 'protection-page', 'soft-dirty', 'release', 'migrate', 'exclusive'] as const;

const violationKinds = z.array(z.string().min(1));
const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]);

/** One element of a window's pattern: a trace event it matches. */
export const windowElementSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('access'),
    /** A scenario driver entry's name. */
    device: name.optional(),
    task: name.optional(),
    at: address.optional(),
    write: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('callback'),
    callback: oneOrMany(z.enum(WINDOW_CALLBACKS)).optional(),
    driver: name.optional(),
    task: name.optional(),
    covers: address.optional(),
    event: oneOrMany(z.enum(WINDOW_EVENTS)).optional(),
    /** Only calls whose range may (true) or may not (false) block. */
    blockable: z.boolean().optional(),
    /** Only calls that answered a failure (`-EAGAIN`, an error code, false from an interval callback) or threw (true), or succeeded (false). */
    failed: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('lifecycle'),
    /** `registered`, `unlisted` (left the list: no callback reaches it any more), `unregistered` (unregister or interval remove returned), `freed`. */
    step: oneOrMany(z.enum(LIFECYCLE_STEPS)).optional(),
    driver: name.optional(),
    task: name.optional(),
  }),
  z.strictObject({
    kind: z.literal('scan'),
    at: address.optional(),
    verdict: z.enum(['activate', 'keep', 'freed']).optional(),
  }),
]);

const allow = z.array(z.enum(STEP_ERROR_CODES)).optional();
/** The error code (or one of the codes) the step must end with: a step that succeeds, or fails otherwise, is a failure. */
const error = z.union([z.enum(STEP_ERROR_CODES), z.array(z.enum(STEP_ERROR_CODES)).min(1)]).optional();
const prot = z.enum(SCENARIO_PROTS);
/**
 * A step this one waits for: another step's `label`, or `task.index` (the task's name and
 * the step's 0-based index in it, e.g. `engine.2`).
 */
const stepRef = z.string().regex(/^[A-Za-z_][\w.-]*$/, { message: 'expected a step label or task.index, e.g. engine.2' });
/** Names this step, so others can wait for it with `after`. */
const label = name.optional().describe('Names the step, so others can wait for it with after.');
/** The step runs only once every step named here has completed (ended as it may: succeeded, or with an allowed error). */
const after = oneOrMany(stepRef).optional().describe('Run only once these steps (labels, or task.index such as engine.2) have completed.');
/** The step runs only once the trace holds an event matching this pattern element (since the run began). */
const awaitEvent = windowElementSchema.optional().describe('Run only once the trace holds an event matching this window element.');
const step = <O extends string, T extends z.ZodRawShape>(op: O, shape: T) => z.strictObject({ op: z.literal(op), ...shape, allow, error, label, after, await: awaitEvent });

/** Every step. CPU steps run in a task with `process`, device steps (`device-*`, `detach`) in one with `driver`; `sleep` and `yield` in both. */
export const stepSchema = z.discriminatedUnion('op', [
  step('read', { at: address, expect: word.optional() }),
  step('write', { at: address, value: word }),
  step('munmap', { at: address, pages }),
  step('mprotect', { at: address, pages, prot }),
  /** `mremap(at, pages, newPages ?? pages, MREMAP_MAYMOVE | MREMAP_FIXED, to)`: move the pages to `to`, replacing what is mapped there. */
  step('mremap', { at: address, pages, to: address, newPages: pages.optional() }),
  step('madvise-dontneed', { at: address, pages }),
  step('fork', { child: name }),
  step('exit', {}),
  step('reclaim', { at: address, passes: z.number().int().positive().max(16).optional() }),
  step('writeback', { mapping: name }),
  step('age', { at: address }),
  step('clear-young', { at: address, pages }),
  step('test-young', { at: address, expect: z.boolean().optional() }),
  step('oom-kill', { victim: name.optional() }),
  step('sleep', { ns: z.number().int().nonnegative() }),
  step('yield', {}),
  step('device-read', { at: address, expect: word.optional() }),
  step('device-write', { at: address, value: word }),
  step('device-prefetch', { at: address, pages }),
  step('detach', {}),
]);

/** The ops of device steps. */
export const DEVICE_OPS = ['device-read', 'device-write', 'device-prefetch', 'detach'] as const;
/** The ops both kinds of task may use. */
export const SHARED_OPS = ['sleep', 'yield'] as const;

/** The whole scenario document. */
export const scenarioSchema = z.strictObject({
  /** The format version (see {@link SCENARIO_FORMAT_VERSION}); absent means 1. */
  version: z.literal(SCENARIO_FORMAT_VERSION).optional().describe('The scenario format version; absent means 1.'),
  name: name.describe("The scenario's name."),
  description: z.string().optional().describe('Free text.'),
  eras: z.array(z.enum(ERAS)).min(1).optional().describe('The eras the scenario is for (default all); the suite skips the others and says so.'),
  memory: z.strictObject({ frames: z.number().int().min(16).max(1 << 20).describe('Physical frames (default: four per page the mappings and steps name, a power of two, at least 256).') }).optional(),
  schedule: z
    .strictObject({
      strategy: z.enum(['fifo', 'random', 'pct']),
      preempt: z
        .array(z.enum(PREEMPT_CLASSES as readonly ['sleep', 'spin', 'lock', 'device', 'yield', 'held']))
        .optional()
        .describe('The preemption classes that may switch tasks (default all but held).'),
      depth: z.number().int().positive().optional().describe('PCT depth.'),
    })
    .optional(),
  processes: z.array(z.strictObject({ name })).min(1).describe('The processes, by name.'),
  mappings: z
    .array(
      z.strictObject({
        name,
        process: name.describe('The process it is mapped in.'),
        pages: pages.max(4096),
        prot,
        kind: z.enum(MAPPING_KINDS),
        file: name.optional().describe('The file of a file-shared or file-private mapping (created on demand).'),
        /** When set, page i is filled with `fill + i` at setup (which also makes it resident). */
        fill: word.optional().describe('Page i holds fill + i at setup (and is resident); the last page too must fit in 32 bits.'),
      }),
    )
    .describe('Memory mappings; addresses are written mapping[page].'),
  drivers: z.array(z.strictObject({ name, process: name })).describe('Instances of the driver under test, each attached to a process.'),
  tasks: z
    .array(
      /** Exactly one of `process` (a CPU task) and `driver` (a device task); checked with the cross-references. */
      z.strictObject({
        name,
        process: name.optional().describe('A CPU task of this process (exactly one of process and driver).'),
        driver: name.optional().describe('A device task of this driver (exactly one of process and driver).'),
        steps: z.array(stepSchema),
      }),
    )
    .min(1),
  windows: z
    .array(z.strictObject({ name, pattern: z.array(windowElementSchema).min(1) }))
    .optional()
    .describe('Race windows: ordered patterns of trace events; a run that hits none is inconclusive.'),
  /** Kernel knobs: how the modelled kernel deviates from its era's default (to replay a historical bug). */
  kernel: z
    .strictObject({ releaseOrder: z.enum(['release-first', 'unlist-first']).optional() })
    .optional()
    .describe("How the modelled kernel deviates from its era's default (to replay a historical bug)."),
  expect: z
    .strictObject({
      violations: violationKinds.optional().describe('Violation kinds the run must report (every one, and no other).'),
      /** Per-era expectations, replacing `violations` in that era. */
      eras: z.partialRecord(z.enum(ERAS), z.strictObject({ violations: violationKinds })).optional().describe('Per-era expectations, replacing violations in that era.'),
    })
    .optional(),
});

/** A validated scenario (what {@link loadScenario} returns and {@link runScenario} runs). */
export type Scenario = z.infer<typeof scenarioSchema>;
/** A process entry. */
export type ScenarioProcess = Scenario['processes'][number];
/** A mapping entry. */
export type ScenarioMapping = Scenario['mappings'][number];
/** A driver entry: one instance of the factory under test, attached to its process's mm. */
export type ScenarioDriver = Scenario['drivers'][number];
/** A task entry: a CPU task of a process, or a device task of a driver. */
export type ScenarioTask = Scenario['tasks'][number];
/** Any step. */
export type ScenarioStep = z.infer<typeof stepSchema>;
/** A device step. */
export type DeviceStep = Extract<ScenarioStep, { op: (typeof DEVICE_OPS)[number] | (typeof SHARED_OPS)[number] }>;
/** A CPU step. */
export type CpuStep = Exclude<ScenarioStep, { op: (typeof DEVICE_OPS)[number] }>;
/** A race window: an ordered pattern matched as a subsequence of the run's trace. */
export type ScenarioWindow = NonNullable<Scenario['windows']>[number];
/** One element of a window's pattern. */
export type WindowElement = z.infer<typeof windowElementSchema>;
