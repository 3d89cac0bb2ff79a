/**
 * Between a Response object and a chat completion (pure), both ways: a chat answer as the Response
 * a /v1/responses client gets (a `message` item with `output_text`, one `function_call` item per
 * tool call, `incomplete` when the token limit cut it, usage in Responses' names, the request's
 * settings echoed), and a Response as the chat completion the caches and telemetry keep beside it.
 */
import type { ChatCompletion, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions'
import type { CompletionUsage } from 'openai/resources/completions'
import { sha256Hex } from '../../lib/hash.ts'
import type { NativeRequest } from '../types.ts'

type Json = Record<string, unknown>

/** A stable item id within a response (`msg_…`, `fc_…`), so a replay and the stored copy agree. */
export const itemId = (prefix: 'msg' | 'fc', responseId: string, index: number): string => `${prefix}_${sha256Hex(`${responseId}:${index}`).slice(0, 40)}`

export function responsesUsageOf(usage: CompletionUsage | null | undefined): Json {
  return {
    input_tokens: usage?.prompt_tokens ?? 0,
    input_tokens_details: { cached_tokens: usage?.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage?.completion_tokens ?? 0,
    output_tokens_details: { reasoning_tokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0),
  }
}

/** The Response object's fields that echo the request, as OpenAI returns them. */
export function responseShell(request: NativeRequest, model: string, createdAt: number): Json {
  const b = request.body
  return {
    id: request.id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    model,
    output: [],
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: b.previous_response_id ?? null,
    reasoning: b.reasoning ?? { effort: null, summary: null },
    store: b.store ?? true,
    temperature: b.temperature ?? 1,
    text: b.text ?? { format: { type: 'text' } },
    tool_choice: b.tool_choice ?? 'auto',
    tools: b.tools ?? [],
    top_p: b.top_p ?? 1,
    truncation: b.truncation ?? 'disabled',
    usage: null,
    user: b.user ?? null,
    metadata: b.metadata ?? {},
  }
}

/** How a finished chat choice ends a Response: completed, or incomplete with the reason. */
export function endingOf(finish: string | null | undefined): { status: string; incomplete_details: Json | null } {
  if (finish === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }
  if (finish === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } }
  return { status: 'completed', incomplete_details: null }
}

export function chatToResponse(completion: ChatCompletion, request: NativeRequest): Json {
  const choice = completion.choices[0]
  const output: Json[] = []
  const m = choice?.message
  if (m?.content || m?.refusal || !m?.tool_calls?.length) {
    const part = m?.refusal && !m.content ? { type: 'refusal', refusal: m.refusal } : { type: 'output_text', text: m?.content ?? '', annotations: [], logprobs: [] }
    output.push({ id: itemId('msg', request.id, 0), type: 'message', status: 'completed', role: 'assistant', content: [part] })
  }
  for (const call of m?.tool_calls ?? []) {
    if (call.type !== 'function') continue
    output.push({ id: itemId('fc', request.id, output.length), type: 'function_call', status: 'completed', call_id: call.id, name: call.function.name, arguments: call.function.arguments })
  }
  return { ...responseShell(request, completion.model, completion.created), ...endingOf(choice?.finish_reason), output, usage: responsesUsageOf(completion.usage) }
}

export function responseToChat(response: Json): ChatCompletion {
  let text = ''
  let refusal: string | null = null
  const toolCalls: ChatCompletionMessageToolCall[] = []
  for (const item of (response.output as Json[] | undefined) ?? []) {
    if (item.type === 'message')
      for (const part of (item.content as Json[] | undefined) ?? []) {
        if (part.type === 'output_text') text += String(part.text ?? '')
        else if (part.type === 'refusal') refusal = (refusal ?? '') + String(part.refusal ?? '')
      }
    else if (item.type === 'function_call')
      toolCalls.push({ id: String(item.call_id), type: 'function', function: { name: String(item.name), arguments: String(item.arguments ?? '') } })
  }
  const incomplete = (response.incomplete_details as { reason?: string } | null | undefined)?.reason
  const finish = toolCalls.length > 0 ? 'tool_calls' : incomplete === 'max_output_tokens' ? 'length' : incomplete === 'content_filter' ? 'content_filter' : 'stop'
  const u = response.usage as Json | null | undefined
  const completion: ChatCompletion = {
    id: String(response.id),
    object: 'chat.completion',
    created: Number(response.created_at ?? 0),
    model: String(response.model ?? ''),
    choices: [{ index: 0, finish_reason: finish, logprobs: null, message: { role: 'assistant', content: text || (toolCalls.length > 0 ? null : ''), refusal, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) } }],
  }
  if (u) {
    const input = Number(u.input_tokens ?? 0)
    const output = Number(u.output_tokens ?? 0)
    completion.usage = {
      prompt_tokens: input,
      completion_tokens: output,
      total_tokens: input + output,
      prompt_tokens_details: { cached_tokens: Number((u.input_tokens_details as Json | undefined)?.cached_tokens ?? 0) },
      completion_tokens_details: { reasoning_tokens: Number((u.output_tokens_details as Json | undefined)?.reasoning_tokens ?? 0) },
    }
  }
  return completion
}
