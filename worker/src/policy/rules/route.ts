/**
 * `{ kind: route, model: gpt-4o-mini }`: send the request to another model alias (of the same
 * kind; the compiler checks it exists). The guard re-resolves the route, so the caches key on the
 * alias actually used.
 *
 * @example then: { kind: route, model: gpt-4o-mini }
 */
import { z } from 'zod'
import { defineAction } from './define.ts'

export const route = defineAction({
  kind: 'route',
  params: z.object({ model: z.string().min(1) }),
  compile: (p) => (s) => {
    s.alias = p.model
    return undefined
  },
})
