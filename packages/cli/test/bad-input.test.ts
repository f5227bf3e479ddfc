import { decodeReplayToken, encodeReplayToken } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { decodeRunToken, encodeRunToken } from '../src/token.js';
import { cli, FIXTURES } from './support/cli.js';

/** Every bad input: exit 2, a message on stderr naming the bad value, nothing on stdout. */
async function rejects(argv: string[], message: RegExp): Promise<void> {
  const r = await cli(...argv);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
}

describe('bad input: exit 2 with a clear message', () => {
  it('run: a missing file, a field naming an unknown process (with its line), broken YAML (with its line)', async () => {
    await rejects(['run', `${FIXTURES}nope.yaml`], /cannot read scenario file .*nope\.yaml: no such file/);
    await rejects(['run', `${FIXTURES}bad-field.yaml`], /bad-field\.yaml:12: drivers\[0\]\.process: unknown process "ghost"/);
    await rejects(['run', `${FIXTURES}bad-yaml.yaml`], /bad-yaml\.yaml:4: /);
  });

  it('unknown scenario, driver, variant, era, experiment; bad numbers and shards', async () => {
    await rejects(['explore', 'fault-vs-munmapp', '--driver', 'gru'], /unknown scenario "fault-vs-munmapp" \(did you mean fault-vs-munmap\?\)/);
    await rejects(['explore', 'fault-vs-munmap', '--driver', 'nvidia'], /unknown driver "nvidia": one of dmirror, .*kvm-spte, kvm-spte-refs-per-spte, xpmem, xpmem-2.6.27, gru/);
    await rejects(['explore', 'fault-vs-munmap', '--driver', 'gru', '--variant', 'no-such-bug'], /driver "gru" has no variant "no-such-bug": one of gru-skips-range-active/);
    await rejects(['explore', 'fault-vs-munmap', '--driver', 'dmirror', '--era', 'v2.6.27'], /era "v2.6.27" is not one that both driver "dmirror" \(v6\)/);
    await rejects(['compare', '--era', 'v5'], /unknown era "v5": one of rfc-2008, v2.6.27, v6/);
    await rejects(['experiment', 'aging-round'], /unknown experiment "aging-round": one of aging-rounds/);
    await rejects(['explore', 'fault-vs-munmap', '--driver', 'gru', '--schedules', '0'], /--schedules must be a whole number of at least 1, got "0"/);
    await rejects(['explore', 'fault-vs-munmap', '--driver', 'gru', '--shard', '3/2'], /--shard must be k\/n with 1 <= k <= n/);
    await rejects(['compare', '--scenario', 'nope'], /unknown scenario "nope"/);
  });

  it('commander errors (unknown command, unknown option, missing argument) are exit 2 too', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('scenarios', '--bogus')).code).toBe(2);
    const missing = await cli('explore', 'fault-vs-munmap');
    expect(missing.stderr).toMatch(/required option '--driver <name>'/);
    expect(missing.code).toBe(2);
  });

  it('a third-party driver module that throws on import, that is missing, or that exports no factory', async () => {
    await rejects(['drivers', '--driver', `${FIXTURES}throws-on-import.mjs`], /cannot load driver module .*throws-on-import\.mjs: driver module exploded while loading/);
    await rejects(['compare', '--driver', `${FIXTURES}missing.mjs`], /cannot load driver module .*missing\.mjs/);
    await rejects(['explore', 'fault-vs-munmap', '--driver', `${FIXTURES}no-factory.mjs`], /exports no DriverFactory as "default" or "driver" \(it exports notADriver\)/);
  });

  it('replay: a malformed token, an edited one, a core-mm token, one core-mm refuses', async () => {
    await rejects(['replay', 'hello'], /invalid token "hello": expected it to start with "smcli1\."/);
    const good = encodeRunToken({ scenario: { name: 'fault-vs-munmap' }, driver: 'gru', variant: null, era: 'v6', token: 'smmu2.x.y' });
    await rejects(['replay', `${good.slice(0, -3)}abc`], /checksum does not match/);
    await rejects(['replay', 'smmu2.abc.def'], /core-mm schedule token/);
    await rejects(['replay', good], /invalid replay token "smmu2\.x\.y"/);
  });

  it('replay: a token whose recorded choices no longer fit the run (diverging) is exit 2', async () => {
    const ran = await cli('run', 'fault-vs-munmap', '--driver', 'gru', '--era', 'v6', '--strategy', 'random', '--json');
    const token = (JSON.parse(ran.stdout) as { runs: { token: string }[] }).runs[0]!.token;
    const record = decodeRunToken(token);
    const core = decodeReplayToken(record.token);
    // Choices for decisions the run never makes: the replay ends with them unused.
    const extra = encodeReplayToken({ ...core, choices: [...core.choices, 1, 2, 1, 2, 1, 2] });
    await rejects(['replay', encodeRunToken({ ...record, token: extra })], /the token no longer replays: .*\(the driver, the scenario or the model changed/);
    // The same token unedited replays (exit 0: the run passed).
    expect((await cli('replay', token)).code).toBe(0);
  });
});
