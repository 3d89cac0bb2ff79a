/**
 * `{ kind: max_tokens, gt: 4096 }` or `{ kind: max_tokens, missing: true }`: the completion limit the
 * client asked for (`max_completion_tokens`, else `max_tokens`).
 *
 * @example when: [{ kind: max_tokens, missing: true }]
 */
import { z } from 'zod'
import { bounds, defineCondition, inBounds } from './define.ts'

export const maxTokensOf = (body: Record<string, unknown>): number | undefined => {
  const v = body.max_completion_tokens ?? body.max_tokens
  return typeof v === 'number' ? v : undefined
}

export const maxTokens = defineCondition({
  kind: 'max_tokens',
  params: z.object({ ...bounds, missing: z.boolean().optional() }),
  refine: (p) =>
    (p.missing === undefined) === (p.gt === undefined && p.lt === undefined) ? { path: ['missing'], message: 'give either `missing` or bounds (`gt`, `lt`)' } : undefined,
  compile: (p) => (s) => {
    const value = maxTokensOf(s.body)
    if (p.missing !== undefined) return (value === undefined) === p.missing
    return value !== undefined && inBounds(value, p)
  },
})
