import { describe, it } from 'vitest';
import type { DriverFactory } from '../contract.js';
import type { ConformanceCapabilities } from '../conformance/capability.js';
import { formatConformanceCase } from '../conformance/format.js';
import type { CheckDriverOptions } from '../conformance/options.js';
import { caseTitle, planFor } from '../conformance/plan.js';
import { failFor } from '../arguments.js';
import { show } from '../show.js';
import { runConformanceCase } from '../conformance/run-case.js';

/** What `describeDriverConformance` needs: the driver, and the suite's options. */
export interface DescribeDriverConformanceOptions {
  /** The suite's name (the `describe` title is `conformance: <name>`). */
  readonly name: string;
  /** Make the factory under test; called once, when the suite is collected. */
  readonly create: () => DriverFactory;
  /** Override what the factory declares (and say whether its instances prefetch). */
  readonly capabilities?: Partial<ConformanceCapabilities>;
  /** The eras to test (default every era; those the driver does not declare are skipped tests). */
  readonly eras?: CheckDriverOptions['eras'];
  /** The seeds each test runs (default `DEFAULT_CONFORMANCE_SEEDS`). */
  readonly seeds?: CheckDriverOptions['seeds'];
  /** The scenarios (default `CONFORMANCE_SCENARIOS`). */
  readonly scenarios?: CheckDriverOptions['scenarios'];
  /** The device latencies each scenario × era runs at (default 0 and 50 ns: `DEFAULT_CONFORMANCE_LATENCIES`). */
  readonly latencies?: CheckDriverOptions['latencies'];
  /** Override every scenario's schedule strategy. */
  readonly strategy?: CheckDriverOptions['strategy'];
  /** An inconclusive case passes instead of failing (default false). */
  readonly allowInconclusive?: boolean;
}

/**
 * Register the conformance suite as vitest tests: one `describe`, one `it` per scenario
 * × era × device latency (the title names a non-zero latency: `… [v6] @ 50 ns`). A case skipped by an undeclared era or capability is an `it.skip` whose title
 * gives the reason (one found only while running — no `prefetch` — skips from inside
 * the test); a failing case fails with its violations and their replay tokens; an
 * inconclusive one fails unless `allowInconclusive`. Call it at a test file's top level.
 */
export function describeDriverConformance(options: DescribeDriverConformanceOptions): void {
  const fail = failFor('describeDriverConformance');
  const given: unknown = options;
  if (given === null || typeof given !== 'object') fail('not-an-object', 'options', `must be an object, got ${show(given)}`);
  if (typeof options.create !== 'function') fail('not-a-driver', 'options.create', `must be a function making the DriverFactory, got ${show(options.create)}`);
  describe(`conformance: ${options.name}`, () => {
    const factory = options.create();
    const plan = planFor('describeDriverConformance', factory, {
      ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
      ...(options.eras === undefined ? {} : { eras: options.eras }),
      ...(options.seeds === undefined ? {} : { seeds: options.seeds }),
      ...(options.scenarios === undefined ? {} : { scenarios: options.scenarios }),
      ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
      ...(options.latencies === undefined ? {} : { latencies: options.latencies }),
    });
    for (const c of plan.cases) {
      const title = caseTitle(c.scenario.name, c.era, c.latency);
      if (c.skip !== undefined) {
        it.skip(`${title} — skipped: ${c.skip.reason}`);
        continue;
      }
      it(title, async (ctx) => {
        const result = await runConformanceCase(factory, c, plan);
        if (result.status === 'skipped') ctx.skip(result.skip?.reason);
        if (result.status === 'fail' || (result.status === 'inconclusive' && options.allowInconclusive !== true)) throw new Error(formatConformanceCase(result));
      });
    }
  });
}
