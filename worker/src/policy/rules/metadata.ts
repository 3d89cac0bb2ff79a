/**
 * `{ kind: metadata, key: tier, equals: free }` (or `in`, `present`): a value of the request's
 * OpenAI `metadata` object.
 *
 * @example when: [{ kind: metadata, key: tier, in: [free, trial] }]
 */
import { z } from 'zod'
import { defineCondition } from './define.ts'
import { compileValueTest, refineValueTest, valueTest } from './header.ts'

export const metadataValue = (body: Record<string, unknown>, key: string): string | undefined => {
  const metadata = body.metadata
  if (!metadata || typeof metadata !== 'object') return undefined
  const value = (metadata as Record<string, unknown>)[key]
  return typeof value === 'string' ? value : undefined
}

export const metadata = defineCondition({
  kind: 'metadata',
  params: z.object({ key: z.string().min(1).max(64), ...valueTest }),
  refine: refineValueTest,
  compile: (p) => {
    const test = compileValueTest(p)
    return (s) => test(metadataValue(s.body, p.key))
  },
})
