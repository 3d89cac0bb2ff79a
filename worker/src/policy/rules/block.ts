/**
 * `{ kind: block }`: refuse the request — 403 by default, in the OpenAI error shape, code
 * `rule_blocked`, the message naming the rule id (and the policy's own message, if any).
 *
 * @example then: { kind: block, status: 422, message: 'Prompts may not contain private keys.' }
 */
import { z } from 'zod'
import { defineAction } from './define.ts'

export const block = defineAction({
  kind: 'block',
  params: z.object({
    status: z.union([z.literal(400), z.literal(403), z.literal(422), z.literal(429)]).default(403),
    /** Shown to the caller after the rule id. */
    message: z.string().min(1).max(300).optional(),
  }),
  compile: (p) => () => ({ block: { status: p.status, message: p.message ?? 'refused by policy' } }),
})
