import type { ScenarioMapping } from '../scenario/schema.js';

/** A mapping of {@link setup}: `process` defaults to `app`, `prot` to `rw`, `kind` to `anon-private`. Kernel counterpart: none. */
export type SetupMapping = Pick<ScenarioMapping, 'name' | 'pages'> & Partial<Omit<ScenarioMapping, 'name' | 'pages'>>;

/** What {@link setup} writes: processes (default `app`), mappings, and drivers (default `gpu` on `app`). Kernel counterpart: none. */
export interface SetupSpec {
  readonly processes?: readonly string[];
  readonly mappings: readonly SetupMapping[];
  readonly drivers?: readonly { readonly name: string; readonly process: string }[];
}

/**
 * The `processes`, `mappings` and `drivers` blocks of a scenario as YAML text, for a
 * registry scenario to compose into its document: the set-up most scenarios share (one
 * process `app`, its mappings, a driver `gpu` attached to it) written once, so each
 * scenario's YAML spells out only its tasks and windows. The text is the same YAML a
 * user would write by hand (the exported scenario texts are plain documents).
 * Kernel counterpart: none.
 */
export function setup(spec: SetupSpec): string {
  const processes = spec.processes ?? ['app'];
  const drivers = spec.drivers ?? [{ name: 'gpu', process: 'app' }];
  const lines = ['processes:', ...processes.map((p) => `  - name: ${p}`), 'mappings:'];
  for (const m of spec.mappings) {
    lines.push(`  - name: ${m.name}`, `    process: ${m.process ?? 'app'}`, `    pages: ${m.pages}`, `    prot: ${m.prot ?? 'rw'}`, `    kind: ${m.kind ?? 'anon-private'}`);
    if (m.file !== undefined) lines.push(`    file: ${m.file}`);
    if (m.fill !== undefined) lines.push(`    fill: ${m.fill}`);
  }
  lines.push('drivers:', ...drivers.flatMap((d) => [`  - name: ${d.name}`, `    process: ${d.process}`]));
  return lines.join('\n');
}
