import { describe, expect, it } from 'vitest'
import committed from '../../../policies/policy.schema.json'
import { policyJsonSchema } from './json-schema.ts'

describe('policies/policy.schema.json', () => {
  it('is what the zod schema generates (run `npm run policy:schema` after changing schema.ts)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(policyJsonSchema())))
  })

  it('describes the sections and refuses unknown top-level keys', () => {
    const schema = policyJsonSchema() as { properties: Record<string, unknown>; additionalProperties: unknown }
    expect(Object.keys(schema.properties).sort()).toEqual(['experiments', 'models', 'projects', 'providers'])
    expect(schema.additionalProperties).toBe(false)
  })
})
