/**
 * Every rule condition and action, registered once: the schema of `projects.<p>.rules` is a
 * discriminated union over these, so an unknown kind fails to compile. A new kind is one file plus
 * one line here.
 */
import { z } from 'zod'
import { block } from './block.ts'
import { clamp } from './clamp.ts'
import { clientIp } from './client-ip.ts'
import { flag } from './flag.ts'
import { header } from './header.ts'
import { maxTokens } from './max-tokens.ts'
import { metadata } from './metadata.ts'
import { model } from './model.ts'
import { promptTokens } from './prompt-tokens.ts'
import { regex } from './regex.ts'
import { route } from './route.ts'
import { set } from './set.ts'
import { stream } from './stream.ts'
import { tools } from './tools.ts'

export const conditions = [model, promptTokens, maxTokens, regex, header, metadata, stream, tools, clientIp] as const
export const actions = [block, flag, route, set, clamp] as const

const conditionSchema = z.discriminatedUnion(
  'kind',
  conditions.map((c) => c.schema) as unknown as [(typeof conditions)[number]['schema'], ...(typeof conditions)[number]['schema'][]],
)
const actionSchema = z.discriminatedUnion(
  'kind',
  actions.map((a) => a.schema) as unknown as [(typeof actions)[number]['schema'], ...(typeof actions)[number]['schema'][]],
)

export const ruleSchema = z.strictObject({
  /** Named in the 4xx of a block, in telemetry and on the admin's Policy page. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits, ".", "_" or "-"').max(64),
  description: z.string().optional(),
  /** All must hold (none: always). */
  when: z.array(conditionSchema).max(20).default([]),
  then: actionSchema,
})

export type RulePolicy = z.output<typeof ruleSchema>
export type ConditionPolicy = z.output<typeof conditionSchema>
export type ActionPolicy = z.output<typeof actionSchema>
