import { describe, expect, it, vi } from 'vitest';
import {
  decodeReplayToken,
  encodeReplayToken,
  isSmmuError,
  Kernel,
  Machine,
  REPLAY_TOKEN_VERSION,
  ReplayTokenError,
  type ReplayTokenProblem,
  type RunResult,
} from '../../src/index.js';
import { racyCounter } from '../support/programs.js';

/** The error `f` throws. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** `f` throws a `ReplayTokenError` (EINVAL) for `problem`; its message. */
function refused(f: () => unknown, problem: ReplayTokenProblem): string {
  const e = thrown(f);
  expect(isSmmuError(e, 'EINVAL')).toBe(true);
  expect(e).toBeInstanceOf(ReplayTokenError);
  expect((e as ReplayTokenError).problem).toBe(problem);
  return (e as Error).message;
}

/** A machine of `era` running two racing tasks under `random`; its run's token. */
async function machineToken(era: 'rfc-2008' | 'v6', seed = 3): Promise<string> {
  const m = new Machine({ era, seed, schedule: { strategy: 'random' }, program: 'two' });
  for (const name of ['a', 'b']) m.sched.spawn(name, async (t) => void (await m.sched.yield(t)));
  return (await m.sched.run()).token;
}

const record = { seed: 9, strategy: 'random', params: {}, preempt: ['yield'], choices: [1, 2, 0, 2], fingerprint: 'abc', context: 'v6' } as const;

describe('replay tokens: format version, checksum, context', () => {
  it(`tokens are "smmu${REPLAY_TOKEN_VERSION}.", base64url JSON, "." and a checksum, and carry the context`, () => {
    const token = encodeReplayToken(record);
    expect(token).toMatch(/^smmu2\.[A-Za-z0-9_-]+\.[0-9a-f]{8}$/);
    expect(decodeReplayToken(token)).toEqual({ ...record, preempt: ['yield'], choices: [1, 2, 0, 2] });
    // Any label survives the encoding, not only Latin-1.
    expect(decodeReplayToken(encodeReplayToken({ ...record, context: 'ère ⚙' })).context).toBe('ère ⚙');
    // A record without a context (as written before there was one) encodes as none.
    const bare = { seed: 1, strategy: 'fifo', params: {}, preempt: [], choices: [], fingerprint: 'f' } as const;
    expect(decodeReplayToken(encodeReplayToken(bare)).context).toBe('');
  });

  it('a corrupted token (edited, truncated, checksum edited) is refused, never replayed', () => {
    const token = encodeReplayToken(record);
    const at = token.indexOf('.') + 5;
    const edited = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    expect(refused(() => decodeReplayToken(edited), 'corrupted')).toContain('checksum');
    expect(refused(() => new Kernel({ replay: edited }), 'corrupted')).toContain(edited.slice(0, 20));
    refused(() => decodeReplayToken(token.slice(0, token.lastIndexOf('.'))), 'corrupted');
    refused(() => decodeReplayToken(token.slice(0, -1)), 'corrupted');
    refused(() => decodeReplayToken(`${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`), 'corrupted');
  });

  it('a token of an older format gets an error naming its version; a newer one asks for an upgrade', () => {
    // A version-1 token as the previous release wrote it: no context, no checksum.
    const v1 = 'smmu1.eyJzIjo5LCJzdCI6InJhbmRvbSIsInAiOnt9LCJwYyI6WyJ5aWVsZCJdLCJjIjoiMjoxMCIsImYiOiJhYmMifQ';
    const message = refused(() => new Machine({ replay: v1 }), 'old-version');
    expect(message).toContain('format version 1');
    expect(message).toContain('"smmu1."');
    expect(message).toContain('record a new token');
    expect(refused(() => decodeReplayToken(`smmu3.${encodeReplayToken(record).slice(6)}`), 'new-version')).toContain('format version 3');
    for (const bad of ['nope', '', 'smmu.x', 'SMMU2.x']) refused(() => decodeReplayToken(bad), 'malformed');
    refused(() => decodeReplayToken(null as unknown as string), 'malformed');
  });

  it('a machine refuses a token of another era, naming both', async () => {
    const token = await machineToken('rfc-2008');
    expect(decodeReplayToken(token).context).toBe('rfc-2008');
    const message = refused(() => new Machine({ era: 'v6', replay: token }), 'other-context');
    expect(message).toContain('era "rfc-2008"');
    expect(message).toContain('era "v6"');
    // In its own era it replays, without a warning.
    const m = new Machine({ era: 'rfc-2008', replay: token, program: 'two' });
    for (const name of ['a', 'b']) m.sched.spawn(name, async (t) => void (await m.sched.yield(t)));
    const r = await m.sched.run();
    expect(r.token).toBe(token);
    expect(m.report.warnings).toEqual([]);
  });

  it('a bare kernel and a machine do not take each other\'s tokens; contexts are compared as opaque labels', async () => {
    const kernelToken = (await racyCounter({ seed: 2, schedule: { strategy: 'random' } }).sched.run()).token;
    expect(refused(() => new Machine({ replay: kernelToken }), 'other-context')).toContain('bare Kernel');
    const v6 = await machineToken('v6');
    refused(() => new Kernel({ replay: v6 }), 'other-context');
    const labelled = (await new Kernel({ context: 'blue', seed: 4 }).sched.run()).token;
    expect(refused(() => new Kernel({ context: 'red', replay: labelled }), 'other-context')).toContain('"blue"');
    expect(() => new Kernel({ context: 'blue', replay: labelled })).not.toThrow();
    expect(isSmmuError(thrown(() => new Kernel({ context: 7 as unknown as string })), 'EINVAL')).toBe(true);
  });

  it('a seed other than the token\'s is refused', async () => {
    const token = await machineToken('v6', 5);
    expect(refused(() => new Machine({ seed: 6, replay: token }), 'other-seed')).toContain('seed 5');
  });
});

