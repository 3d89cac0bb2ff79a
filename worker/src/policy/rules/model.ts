/**
 * `{ kind: model, in: [gpt-4o] }` / `{ kind: model, not_in: [...] }`: the alias the request goes to.
 *
 * @example when: [{ kind: model, in: [gpt-4o, claude-sonnet] }]
 */
import { z } from 'zod'
import { defineCondition } from './define.ts'

export const model = defineCondition({
  kind: 'model',
  params: z.object({ in: z.array(z.string().min(1)).min(1).optional(), not_in: z.array(z.string().min(1)).min(1).optional() }),
  refine: (p) => ((p.in === undefined) === (p.not_in === undefined) ? { path: ['in'], message: 'give exactly one of `in` and `not_in`' } : undefined),
  compile: (p) => {
    const listed = new Set(p.in ?? p.not_in)
    const wanted = p.in !== undefined
    return (s) => listed.has(s.alias) === wanted
  },
})
