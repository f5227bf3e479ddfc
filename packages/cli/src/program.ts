import { Command, Option, type CommanderError } from 'commander';
import { isBadInput } from './cli-error.js';
import { compareCommand } from './commands/compare.js';
import { driversCommand } from './commands/drivers.js';
import { experimentCommand } from './commands/experiment.js';
import { exploreCommand } from './commands/explore.js';
import { replayCommand } from './commands/replay.js';
import { runCommand } from './commands/run.js';
import { scenariosCommand } from './commands/scenarios.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { Io } from './output/io.js';
import { packageVersion } from './version.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * The `secondary-mmu` program: its commands, each calling its command function with
 * `io`. Kernel counterpart: none (model machinery).
 */
export function buildProgram(io: Io, setExit: (code: ExitCode) => void): Command {
  const program = new Command('secondary-mmu')
    .version(packageVersion())
    .description('Run, explore, replay and compare secondary-MMU drivers on the secondary-mmu-sdk model.')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  const act =
    <A extends unknown[]>(fn: (...args: A) => ExitCode | Promise<ExitCode>) =>
    async (...args: A): Promise<void> => setExit(await fn(...args));

  program.command('scenarios').description('the named scenarios, one line each').option('--json', 'JSON output').action(act((o: { json?: boolean }) => scenariosCommand(o, io)));
  program
    .command('drivers')
    .description('the built-in drivers and any --driver modules, one line each')
    .option('--driver <module>', 'a third-party driver module to list too (repeatable)', collect)
    .option('--json', 'JSON output')
    .action(act((o: { driver?: string[]; json?: boolean }) => driversCommand(o, io)));
  program
    .command('run <file>')
    .description('run a scenario file (or a named scenario) once per era')
    .option('--driver <name>', 'a built-in driver or a module path', 'classic-mirror')
    .option('--variant <bug>', 'one of the driver\'s buggy variants')
    .option('--era <era>', 'one era (default: every era the scenario and driver share)')
    .option('--seed <n>', 'seed of the run')
    .addOption(new Option('--strategy <s>', 'schedule strategy').choices(['fifo', 'random', 'pct']))
    .option('--json', 'JSON output')
    .action(act((file: string, o: Parameters<typeof runCommand>[1]) => runCommand(file, o, io)));
  program
    .command('explore <scenario>')
    .description('run many seeded schedules of a scenario; the first failure is shrunk and printed with its replay token')
    .requiredOption('--driver <name>', 'a built-in driver or a module path')
    .option('--variant <bug>', 'one of the driver\'s buggy variants')
    .option('--era <era>', 'the era (default: the variant\'s, else v6 when the driver has it, else its latest)')
    .addOption(new Option('--strategy <s>', 'schedule strategy').choices(['random', 'pct']))
    .option('--schedules <n>', 'schedules to run', '200')
    .option('--seed <n>', 'base seed', '1')
    .option('--workers <n>', 'threads to run schedules on', '1')
    .option('--shard <k/n>', 'run only shard k of n (prints a shard report for merging)')
    .option('--json', 'JSON output (no progress bar)')
    .action(act((scenario: string, o: Parameters<typeof exploreCommand>[1]) => exploreCommand(scenario, o, io)));
  program
    .command('replay <token>')
    .description('run the schedule a token recorded again and print its full trace')
    .option('--trace-out <file>', 'also write the trace in Chrome trace-event JSON (open it in Perfetto)')
    .option('--json', 'JSON output')
    .action(act((token: string, o: Parameters<typeof replayCommand>[1]) => replayCommand(token, o, io)));
  program
    .command('experiment <name>')
    .description('an experiment of the model: aging-rounds (the seed thread\'s | versus || claim)')
    .option('--max-mappings <n>', 'largest number of mappings N', '8')
    .option('--json', 'JSON output')
    .action(act((name: string, o: Parameters<typeof experimentCommand>[1]) => experimentCommand(name, o, io)));
  program
    .command('compare')
    .description('drivers × scenarios × eras, every figure measured from a run with its replay token')
    .option('--era <era>', 'an era, or all (repeatable; default all)', collect)
    .option('--driver <name>', 'a built-in driver or a module path (repeatable; default the built-ins)', collect)
    .option('--scenario <name>', 'a named scenario or a file (repeatable; default a fast set)', collect)
    .option('--json', 'JSON output (no progress bar)')
    .option('--report <dir>', 'also write compare.md and a self-contained compare.html (SVG timelines) into <dir>')
    .option('--trace-out <file>', 'also write every compared run\'s trace, merged, in the Chrome trace-event format (Perfetto)')
    .action(act((o: Parameters<typeof compareCommand>[0]) => compareCommand(o, io)));
  return program;
}

/**
 * Run the program on `argv` (without the node and script paths): the exit code. Bad
 * input (an unknown option, a missing argument, a bad file or name) is 2 with the
 * message on stderr; help and version are 0. Kernel counterpart: none.
 */
export async function main(argv: readonly string[], io: Io): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    // Commander's own errors (unknown command or option, missing argument; help and version exit 0): one copy of commander, ours.
    if (isCommanderError(error)) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (isBadInput(error)) {
      io.err(`${io.color.red('error')}: ${(error as Error).message}\n`);
      return EXIT.badInput;
    }
    throw error;
  }
}

function isCommanderError(error: unknown): error is CommanderError {
  return error instanceof Error && typeof (error as Partial<CommanderError>).exitCode === 'number' && typeof (error as Partial<CommanderError>).code === 'string' && (error as CommanderError).code.startsWith('commander.');
}
