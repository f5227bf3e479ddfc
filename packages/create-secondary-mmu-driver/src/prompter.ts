import * as clack from '@clack/prompts';

/** A choice in a {@link Prompter} select. Kernel counterpart: none. */
export interface Choice {
  readonly value: string;
  readonly label: string;
  readonly hint?: string;
}

/**
 * The questions the command asks on a terminal; `undefined` means the user cancelled
 * (Ctrl-C). Tests pass one that answers from a script. Kernel counterpart: none.
 */
export interface Prompter {
  /** A line of text, with a default and a check that returns the problem or undefined. */
  text(message: string, initial: string, check: (value: string) => string | undefined): Promise<string | undefined>;
  /** One of `choices`. */
  select(message: string, choices: readonly Choice[]): Promise<string | undefined>;
}

/** The terminal prompts of @clack/prompts. Kernel counterpart: none. */
export function clackPrompter(): Prompter {
  return {
    async text(message, initial, check) {
      const answer = await clack.text({ message, placeholder: initial, defaultValue: initial, validate: (v) => check(v === undefined || v === '' ? initial : v) });
      return clack.isCancel(answer) ? undefined : answer;
    },
    async select(message, choices) {
      const answer = await clack.select({ message, options: choices.map((c) => ({ value: c.value, label: c.label, ...(c.hint === undefined ? {} : { hint: c.hint }) })) });
      return clack.isCancel(answer) ? undefined : answer;
    },
  };
}
