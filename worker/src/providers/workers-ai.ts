/**
 * Workers AI, through the `AI` binding: chat models (`@cf/meta/llama-3.3-70b-instruct-fp8-fast`, …)
 * and embedding models (`@cf/baai/bge-base-en-v1.5`, …). The binding answers in its own shape
 * (`{response, tool_calls, usage}`; an SSE stream of `{"response": "…"}` events; `{shape, data}`
 * vectors), mapped here to OpenAI's. Locally (`npm start`, tests) there is no binding: calls fail
 * as a network error that says so, and failover moves on.
 *
 * @example
 * // policies/providers.yaml
 * // workers-ai: { type: workers-ai }
 * // policies/models.yaml — embeddings: { kind: embeddings, targets: [{ provider: workers-ai, model: '@cf/baai/bge-base-en-v1.5' }] }
 */
import type { ChatCompletion, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions'
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings'
import type { GatewayEnv } from '../env.ts'
import { scrubSecrets } from '../lib/scrub.ts'
import { toUpstreamError, UpstreamError } from '../upstream/upstream-error.ts'
import type { ChatRequest, EmbeddingsRequest, ProviderAdapter, UpstreamCall } from './types.ts'
import { checkFirstChunk } from './answer-shape.ts'
import { toOpenAiStream, toToolCall, type WorkersAiToolCall } from './workers-ai-stream.ts'

/** The slice of the `Ai` binding this adapter uses (tests pass a fake). */
export interface WorkersAiBinding {
  run(model: string, inputs: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<unknown>
}

export interface WorkersAiChatOutput {
  response?: unknown
  tool_calls?: WorkersAiToolCall[]
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number }
}

/** Request fields the text-generation models accept; anything else would fail their input schema. */
const PASSED_THROUGH = ['temperature', 'top_p', 'seed', 'frequency_penalty', 'presence_penalty', 'response_format', 'tools'] as const

export const workersAi: ProviderAdapter = {
  id: 'workers-ai',
  async chat(request: ChatRequest, call: UpstreamCall) {
    const ai = bindingOf(call.env)
    const id = `chatcmpl-${crypto.randomUUID()}`
    const created = Math.floor(Date.now() / 1000)
    try {
      const output = await ai.run(call.target.model, toWorkersAiInputs(request), { signal: call.signal })
      if (!request.stream) return { type: 'json', completion: toChatCompletion(checkWorkersAiOutput(output), { id, created, model: call.target.model }) }
      if (!(output instanceof ReadableStream)) throw new UpstreamError('protocol', 0, 'Workers AI did not return a stream')
      const body = toOpenAiStream(output as ReadableStream<Uint8Array>, { id, created, model: call.target.model })
      return { type: 'stream', body: await checkFirstChunk(body, call.target.provider) }
    } catch (e) {
      throw toWorkersAiError(e, call.signal)
    }
  },

  async embeddings(request: EmbeddingsRequest, call: UpstreamCall): Promise<CreateEmbeddingResponse> {
    const ai = bindingOf(call.env)
    const inputs = typeof request.input === 'string' ? [request.input] : request.input
    if (!Array.isArray(inputs) || !inputs.every((s): s is string => typeof s === 'string'))
      throw new UpstreamError('http', 400, 'input: Workers AI embeds text only (a string or an array of strings)', 'invalid_request_error')
    try {
      const output = (await ai.run(call.target.model, { text: inputs }, { signal: call.signal })) as { data?: unknown }
      if (!Array.isArray(output.data)) throw new UpstreamError('protocol', 0, 'Workers AI returned no embedding data')
      return toEmbeddingsResponse(output.data as number[][], inputs, call.target.model)
    } catch (e) {
      throw toWorkersAiError(e, call.signal)
    }
  },
}

/** A text-generation answer has a `response` or `tool_calls`; anything else (an `errors` envelope…) is not one. */
function checkWorkersAiOutput(output: unknown): WorkersAiChatOutput {
  const o = output as WorkersAiChatOutput & { errors?: unknown; error?: unknown } | null
  const answered = typeof o === 'object' && o !== null && (o.response !== undefined || Array.isArray(o.tool_calls))
  if (!answered || o.error !== undefined || (Array.isArray(o.errors) && o.errors.length > 0))
    throw new UpstreamError('protocol', 200, 'Workers AI answered without a response: not a text-generation result')
  return o
}

function bindingOf(env: GatewayEnv): WorkersAiBinding {
  // The generated `Ai` type's overloads are narrower than this structural slice; the runtime object fits it.
  const ai = (env as { AI?: unknown }).AI as WorkersAiBinding | undefined
  if (!ai) throw new UpstreamError('network', 0, 'the Workers AI binding (env.AI) is not available here: it exists only when deployed (or under `wrangler dev --remote`)')
  return ai
}

export function toWorkersAiInputs(request: ChatRequest): Record<string, unknown> {
  const inputs: Record<string, unknown> = { messages: request.messages.map(flattenText) }
  if (request.stream) inputs.stream = true
  const maxTokens = request.max_completion_tokens ?? request.max_tokens
  if (typeof maxTokens === 'number') inputs.max_tokens = maxTokens
  for (const key of PASSED_THROUGH) if (request[key] !== undefined && request[key] !== null) inputs[key] = request[key]
  return inputs
}

/** Most Workers AI chat models take `content` as a string: all-text part arrays are joined. */
function flattenText(message: Record<string, unknown>): Record<string, unknown> {
  const content = message.content
  if (!Array.isArray(content) || !content.every((p: { type?: unknown }) => p.type === 'text')) return message
  return { ...message, content: content.map((p: { text?: unknown }) => String(p.text ?? '')).join('\n') }
}

export function toChatCompletion(output: WorkersAiChatOutput, meta: { id: string; created: number; model: string }): ChatCompletion {
  const toolCalls: ChatCompletionMessageToolCall[] = (output.tool_calls ?? []).map((c, i) => toToolCall(c, `${meta.id}-call-${i}`))
  const text = typeof output.response === 'string' ? output.response : output.response == null ? '' : JSON.stringify(output.response)
  const choice: ChatCompletion.Choice = {
    index: 0,
    message: { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null },
    finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
    logprobs: null,
  }
  if (toolCalls.length > 0) choice.message.tool_calls = toolCalls
  const prompt = output.usage?.prompt_tokens ?? 0
  const completion = output.usage?.completion_tokens ?? 0
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [choice],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: output.usage?.total_tokens ?? prompt + completion },
  }
}

