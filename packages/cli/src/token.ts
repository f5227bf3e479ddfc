import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ERAS, type Era } from '@secondary-mmu/core-mm';
import { CliError } from './cli-error.js';

/** The CLI token format this version writes and reads: its tokens start `smcli1.`. Kernel counterpart: none. */
export const CLI_TOKEN_PREFIX = 'smcli1.';

/**
 * Everything `replay <token>` needs to run one run again: the scenario (a catalogue name,
 * or a file's name and text), the driver (a built-in's name, or a module's absolute path),
 * the variant, the era, and core-mm's replay token of the schedule. Kernel counterpart:
 * none (model machinery).
 */
export interface RunRecord {
  readonly scenario: { readonly name: string } | { readonly file: string; readonly text: string };
  readonly driver: string;
  readonly variant: string | null;
  readonly era: Era;
  /** core-mm's replay token (`smmu2.…`). */
  readonly token: string;
}

/**
 * Encode a run as a CLI token: `smcli1.`, the record as deflated JSON in base64url, `.`,
 * and an 8-hex-digit checksum of what precedes it. Kernel counterpart: none.
 */
export function encodeRunToken(record: RunRecord): string {
  const json = JSON.stringify({ s: record.scenario, d: record.driver, v: record.variant, e: record.era, t: record.token });
  const body = CLI_TOKEN_PREFIX + deflateRawSync(Buffer.from(json, 'utf8')).toString('base64url');
  return `${body}.${checksum(body)}`;
}

function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * Decode a CLI token. Anything else — not a CLI token, a checksum that does not match,
 * content that does not decode — is a `bad-token` error (exit 2). Kernel counterpart: none.
 */
export function decodeRunToken(token: string): RunRecord {
  const bad = (why: string): CliError => new CliError('bad-token', token, `invalid token ${JSON.stringify(token.length > 24 ? `${token.slice(0, 24)}...` : token)}: ${why}`);
  if (!token.startsWith(CLI_TOKEN_PREFIX)) {
    throw bad(token.startsWith('smmu') ? 'this is a core-mm schedule token; `replay` takes the CLI token (smcli1.…) that run, explore and compare print' : `expected it to start with "${CLI_TOKEN_PREFIX}"`);
  }
  const dot = token.lastIndexOf('.');
  const body = token.slice(0, dot);
  if (dot < CLI_TOKEN_PREFIX.length) throw bad('no checksum (truncated?)');
  if (token.slice(dot + 1) !== checksum(body)) throw bad('its checksum does not match its content: it was truncated or edited');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(inflateRawSync(Buffer.from(body.slice(CLI_TOKEN_PREFIX.length), 'base64url')).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw bad('its content does not decode');
  }
  const s = raw.s as Record<string, unknown> | null;
  const scenario = s !== null && typeof s === 'object' && typeof s.name === 'string' ? { name: s.name } : s !== null && typeof s === 'object' && typeof s.file === 'string' && typeof s.text === 'string' ? { file: s.file, text: s.text } : null;
  if (scenario === null) throw bad('no scenario');
  if (typeof raw.d !== 'string') throw bad('no driver');
  if (raw.v !== null && typeof raw.v !== 'string') throw bad('bad variant');
  if (!ERAS.includes(raw.e as Era)) throw bad(`unknown era ${String(raw.e)}`);
  if (typeof raw.t !== 'string') throw bad('no schedule token');
  return { scenario, driver: raw.d, variant: raw.v, era: raw.e as Era, token: raw.t };
}
