import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/program.js';
import type { Prompter } from '../../src/prompter.js';

/** A fresh temporary directory for one test. */
export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'create-smmu-driver-'));
}

/** Run the command in this process, collecting its output: exit code, stdout, stderr. */
export async function create(argv: string[], prompter?: Prompter): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), ...(prompter === undefined ? {} : { prompter }) });
  return { code, stdout, stderr };
}

/** A prompter answering from a script (undefined: the user cancels), recording the questions. */
export function scriptedPrompter(answers: { text?: (string | undefined)[]; select?: (string | undefined)[] }): Prompter & { asked: string[]; rejected: string[] } {
  const texts = [...(answers.text ?? [])];
  const selects = [...(answers.select ?? [])];
  const asked: string[] = [];
  const rejected: string[] = [];
  return {
    asked,
    rejected,
    text(message, _initial, check) {
      asked.push(message);
      let answer = texts.shift();
      // Like the terminal prompt: a rejected answer is shown and asked again.
      while (answer !== undefined && check(answer) !== undefined) {
        rejected.push(check(answer)!);
        answer = texts.shift();
      }
      return Promise.resolve(answer);
    },
    select(message, choices) {
      asked.push(`${message} ${choices.map((c) => c.value).join('|')}`);
      return Promise.resolve(selects.shift());
    },
  };
}
