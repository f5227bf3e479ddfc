import { z } from 'zod';
import { SCENARIO_FORMAT_VERSION, scenarioSchema } from './schema.js';

/**
 * The scenario format as a JSON Schema (draft 2020-12), generated from the zod schema
 * {@link scenarioSchema} that {@link loadScenario} validates with: for editors (the
 * YAML language server, VS Code's `json.schemas`). The package ships it as
 * `@secondary-mmu/testkit/scenario.schema.json`, checked against this function by the
 * package's tests. It checks each field's shape; the cross-references (a task naming an
 * unknown process, an address beyond its mapping) only the loader checks.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(scenarioSchema, { target: 'draft-2020-12', io: 'input' });
  return {
    $schema,
    title: 'secondary-mmu-sdk scenario',
    description: `A scenario of @secondary-mmu/testkit, format version ${SCENARIO_FORMAT_VERSION} (docs/scenarios.md). Cross-references are checked by loadScenario, not by this schema.`,
    ...rest,
  };
}
