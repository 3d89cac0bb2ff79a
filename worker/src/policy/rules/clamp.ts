/**
 * `{ kind: clamp, param: max_tokens, max: 1024 }`: keep a numeric parameter within bounds. For
 * `max_tokens` a request that sets no limit gets `max` (no limit is the largest of all), and
 * `max_completion_tokens` is clamped too; for other parameters an absent value is left to the
 * provider's default.
 *
 * @example then: { kind: clamp, param: max_tokens, max: 1024 }
 */
import { z } from 'zod'
import { clampableParams } from '../param-overrides.ts'
import { defineAction } from './define.ts'

export const clamp = defineAction({
  kind: 'clamp',
  params: z.object({ param: z.enum(clampableParams), min: z.number().optional(), max: z.number().optional() }),
  refine: (p) => {
    if (p.min === undefined && p.max === undefined) return { path: ['max'], message: 'give `min`, `max` or both' }
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) return { path: ['min'], message: 'is above `max`' }
    return undefined
  },
  compile: (p) => {
    const within = (v: number) => Math.min(p.max ?? v, Math.max(p.min ?? v, v))
    return (s) => {
      const body = { ...s.body }
      if (p.param === 'max_tokens') {
        const explicit = ['max_completion_tokens', 'max_tokens'].filter((k) => typeof body[k] === 'number')
        if (explicit.length === 0 && p.max !== undefined) body.max_tokens = p.max
        for (const k of explicit) body[k] = within(body[k] as number)
      } else if (typeof body[p.param] === 'number') body[p.param] = within(body[p.param] as number)
      s.body = body
      return undefined
    }
  },
})
