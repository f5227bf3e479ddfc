import { SmmuError } from '../errors.js';
import { brandClass } from '../util/brand.js';
import { digest } from '../util/hash.js';
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
  /**
   * The opaque label of what the run ran on (`KernelOptions.context`: a `Machine`
   * records its era); a kernel refuses a token of another context. Empty or absent:
   * none (a bare `Kernel`). Always set by {@link decodeReplayToken}.
   */
  readonly context?: string;
}

/** The token format this version writes and reads: its tokens start `smmu2.`. */
export const REPLAY_TOKEN_VERSION = 2;

const PREFIX = `smmu${REPLAY_TOKEN_VERSION}.`;

/**
 * Why a replay token was refused: a stable string to match on.
 *
 * - `malformed`: not a token, or its content does not decode to a record;
 * - `corrupted`: its checksum does not match its content (truncated or edited);
 * - `old-version`: an older format (`smmu1.`: no context, no checksum), which this
 *   version no longer reads — record the run again;
 * - `new-version`: a newer format than this version reads;
 * - `other-context`: recorded under another context (a `Machine`: another era);
 * - `other-seed`: the kernel was given a seed other than the token's.
 */
export type ReplayTokenProblem = 'malformed' | 'corrupted' | 'old-version' | 'new-version' | 'other-context' | 'other-seed';

/**
 * A replay token that cannot be replayed here: an `SmmuError` with code `EINVAL` (match
 * with `isSmmuError(e, 'EINVAL')`), whose message names the token and what is wrong.
 * Thrown when the kernel is built, before anything runs: a token is never replayed
 * against a run it was not recorded for. No kernel counterpart.
 */
export class ReplayTokenError extends SmmuError {
  /** What is wrong with the token. */
  readonly problem: ReplayTokenProblem;
  /** The token as given. */
  readonly token: string;

  constructor(problem: ReplayTokenProblem, token: unknown, why: string) {
    super('EINVAL', `invalid replay token ${shortToken(token)}: ${why}`);
    this.problem = problem;
    this.token = typeof token === 'string' ? token : String(token);
  }
}
brandClass(ReplayTokenError, '@secondary-mmu/core-mm:ReplayTokenError');

/** A token as an error message shows it: quoted, its first 24 characters. */
function shortToken(token: unknown): string {
  if (typeof token !== 'string') return String(token);
  return JSON.stringify(token.length > 24 ? `${token.slice(0, 24)}...` : token);
}

/**
 * Encode a record as a token (format {@link REPLAY_TOKEN_VERSION}): `smmu2.`, the record
 * as base64url(UTF-8 JSON), `.`, and an 8-hex-digit checksum of everything before it.
 */
export function encodeReplayToken(r: ReplayRecord): string {
  const json = JSON.stringify({ s: r.seed, st: r.strategy, p: r.params, pc: r.preempt, c: encodeChoices(r.choices), f: r.fingerprint, x: r.context ?? '' });
  const body = PREFIX + toBase64Url(json);
  return `${body}.${checksum(body)}`;
}

/**
 * Decode a token. A token that cannot be replayed is a {@link ReplayTokenError}
 * (`EINVAL`) naming it: not a token, another format version (an older one is named
 * with the version), a checksum that does not match, a malformed record.
 */
export function decodeReplayToken(token: string): ReplayRecord {
  const bad = (why: string): ReplayTokenError => new ReplayTokenError('malformed', token, why);
  if (typeof token !== 'string') throw bad(`expected a string starting with "${PREFIX}"`);
  const version = /^smmu(\d+)\./.exec(token);
  if (version === null) throw bad(`expected it to start with "${PREFIX}"`);
  const v = Number(version[1]);
  if (v < REPLAY_TOKEN_VERSION) {
    throw new ReplayTokenError(
      'old-version',
      token,
      `format version ${v} ("smmu${v}.") is older than the one this version reads (${REPLAY_TOKEN_VERSION}, "${PREFIX}"); version ${v} recorded no era and no checksum: run the scenario or program again to record a new token`,
    );
  }
  if (v > REPLAY_TOKEN_VERSION) {
    throw new ReplayTokenError('new-version', token, `format version ${v} is newer than the one this version reads (${REPLAY_TOKEN_VERSION}): upgrade @secondary-mmu/core-mm to replay it`);
  }
  const dot = token.lastIndexOf('.');
  const body = token.slice(0, dot);
  if (dot < PREFIX.length) throw new ReplayTokenError('corrupted', token, 'no checksum (truncated?)');
  const sum = token.slice(dot + 1);
  if (sum !== checksum(body)) throw new ReplayTokenError('corrupted', token, `checksum "${sum}" does not match its content: the token was truncated or edited`);
  let raw: unknown;
  try {
    raw = JSON.parse(fromBase64Url(body.slice(PREFIX.length)));
  } catch {
    throw bad('not base64url JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw bad('not an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.s !== 'number' || !Number.isSafeInteger(o.s)) throw bad('seed is not an integer');
  if (o.st !== 'fifo' && o.st !== 'random' && o.st !== 'pct') throw bad(`unknown strategy ${String(o.st)}`);
  if (typeof o.f !== 'string') throw bad('no fingerprint');
  if (typeof o.x !== 'string') throw bad('no context');
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
    context: o.x,
  };
}

/** 8 hex digits of the digest of `text`: catches a truncated or edited token, no more. */
function checksum(text: string): string {
  return digest(text).slice(0, 8);
}

function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
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
