import path from 'node:path';
import { Command, type CommanderError } from 'commander';
import { CreateError, isCreateError } from './errors.js';
import { checkPackageName, nameFromDirectory } from './package-name.js';
import type { Prompter } from './prompter.js';
import { createDriverPackage } from './scaffold.js';
import { parseTemplate, TEMPLATE_DESCRIPTIONS, TEMPLATE_NAMES } from './templates.js';

/** Exit codes: 0 done (or help), 1 cancelled or an internal error, 2 bad input. Kernel counterpart: none. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/** Where the command writes and how it asks. Kernel counterpart: none. */
export interface CreateIo {
  out(text: string): void;
  err(text: string): void;
  /** Set when stdin and stdout are a terminal: missing values are asked for. */
  readonly prompter?: Prompter;
}

interface Flags {
  template?: string;
  name?: string;
  yes?: boolean;
}

/** The directory and template used under `--yes` when none is given. */
const DEFAULTS = { directory: 'my-driver', template: 'classic' } as const;

function program(io: CreateIo): Command {
  return new Command('create-secondary-mmu-driver')
    .description('Scaffold a secondary-MMU driver package whose conformance suite passes out of the box.')
    .addHelpText('after', `\nTemplates:\n${TEMPLATE_NAMES.map((t) => `  ${t.padEnd(18)} ${TEMPLATE_DESCRIPTIONS[t]}`).join('\n')}\n\nExample: npm create secondary-mmu-driver my-driver -- --template interval\n`)
    .argument('[directory]', 'where to create the package (new or empty)')
    .option('-t, --template <name>', `the driver shape: ${TEMPLATE_NAMES.join(', ')}`)
    .option('--name <package-name>', 'the package name (default: the directory name)')
    .option('-y, --yes', `ask nothing: defaults for what is not given (directory ${DEFAULTS.directory}, template ${DEFAULTS.template})`)
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
}

/** A value from the flags, else the prompter, else the default under --yes, else a missing-argument error. */
async function resolve(given: string | undefined, flags: Flags, io: CreateIo, what: string, fallback: string, ask: (p: Prompter) => Promise<string | undefined>): Promise<string | undefined> {
  if (given !== undefined) return given;
  if (flags.yes === true) return fallback;
  if (io.prompter !== undefined) return ask(io.prompter);
  throw new CreateError('EINVAL', 'missing-argument', what, `no ${what} given and no terminal to ask on: pass it, or --yes for the default (${fallback})`);
}

/** The message of the CreateError `check` throws, or undefined: what a prompt shows before asking again. */
const problemOf = (check: () => unknown): string | undefined => {
  try {
    check();
    return undefined;
  } catch (error) {
    if (isCreateError(error)) return error.message;
    throw error;
  }
};

async function create(directoryArg: string | undefined, flags: Flags, io: CreateIo): Promise<number> {
  if (flags.template !== undefined) parseTemplate(flags.template);
  if (flags.name !== undefined) checkPackageName(flags.name);
  const directory = await resolve(directoryArg, flags, io, 'directory', DEFAULTS.directory, (p) =>
    p.text('Where should the driver package go?', DEFAULTS.directory, (v) => (flags.name === undefined ? problemOf(() => checkPackageName(nameFromDirectory(v))) : undefined)),
  );
  if (directory === undefined) return cancelled(io);
  const name = flags.name ?? checkPackageName(nameFromDirectory(path.resolve(directory)));
  const template = await resolve(flags.template, flags, io, 'template', DEFAULTS.template, (p) =>
    p.select('Which driver shape?', TEMPLATE_NAMES.map((t) => ({ value: t, label: t, hint: TEMPLATE_DESCRIPTIONS[t] }))),
  );
  if (template === undefined) return cancelled(io);
  const created = createDriverPackage({ directory, name, template });
  const relative = path.relative(process.cwd(), created.directory) || '.';
  io.out(`Created ${created.name} (${created.template} template) in ${relative}: ${created.files.length} files.\n\nNext:\n  cd ${relative}\n  npm install\n  npm test\n`);
  return EXIT.ok;
}

function cancelled(io: CreateIo): number {
  io.err('Cancelled: nothing was written.\n');
  return EXIT.failed;
}

/**
 * Run `create-secondary-mmu-driver` on `argv` (without node and the script): the exit
 * code. Bad input — an unknown option, a bad package name or template, a target that
 * is not an empty directory, a value missing with no terminal to ask on — is 2 with a
 * message naming the value, and nothing is written. Kernel counterpart: none.
 */
export async function main(argv: readonly string[], io: CreateIo): Promise<number> {
  let code: number = EXIT.ok;
  const cmd = program(io).action(async (directory: string | undefined, flags: Flags) => {
    code = await create(directory, flags, io);
  });
  try {
    await cmd.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (isCommanderError(error)) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (isCreateError(error)) {
      io.err(`create-secondary-mmu-driver: ${error.message}\n`);
      return EXIT.badInput;
    }
    throw error;
  }
}

function isCommanderError(error: unknown): error is CommanderError {
  return error instanceof Error && typeof (error as Partial<CommanderError>).exitCode === 'number' && String((error as Partial<CommanderError>).code).startsWith('commander.');
}
