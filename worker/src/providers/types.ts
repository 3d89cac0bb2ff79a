/**
 * The one interface every provider implements. Adapters speak OpenAI's shape on the gateway side
 * and the provider's own wire format (through its official SDK) on the other.
 */
import type { ChatCompletion } from 'openai/resources/chat/completions'
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings'
import type { GatewayEnv } from '../env.ts'
import type { ProviderPolicy, ProviderType } from '../policy/schema.ts'

/** A route target with everything needed to call it (secrets resolved at request time). */
export interface ResolvedTarget {
  /** Provider name from policy (e.g. `openai`, `ollama`). */
  provider: string
  config: ProviderPolicy
  /** The provider's model id. */
  model: string
  apiKey?: string
  baseUrl?: string
  headers: Record<string, string>
  timeoutMs: number
}

export interface ResolvedRoute {
  alias: string
  kind: 'chat' | 'embeddings'
  targets: ResolvedTarget[]
  retry: { attempts: number; backoffMs: number }
  /** Hash of the targets' provider types and models: part of every cache key (see resolve-route.ts). */
  fingerprint: string
}

export interface UpstreamCall {
  target: ResolvedTarget
  /** Aborted on timeout or when the client goes away. */
  signal: AbortSignal
  env: GatewayEnv
}

/** An OpenAI chat request as validated at the edge (unknown extra fields pass through). */
export type ChatRequest = Record<string, unknown> & {
  model: string
  messages: Record<string, unknown>[]
  stream?: boolean
}

export type EmbeddingsRequest = Record<string, unknown> & { model: string; input: unknown }

export type ChatResult =
  /** A complete answer, already in OpenAI's shape; `raw` is its JSON text when the adapter has it (sent verbatim). */
  | { type: 'json'; completion: ChatCompletion; raw?: string }
  /**
   * OpenAI-format SSE bytes (`data: {chunk}\n\n` … `data: [DONE]\n\n`), usage chunk included:
   * adapters always ask upstream for usage; the gateway strips it if the client did not ask.
   */
  | { type: 'stream'; body: ReadableStream<Uint8Array> }

/** A native call (the client's shape is the provider's): the provider's own JSON text, or its own event stream, untouched. */
export type NativeResult = { type: 'json'; raw: string } | { type: 'stream'; body: ReadableStream<Uint8Array> }

export interface NativeCall extends UpstreamCall {
  /** Headers the client sent that the provider should get as they are (`anthropic-version`, `anthropic-beta`). */
  headers: Record<string, string>
}

export interface ProviderAdapter {
  id: ProviderType
  chat(request: ChatRequest, call: UpstreamCall): Promise<ChatResult>
  embeddings?(request: EmbeddingsRequest, call: UpstreamCall): Promise<CreateEmbeddingResponse>
  /** Anthropic Messages passed through as the client sent them (shapes/messages). */
  messages?(body: Record<string, unknown>, call: NativeCall): Promise<NativeResult>
  /** Anthropic's `/v1/messages/count_tokens`. */
  countTokens?(body: Record<string, unknown>, call: NativeCall): Promise<{ input_tokens: number }>
  /** OpenAI Responses passed through (shapes/responses). */
  responses?(body: Record<string, unknown>, call: NativeCall): Promise<NativeResult>
}
