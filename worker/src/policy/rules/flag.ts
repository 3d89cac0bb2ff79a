/**
 * `{ kind: flag }`: let the request through and record the rule's id in its usage event (the admin's
 * Policy page counts hits by rule) — for watching a rule before it blocks.
 *
 * @example then: { kind: flag }
 */
import { z } from 'zod'
import { defineAction } from './define.ts'

export const flag = defineAction({
  kind: 'flag',
  params: z.object({}),
  compile: () => () => undefined,
})
