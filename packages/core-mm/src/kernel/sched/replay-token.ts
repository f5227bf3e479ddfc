import { SmmuError } from '../errors.js';
import { PREEMPT_CLASSES, type PreemptClass } from './preempt-class.js';

/** What a replay token carries: enough to rerun one run exactly. */
export interface ReplayRecord {
  readonly seed: number;
  /** The strategy that made the choices (a replayed run records its original's). */
  readonly strategy: 'fifo' | 'random' | 'pct';
  readonly params: Readonly<Record<string, number>>;
  /** The classes that preempted: replay must stop at the same points. */
  readonly preempt: readonly PreemptClass[];
  /** Flattened pairs per decision with a choice: the chosen task's spawn index, the number of runnable tasks. */
  readonly choices: readonly number[];
  /** Digest of the model sources and the program (task names and bodies). */
  readonly fingerprint: string;
}

const PREFIX = 'smmu1.';

/** Encode a record as a token: `smmu1.` + base64url(JSON). */
export function encodeReplayToken(r: ReplayRecord): string {
  const json = JSON.stringify({ s: r.seed, st: r.strategy, p: r.params, pc: r.preempt, c: encodeChoices(r.choices), f: r.fingerprint });
  return PREFIX + btoa(json).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Decode a token; anything malformed is `EINVAL` naming the token. */
export function decodeReplayToken(token: string): ReplayRecord {
  const bad = (why: string): SmmuError =>
    new SmmuError('EINVAL', `invalid replay token "${token.length > 24 ? `${token.slice(0, 24)}...` : token}": ${why}`);
  if (typeof token !== 'string' || !token.startsWith(PREFIX)) throw bad(`expected it to start with "${PREFIX}"`);
  let raw: unknown;
  try {
    raw = JSON.parse(atob(token.slice(PREFIX.length).replaceAll('-', '+').replaceAll('_', '/')));
  } catch {
    throw bad('not base64url JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw bad('not an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.s !== 'number' || !Number.isSafeInteger(o.s)) throw bad('seed is not an integer');
  if (o.st !== 'fifo' && o.st !== 'random' && o.st !== 'pct') throw bad(`unknown strategy ${String(o.st)}`);
  if (typeof o.f !== 'string') throw bad('no fingerprint');
  if (!Array.isArray(o.pc) || !o.pc.every((c) => PREEMPT_CLASSES.includes(c as PreemptClass))) throw bad('bad preemption classes');
  if (typeof o.p !== 'object' || o.p === null || !Object.values(o.p).every((v) => typeof v === 'number')) throw bad('bad parameters');
  if (typeof o.c !== 'string') throw bad('no choices');
  const choices = decodeChoices(o.c);
  if (typeof choices === 'string') throw bad(choices);
  return {
    seed: o.s,
    strategy: o.st,
    params: o.p as Record<string, number>,
    preempt: o.pc as PreemptClass[],
    choices,
    fingerprint: o.f,
  };
}

/**
 * Choices as runs of decisions with the same number of runnable tasks n: `n:` then
 * the chosen tasks' spawn indices, one base36 digit each, or `(…)` around indices of
 * 36 and more; runs separated by `;`. "2:0110;3:2(1a)" is four decisions among 2
 * tasks, then two among 3.
 */
function encodeChoices(choices: readonly number[]): string {
  let out = '';
  let runOf = -1;
  for (let k = 0; k < choices.length; k += 2) {
    const ordinal = choices[k]!;
    const n = choices[k + 1]!;
    if (n !== runOf) {
      out += `${out === '' ? '' : ';'}${n.toString(36)}:`;
      runOf = n;
    }
    out += ordinal < 36 ? ordinal.toString(36) : `(${ordinal.toString(36)})`;
  }
  return out;
}

/** The pairs back, or a reason they are malformed. */
function decodeChoices(text: string): number[] | string {
  const choices: number[] = [];
  if (text === '') return choices;
  for (const run of text.split(';')) {
    const colon = run.indexOf(':');
    const n = parseInt(run.slice(0, colon), 36);
    const body = run.slice(colon + 1);
    if (colon < 1 || !(n >= 2) || body === '') return `bad choice run "${run}"`;
    for (let i = 0; i < body.length; i++) {
      let digits = body[i]!;
      if (digits === '(') {
        const close = body.indexOf(')', i);
        if (close < 0) return `unclosed "(" in "${run}"`;
        digits = body.slice(i + 1, close);
        i = close;
      }
      const ordinal = parseInt(digits, 36);
      if (!(ordinal >= 0) || !/^[0-9a-z]+$/.test(digits)) return `bad choice "${digits}" in "${run}"`;
      choices.push(ordinal, n);
    }
  }
  return choices;
}