export function toEmbeddingsResponse(vectors: number[][], inputs: string[], model: string): CreateEmbeddingResponse {
  // Workers AI reports no token usage for embeddings; ~4 characters a token keeps cost plausible.
  const tokens = inputs.reduce((n, s) => n + Math.max(1, Math.ceil(s.length / 4)), 0)
  return {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  }
}

/**
 * Binding errors carry Workers AI's internal code in the message ("3040: Capacity temporarily
 * exceeded"); the documented HTTP status for that code lets failover decide as for any provider.
 */
const STATUS_OF_CODE: Record<string, number> = {
  '5007': 400, '5004': 400, '3039': 400, '3003': 400, '3010': 400, '5018': 403, '5016': 403, '3023': 403, '3041': 403,
  '5019': 405, '5005': 405, '3042': 404, '3006': 413, '3036': 429, '3040': 429,
}

export function toWorkersAiError(e: unknown, signal?: AbortSignal): UpstreamError {
  if (e instanceof UpstreamError) return e
  const message = e instanceof Error ? e.message : String(e)
  const code = /\b(\d{4})\b/.exec(message)?.[1]
  if (signal?.aborted || code === '3007' || code === '3008') return new UpstreamError('timeout', 0, 'Workers AI timed out')
  const status = code ? STATUS_OF_CODE[code] : undefined
  if (status) return new UpstreamError('http', status, scrubSecrets(message).slice(0, 300), code)
  const generic = toUpstreamError(e, signal)
  // An unknown binding failure is Cloudflare's side: a 5xx, so failover may try elsewhere.
  return generic.kind === 'protocol' ? new UpstreamError('http', 500, generic.message, code) : generic
}
