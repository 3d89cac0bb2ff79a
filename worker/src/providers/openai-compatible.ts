/**
 * The shared base for every provider that speaks OpenAI's wire format (OpenAI itself, Groq, Ollama,
 * vLLM, Together, Mistral, Gemini's OpenAI endpoint, …): the request is already in the right shape,
 * so the adapter only picks the model, asks for usage, and passes the SSE bytes straight through.
 * The chat call skips the SDK's request builder (openai-style-fetch.ts: measurably cheaper per miss)
 * but keeps the SDK's client as the source of URL, key and headers, and the SDK's errors; embeddings
 * go through the SDK itself.
 *
 * @example
 * // policies/providers.yaml
 * // ollama: { type: openai-compatible, base_url: http://127.0.0.1:11434/v1 }
 */
import OpenAI from 'openai'
import { VERSION } from 'openai/version'
import type { ProviderType } from '../policy/schema.ts'
import { toUpstreamError, UpstreamError } from '../upstream/upstream-error.ts'
import { checkChatCompletion, checkEmbeddings, checkFirstChunk } from './answer-shape.ts'
import { cachedClient } from './client-cache.ts'
import { postChatCompletion, type SdkWire, type WireClient } from './openai-style-fetch.ts'
import type { ChatRequest, ChatResult, EmbeddingsRequest, ProviderAdapter, ResolvedTarget, UpstreamCall } from './types.ts'

/** The slice of an OpenAI-style SDK client the base needs; `openai` and `groq-sdk` both fit it. */
export interface OpenAiStyleClient extends WireClient {
  embeddings?: { create(body: never, options: RequestOptions): PromiseLike<unknown> }
}

/**
 * Per-request options: clients are shared between targets of the same provider and key (see
 * client-cache.ts), so each target's own timeout and headers go with the request, not the client.
 */
interface RequestOptions {
  signal: AbortSignal
  timeout: number
  headers: Record<string, string>
}

const optionsFor = (call: UpstreamCall): RequestOptions => ({ signal: call.signal, timeout: call.target.timeoutMs, headers: call.target.headers })

export function openAiStyleAdapter<C extends OpenAiStyleClient>(
  id: ProviderType,
  clientFor: (target: ResolvedTarget) => C,
  wire: SdkWire<C>,
  options: { streamUsage?: (request: ChatRequest) => Record<string, unknown> } = {},
): ProviderAdapter {
  const streamUsage = options.streamUsage ?? askForUsage
  return {
    id,
    async chat(request: ChatRequest, call: UpstreamCall): Promise<ChatResult> {
      const client = clientFor(call.target)
      const body = { ...request, model: call.target.model }
      try {
        if (request.stream) {
          const response = await postChatCompletion(wire, client, call.target, { ...body, ...streamUsage(request) }, call.signal)
          if (!response.body) throw new UpstreamError('protocol', response.status, 'upstream sent an empty stream')
          return { type: 'stream', body: await checkFirstChunk(response.body, call.target.provider) }
        }
        // The raw body is parsed once here and then sent on verbatim: no SDK re-parse, no re-serialise.
        const response = await postChatCompletion(wire, client, call.target, { ...body, stream: false }, call.signal)
        const raw = await response.text()
        return { type: 'json', completion: checkChatCompletion(JSON.parse(raw), call.target.provider), raw }
      } catch (e) {
        throw toUpstreamError(e, call.signal)
      }
    },
    async embeddings(request: EmbeddingsRequest, call: UpstreamCall) {
      const client = clientFor(call.target)
      if (!client.embeddings) throw new UpstreamError('protocol', 0, `${id} has no embeddings endpoint`)
      try {
        const answer = await client.embeddings.create({ ...request, model: call.target.model } as never, optionsFor(call))
        return checkEmbeddings(answer, call.target.provider)
      } catch (e) {
        throw toUpstreamError(e, call.signal)
      }
    },
  }
}

/** OpenAI only reports usage on a stream when asked; the gateway always needs it for cost. */
function askForUsage(request: ChatRequest): Record<string, unknown> {
  const given = (request.stream_options ?? {}) as Record<string, unknown>
  return { stream: true, stream_options: { ...given, include_usage: true } }
}

export function openAiClient(target: ResolvedTarget): OpenAI {
  return cachedClient(
    target,
    () =>
      new OpenAI({
        apiKey: target.apiKey ?? 'unused',
        baseURL: target.baseUrl ?? null,
        maxRetries: 0, // upstream/failover.ts owns retries, with the route's budget
      }),
  )
}

/** What the `openai` SDK sends for a chat completion, and the errors it throws (its client's `makeStatusError`). */
export const openAiWire: SdkWire<OpenAI> = {
  chatPath: '/chat/completions',
  userAgent: `OpenAI/JS ${VERSION}`,
  clientHeaders: (client) => ({
    ...(client.organization != null ? { 'OpenAI-Organization': client.organization } : {}),
    ...(client.project != null ? { 'OpenAI-Project': client.project } : {}),
  }),
  statusError: (status, body, message, headers) =>
    OpenAI.APIError.generate(status, isObject(body) && body.error == null ? { error: body } : (body as object | undefined), message, headers),
  connectionError: (cause) => new OpenAI.APIConnectionError({ cause: cause instanceof Error ? cause : undefined }),
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

/** `type: openai-compatible`: any base URL speaking OpenAI's API. */
export const openaiCompatible = openAiStyleAdapter('openai-compatible', openAiClient, openAiWire)
