import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runScenario } from '@secondary-mmu/testkit';
import { catchDriverThrow, isDriverThrew } from '../driver-threw.js';
import { CliError } from '../cli-error.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../output/io.js';
import { traceLines } from '../output/trace-lines.js';
import { formatViolationLine, violationJson } from '../run-target.js';
import { decodeRunToken } from '../token.js';
import { targetOfRecord } from '../token-target.js';

/** Options of `replay`. Kernel counterpart: none. */
export interface ReplayOptions {
  /** Write the trace in Chrome trace-event JSON here (Perfetto, chrome://tracing). */
  readonly traceOut?: string;
  readonly json?: boolean;
  readonly cwd?: string;
}

/**
 * `secondary-mmu replay <token>`: run the recorded run again (the same scenario, driver,
 * variant, era and schedule) and print its verdict, violations and full trace. A token
 * that does not decode, or that core-mm refuses, is exit 2; one whose run no longer fits
 * its choices (the driver or scenario changed) is a `diverging-token` error, exit 2.
 * Exit 1 when the replayed run fails, as it did when recorded. Kernel counterpart: none.
 */
export async function replayCommand(token: string, options: ReplayOptions, io: Io): Promise<ExitCode> {
  const record = decodeRunToken(token.trim());
  const target = await targetOfRecord(record, options.cwd);
  const r = await catchDriverThrow(() => runScenario(target.scenario.scenario, target.factory, { era: record.era, replay: record.token }));
  if (isDriverThrew(r)) {
    io.out(`${io.color.bold(target.scenario.scenario.name)} with ${target.factory.name} in ${record.era}: ${io.color.red('FAIL')}: the driver threw outside a callback: ${r.threw}\n`);
    return EXIT.violations;
  }
  const divergence = r.violations.find((v) => v.kind === 'divergence');
  if (divergence !== undefined) throw new CliError('diverging-token', token, `the token no longer replays: ${divergence.message.split('\n')[0]} (the driver, the scenario or the model changed since it was recorded)`);
  for (const w of r.machine.report.warnings) io.err(`note: ${w}\n`);
  if (options.traceOut !== undefined) writeFileSync(path.resolve(options.cwd ?? process.cwd(), options.traceOut), `${JSON.stringify(r.trace.toChromeTrace())}\n`);
  const code = r.verdict === 'fail' ? EXIT.violations : EXIT.ok;
  if (options.json === true) {
    io.out(`${JSON.stringify({ scenario: target.scenario.scenario.name, driver: target.factory.name, variant: record.variant, era: record.era, verdict: r.verdict, reasons: r.reasons, violations: r.violations.map(violationJson), trace: r.trace.toJSON() }, null, 2)}\n`);
    return code;
  }
  const c = io.color;
  io.out(`${c.bold(target.scenario.scenario.name)} with ${target.factory.name} in ${record.era}: ${r.verdict === 'fail' ? c.red('FAIL') : r.verdict === 'pass' ? c.green('pass') : c.yellow('inconclusive')}\n`);
  io.out(c.dim('virtual ns, task: event\n'));
  for (const line of traceLines(r.trace)) io.out(`  ${line}\n`);
  for (const reason of r.reasons) if (!reason.startsWith('unexpected violation')) io.out(`${reason.split('\n')[0]}\n`);
  for (const v of r.violations) io.out(`${c.red(formatViolationLine(violationJson(v)))}\n`);
  if (options.traceOut !== undefined) io.out(`trace written to ${options.traceOut} (open it in https://ui.perfetto.dev)\n`);
  return code;
}
