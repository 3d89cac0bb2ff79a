/**
 * `projects.<p>.pii`: what the guard does with each kind of PII in a request — `allow` (not even
 * scanned), `redact` (replaced by a placeholder before the provider, the cache or telemetry see it)
 * or `block` (400 naming the kinds) — and whether redacted values are restored in the answer.
 */
import { z } from 'zod'
import { piiKinds } from '../governance/pii/kinds.ts'

const action = z.enum(['allow', 'redact', 'block'])
export type PiiAction = z.output<typeof action>

export const piiSchema = z.strictObject({
  /** Put the original values back into the answer (JSON and streams); the provider never saw them. */
  restore: z.boolean().default(false),
  /** For every kind not listed. */
  default: action.default('allow'),
  ...Object.fromEntries(piiKinds.map((kind) => [kind, action.optional()])),
} as { restore: z.ZodDefault<z.ZodBoolean>; default: z.ZodDefault<typeof action> } & Record<(typeof piiKinds)[number], z.ZodOptional<typeof action>>)

export type PiiPolicy = z.output<typeof piiSchema>
