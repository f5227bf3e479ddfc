// Packs every published package with npm (as `npm publish` would) and reports each
// tarball's size; fails when a tarball lacks its LICENSE or README.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './release-workspaces.mjs';

/** Runs a command, returning its stdout; throws with its output when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    throw new Error(`\`${command} ${args.join(' ')}\` exited with ${result.status ?? result.signal}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return result.stdout;
}

const REQUIRED_FILES = ['LICENSE', 'README.md', 'package.json'];

/** Packs `packages` (of the workspace at `root`) into `destination`; returns one record per tarball. */
export function packAll(packages, destination, root = repoRoot) {
  const workspaces = packages.flatMap(({ dir }) => ['--workspace', dir]);
  const out = run('npm', ['pack', ...workspaces, '--json', '--pack-destination', destination], { cwd: root });
  const packed = JSON.parse(out);
  const incomplete = packed.flatMap((info) => {
    const missing = REQUIRED_FILES.filter((file) => !info.files.some((f) => f.path === file));
    return missing.length > 0 ? [`${info.name}: the tarball has no ${missing.join(', ')}`] : [];
  });
  if (incomplete.length > 0) throw new Error(incomplete.join('\n'));
  return packed.map((info) => {
    const mapBytes = info.files.filter((f) => f.path.endsWith('.map')).reduce((sum, f) => sum + f.size, 0);
    return { name: info.name, version: info.version, tarball: path.join(destination, info.filename), size: info.size, unpackedSize: info.unpackedSize, files: info.entryCount, mapBytes };
  });
}

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`; // npm's kB

/** The size table: packed, unpacked, file count and how much of it is source maps. */
export function formatSizes(tarballs) {
  const rows = tarballs.map((t) => [t.name, kb(t.size), kb(t.unpackedSize), String(t.files), kb(t.mapBytes)]);
  const header = ['package', 'packed', 'unpacked', 'files', 'of which maps'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