describe('awaitDirect: work begun outside a run settles or is reported, never hangs', () => {
  it('passes a value or a settled Promise on', async () => {
    const m = new Kernel();
    const t = m.task('setup');
    expect(await m.sched.awaitDirect(t, 7)).toEqual({ settled: true, value: 7 });
    expect(await m.sched.awaitDirect(t, Promise.resolve().then(() => 8))).toEqual({ settled: true, value: 8 });
    await expect(m.sched.awaitDirect(t, Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    // Nothing was recorded and the machine still runs.
    m.sched.spawn('x', () => {});
    expect((await m.sched.run()).ok).toBe(true);
  });

  it('a Promise nothing settles is an uncontrolled-await violation and an aborted machine, with a token that replays it', async () => {
    const program = (options: { seed?: number; replay?: string }): Machine => new Machine({ ...options, era: 'v2.6.27', schedule: { strategy: 'random' }, program: 'hang' });
    const m = program({ seed: 11 });
    const t = m.task('app:setup');
    const outcome = await m.sched.awaitDirect(t, new Promise<never>(() => {}), 'attach of driver "gpu"');
    expect(outcome.settled).toBe(false);
    const result = (outcome as { result: RunResult }).result;
    expect(result.aborted).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.violations.map((v) => [v.kind, v.task])).toEqual([['uncontrolled-await', 'app:setup']]);
    expect(result.violations[0]!.message).toContain('attach of driver "gpu" did not settle');
    await expect(m.sched.run()).rejects.toThrow('aborted');
    expect(() => m.sched.spawn('late', () => {})).toThrow('aborted');
    // The token names the seed and era; replaying it meets the same hang.
    expect(decodeReplayToken(result.token)).toEqual(expect.objectContaining({ seed: 11, context: 'v2.6.27', choices: [] }));
    const again = program({ replay: result.token });
    const second = await again.sched.awaitDirect(again.task('app:setup'), new Promise<never>(() => {}));
    expect(second.settled).toBe(false);
    expect(again.report.warnings).toEqual([]);
  });

  it('also in a test with fake timers', async () => {
    vi.useFakeTimers();
    try {
      const m = new Kernel();
      const outcome = await m.sched.awaitDirect(m.task('setup'), new Promise<never>(() => {}));
      expect(outcome.settled).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
