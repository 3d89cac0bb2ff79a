/**
 * What an OpenAI Responses request must look like at the edge: strict where the gateway depends on
 * a field, open for the rest (a new parameter passes through to OpenAI). Background mode and the
 * Conversations API are not served: a clear 400 says so instead of a silent synchronous answer.
 */
import { z } from 'zod'

const item = z.looseObject({
  type: z.string().min(1).optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']).optional(),
})

export const responsesRequestSchema = z
  .looseObject({
    model: z.string().min(1).max(256),
    input: z.union([z.string(), z.array(item).max(100_000)]).optional(),
    instructions: z.string().nullable().optional(),
    previous_response_id: z.string().min(1).max(256).nullable().optional(),
    stream: z.boolean().nullable().optional(),
    store: z.boolean().nullable().optional(),
    max_output_tokens: z.int().min(1).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    tools: z.array(z.looseObject({ type: z.string().min(1) })).max(512).optional(),
    tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.string() })]).optional(),
    parallel_tool_calls: z.boolean().nullable().optional(),
    text: z.looseObject({ format: z.looseObject({ type: z.string() }).optional() }).nullable().optional(),
    reasoning: z.looseObject({}).nullable().optional(),
    user: z.string().max(512).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.background === true)
      ctx.addIssue({ code: 'custom', path: ['background'], message: 'background mode is not served by the gateway; send the request without it (or stream it)' })
    if (body.conversation !== undefined && body.conversation !== null)
      ctx.addIssue({ code: 'custom', path: ['conversation'], message: 'the Conversations API is not served by the gateway; chain responses with previous_response_id' })
    if (body.input === undefined && !body.previous_response_id)
      ctx.addIssue({ code: 'custom', path: ['input'], message: 'is required' })
  })
