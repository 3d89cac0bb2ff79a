/**
 * `{ kind: stream, is: true }`: whether the client asked for a stream.
 *
 * @example when: [{ kind: stream, is: true }]
 */
import { z } from 'zod'
import { defineCondition } from './define.ts'

export const stream = defineCondition({
  kind: 'stream',
  params: z.object({ is: z.boolean() }),
  compile: (p) => (s) => (s.body.stream === true) === p.is,
})
