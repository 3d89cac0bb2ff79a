/**
 * Request parameters policy may set — an experiment variant's overrides, a rule's `set` — with the
 * same bounds the chat endpoint enforces on clients, so an overridden request is still valid.
 */
import { z } from 'zod'

export const paramOverrides = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.int().min(1).optional(),
  max_completion_tokens: z.int().min(1).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  seed: z.int().optional(),
  n: z.int().min(1).max(128).optional(),
  reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
  parallel_tool_calls: z.boolean().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
})

export type ParamOverrides = z.output<typeof paramOverrides>

/** Numeric parameters a rule may clamp. */
export const clampableParams = ['temperature', 'top_p', 'max_tokens', 'presence_penalty', 'frequency_penalty', 'n'] as const
export type ClampableParam = (typeof clampableParams)[number]
