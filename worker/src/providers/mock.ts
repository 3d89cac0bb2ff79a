/**
 * The clearly labelled stand-in provider: answers deterministically by quoting the last user message
 * (or, when tools are offered, by calling one and then quoting its result: mock-tools.ts), reports
 * usage, streams in several chunks and can simulate latency. Used by `npm start` when no
 * real key is set, and by tests and benchmarks. Never presented as a real model's answer.
 *
 * @example
 * // policies/providers.yaml
 * // mock: { type: mock, latency_ms: 50, stream_chunks: 4 }
 */
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions'
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings'
import { sha256Hex } from '../lib/hash.ts'
import { encodeSseData, SSE_DONE } from '../lib/sse.ts'
import { UpstreamError } from '../upstream/upstream-error.ts'
import { mockToolCall, mockToolResultText } from './mock-tools.ts'
import type { ChatRequest, EmbeddingsRequest, ProviderAdapter, UpstreamCall } from './types.ts'

const EMBEDDING_DIMENSIONS = 64

export const mock: ProviderAdapter = {
  id: 'mock',
  async chat(request: ChatRequest, call: UpstreamCall) {
    await delay(call.target.config.latency_ms ?? 0, call.signal)
    const toolCall = mockToolCall(request, lastUserText(request.messages))
    const text = toolCall ? null : (mockToolResultText(request) ?? `[mock] You said: ${lastUserText(request.messages)}`)
    const finish = toolCall ? 'tool_calls' : 'stop'
    const toolCalls = toolCall ? [{ id: toolCall.id, type: 'function' as const, function: { name: toolCall.name, arguments: toolCall.arguments } }] : undefined
    const usage = {
      prompt_tokens: estimateTokens(JSON.stringify(request.messages)),
      completion_tokens: estimateTokens(text ?? toolCall?.arguments ?? ''),
      total_tokens: 0,
    }
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens
    const id = `chatcmpl-mock-${sha256Hex(JSON.stringify(request.messages)).slice(0, 16)}`
    const created = Math.floor(Date.now() / 1000)
    const model = call.target.model

    if (!request.stream) {
      const completion: ChatCompletion = {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finish_reason: finish, logprobs: null }],
        usage,
      }
      return { type: 'json', completion }
    }

    const pieces = text === null ? [] : split(text, call.target.config.stream_chunks ?? 4)
    const chunk = (delta: ChatCompletionChunk.Choice.Delta, finish: 'stop' | 'tool_calls' | null = null): ChatCompletionChunk => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    })
    const events = [
      chunk({ role: 'assistant', content: text === null ? null : '' }),
      ...pieces.map((content) => chunk({ content })),
      ...(toolCall
        ? [
            chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: '' } }] }),
            ...split(toolCall.arguments, 2).map((part) => chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] })),
          ]
        : []),
      chunk({}, finish),
      { id, object: 'chat.completion.chunk', created, model, choices: [], usage },
    ]
    const gap = Math.floor((call.target.config.latency_ms ?? 0) / Math.max(1, events.length))
    let i = 0
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (i > 0 && gap > 0) await delay(gap, call.signal)
        const event = events[i++]
        if (event) controller.enqueue(encodeSseData(event))
        else {
          controller.enqueue(SSE_DONE)
          controller.close()
        }
      },
    })
    return { type: 'stream', body }
  },

  /** Deterministic unit vectors from a hash of the text: stable, but carry no meaning. */
  async embeddings(request: EmbeddingsRequest, call: UpstreamCall): Promise<CreateEmbeddingResponse> {
    await delay(call.target.config.latency_ms ?? 0, call.signal)
    const inputs = Array.isArray(request.input) ? request.input : [request.input]
    const data = await Promise.all(
      inputs.map(async (input, index) => ({
        object: 'embedding' as const,
        index,
        embedding: await pseudoVector(typeof input === 'string' ? input : JSON.stringify(input)),
      })),
    )
    const tokens = inputs.reduce<number>((n, s) => n + estimateTokens(typeof s === 'string' ? s : JSON.stringify(s)), 0)
    return { object: 'list', data, model: call.target.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }
  },
}

function lastUserText(messages: Record<string, unknown>[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (m?.role !== 'user') continue
    if (typeof m.content === 'string') return m.content
    if (Array.isArray(m.content))
      return m.content
        .map((p: { type?: string; text?: string }) => (p.type === 'text' ? (p.text ?? '') : `[${p.type ?? 'part'}]`))
        .join(' ')
  }
  return ''
}

/** Roughly four characters a token, as OpenAI's rule of thumb; the mock only needs plausible numbers. */
const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

function split(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts))
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

async function pseudoVector(text: string): Promise<number[]> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-512', new TextEncoder().encode(text)))
  const v = Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => (bytes[i % bytes.length]! - 127.5) / 127.5)
  const norm = Math.hypot(...v) || 1
  return v.map((x) => x / norm)
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(new UpstreamError('timeout', 0, 'upstream timed out'))
    }, { once: true })
  })
}
