import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema, SCENARIO_FORMAT_VERSION } from '../src/scenario/index.js';

describe('the JSON Schema shipped for editors (scenario.schema.json)', () => {
  it('is the zod schema, generated (regenerate: npx vitest run -u test/scenario-schema.test.ts)', async () => {
    await expect(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`).toMatchFileSnapshot('../scenario.schema.json');
  });

  it('is exported by the package and describes the current format version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown>; files: string[] };
    expect(pkg.exports['./scenario.schema.json']).toBe('./scenario.schema.json');
    expect(pkg.files).toContain('scenario.schema.json');
    const schema = scenarioJsonSchema() as { properties: Record<string, { const?: unknown }>; required: string[]; additionalProperties: boolean };
    expect(schema.properties.version!.const).toBe(SCENARIO_FORMAT_VERSION);
    expect(schema.required).not.toContain('version');
    expect(schema.additionalProperties).toBe(false);
  });
});
