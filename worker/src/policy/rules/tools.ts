/**
 * `{ kind: tools, present: true }`: whether the request declares tools (or legacy functions).
 *
 * @example when: [{ kind: tools, present: true }]
 */
import { z } from 'zod'
import { defineCondition } from './define.ts'

const declares = (value: unknown): boolean => Array.isArray(value) && value.length > 0

export const tools = defineCondition({
  kind: 'tools',
  params: z.object({ present: z.boolean() }),
  compile: (p) => (s) => (declares(s.body.tools) || declares(s.body.functions)) === p.present,
})
