/*
 * The worker-thread entry of the explorer's pool (built to dist/explore-worker.js): it
 * imports the driver by reference, once per thread, and runs a batch of schedules or
 * one conformance case.
 */
import type { ConformanceCase } from '../conformance/report.js';
import { runConformanceCase } from '../conformance/run-case.js';
import type { DriverFactory } from '../contract.js';
import { parseScenario } from '../scenario/load.js';
import { sourceOf } from '../scenario/run.js';
import type { Scenario } from '../scenario/schema.js';
import { isTestkitArgumentError } from './argument-error.js';
import { loadDriver } from './driver-reference.js';
import { runScheduleBatch } from './schedule-batch.js';
import type { ScheduleSummary } from './schedule-summary.js';
import type { WorkerReply, WorkerTask } from './worker-task.js';

const drivers = new Map<string, Promise<DriverFactory>>();
/**
 * One validated object per scenario text. Each batch arrives as a fresh structured
 * clone, which `runScenario` would validate again on every schedule (zod, then a new
 * object that misses every per-scenario cache): validated once here, it is the same
 * frozen object for every batch, as the serial explorer's is.
 */
const scenarios = new Map<string, Scenario>();

function driverFor(task: WorkerTask): Promise<DriverFactory> {
  const key = `${task.driver.module}\n${task.driver.export}`;
  let d = drivers.get(key);
  if (d === undefined) drivers.set(key, (d = loadDriver(task.driver, task.caller, task.kind === 'schedules' ? 'options.driver' : 'driver')));
  return d;
}

function canonical(scenario: Scenario): Scenario {
  const key = JSON.stringify(scenario);
  const known = scenarios.get(key);
  if (known !== undefined) return known;
  if (scenarios.size >= 64) scenarios.clear();
  const validated = parseScenario(scenario, sourceOf(scenario));
  scenarios.set(key, validated);
  return validated;
}

/** Run one {@link WorkerTask}. */
async function answer(task: WorkerTask): Promise<ScheduleSummary[] | ConformanceCase> {
  const driver = await driverFor(task);
  if (task.kind === 'schedules') {
    const spec = { ...task.spec, scenario: canonical(task.spec.scenario) };
    return (await runScheduleBatch(spec, driver, task.indices)).summaries;
  }
  const c = { ...task.case, scenario: { ...task.case.scenario, scenario: canonical(task.case.scenario.scenario) } };
  const plan = { seeds: task.seeds, ...(task.strategy === undefined ? {} : { strategy: task.strategy }) };
  return runConformanceCase(driver, c, plan);
}

/**
 * Run one {@link WorkerTask}; an argument error (the driver reference does not load
 * here) is sent back as data. Kernel counterpart: none (model machinery).
 */
export default async function runWorkerTask(task: WorkerTask): Promise<WorkerReply> {
  try {
    return { answer: await answer(task) };
  } catch (error) {
    if (isTestkitArgumentError(error)) return { refused: { problem: error.problem, path: error.path, message: error.message } };
    throw error;
  }
}
