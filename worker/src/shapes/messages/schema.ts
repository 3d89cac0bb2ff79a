/**
 * What an Anthropic Messages request must look like at the edge: strict where the gateway depends
 * on a field (model, max_tokens, roles, content blocks), open for the rest, so a parameter
 * Anthropic adds tomorrow passes through to Anthropic untouched.
 */
import { z } from 'zod'

const block = z.looseObject({ type: z.string().min(1) })
const content = z.union([z.string(), z.array(block).min(1)])

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content,
})

const tool = z.looseObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, 'must be 1–128 letters, digits, "_" or "-"'),
  type: z.string().optional(),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal('object') }).optional(),
})

const base = {
  model: z.string().min(1).max(256),
  messages: z.array(message).min(1).max(100_000),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.literal('text'), text: z.string() }))]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().min(0).optional(),
  tools: z.array(tool).max(512).optional(),
  tool_choice: z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional() }).optional(),
  metadata: z.looseObject({ user_id: z.string().max(512).nullable().optional() }).optional(),
  thinking: z.looseObject({ type: z.string() }).optional(),
}

export const messagesRequestSchema = z.looseObject({
  ...base,
  max_tokens: z.int().min(1),
  stream: z.boolean().optional(),
})

/** `POST /v1/messages/count_tokens`: the same request without max_tokens or stream. */
export const countTokensRequestSchema = z.looseObject(base)
