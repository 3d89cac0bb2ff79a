/** The JSON Schema of one policy file, generated from the zod schema so the two never disagree. */
import { z } from 'zod'
import { policyFileSchema } from './schema.ts'

export function policyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(policyFileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'WatchLLM policy file',
  }
}
