/**
 * `{ kind: set, params: { temperature: 0 } }`: set request parameters (within the bounds the chat
 * endpoint allows). Applied before the cache, so the cache keys on what the provider is asked.
 *
 * @example then: { kind: set, params: { temperature: 0, seed: 7 } }
 */
import { z } from 'zod'
import { paramOverrides } from '../param-overrides.ts'
import { defineAction } from './define.ts'

export const set = defineAction({
  kind: 'set',
  params: z.object({ params: paramOverrides }),
  refine: (p) => (Object.keys(p.params).length === 0 ? { path: ['params'], message: 'name at least one parameter' } : undefined),
  compile: (p) => (s) => {
    s.body = { ...s.body, ...p.params }
    return undefined
  },
})
