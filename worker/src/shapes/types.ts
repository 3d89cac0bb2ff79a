/**
 * One pipeline, three request shapes. Chat Completions is the shape every stage reasons about; an
 * Anthropic Messages or OpenAI Responses request keeps its own body (what a native upstream is sent,
 * what the exact cache keys on) beside a chat view of it (what rules, PII, limits, the semantic
 * cache and providers that speak chat see). A shape module says how to go between the two, both
 * ways, for requests, answers, streams and errors.
 */
import type { ChatCompletion } from 'openai/resources/chat/completions'
import type { z } from 'zod'
import type { Result } from '../lib/result.ts'
import type { ChatRequest } from '../providers/types.ts'
import type { StreamCodec } from '../stream/codec.ts'
import type { PiiVault } from '../governance/pii/vault.ts'
import type { TokenUsage } from '../telemetry/request-facts.ts'

export type ShapeId = 'messages' | 'responses'

/** What a request said that its chat view (or a provider speaking chat) cannot carry. */
export interface Untranslatable {
  /** The request field, e.g. `tools.1.type`. */
  param: string
  message: string
}

export interface ChatView {
  chat: ChatRequest
  /** Fields with no chat equivalent: the view leaves them out; a provider speaking chat refuses the request (400 naming the first). */
  untranslatable: Untranslatable[]
  /** Fields that only tune a native upstream (`cache_control`, `thinking`): left out without changing what is asked. */
  dropped: string[]
}

/** `c.get('native')`: the request in its own shape, beside the chat view in `c.get('body')`. */
export interface NativeRequest {
  shape: ShapeId
  /** As validated, then redacted by the guard; parameters policy set on the chat view are applied when it is sent (`nativeBody`). */
  body: Record<string, unknown>
  /** The chat view's parameters when it was made: what policy changes afterwards is carried over to `body`. */
  viewParams: Record<string, unknown>
  /** Responses: the items of the conversation before this request (`previous_response_id`, expanded). */
  history?: Record<string, unknown>[]
  /** The id the answer carries whoever answers (`msg_…`, `resp_…`), minted once per request. */
  id: string
  /** Headers a native upstream gets as the client sent them (`anthropic-version`, `anthropic-beta`). */
  passHeaders: Record<string, string>
  /** Set by the translation: what a chat-speaking provider was not told (reported in `X-WatchLLM-Dropped`). */
  view: ChatView
}

export interface Shape {
  id: ShapeId
  /** The provider type that speaks this shape natively: its requests pass through untouched. */
  nativeProvider: 'anthropic' | 'openai'
  schema: z.ZodType<Record<string, unknown>>
  /** Request → chat view (pure). `history` only for Responses. */
  toChat(body: Record<string, unknown>, history?: Record<string, unknown>[]): Result<ChatView, Untranslatable>
  /** Chat parameters policy set (a rule's `set`, an experiment's overrides) in this shape's own names. */
  applyParams(body: Record<string, unknown>, changed: Record<string, unknown>): Record<string, unknown>
  /** Every text of the request a person wrote (for PII), in a fixed order; the body copied where changed. */
  mapTexts(body: Record<string, unknown>, visit: (text: string) => string): Record<string, unknown>
  /** A chat answer in this shape's JSON. */
  fromChat(completion: ChatCompletion, request: NativeRequest): Record<string, unknown>
  /** This shape's JSON answer as a chat completion (what the caches and telemetry keep beside it). */
  toChatAnswer(answer: Record<string, unknown>): ChatCompletion
  /** The tokens this shape's answer reports, as telemetry and pricing count them. */
  usage(answer: Record<string, unknown>): TokenUsage | undefined
  /** A chat SSE stream (as the relay passes it) as this shape's event stream. */
  streamFromChat(chat: ReadableStream<Uint8Array>, request: NativeRequest): ReadableStream<Uint8Array>
  /** A stored answer replayed as this shape's event stream (cache hits on streamed requests). */
  replay(answer: Record<string, unknown>): ReadableStream<Uint8Array>
  /** How the relay reads a native upstream's stream: tokens, the end, the assembled answer, the error event. */
  codec(): StreamCodec<Record<string, unknown>>
  /** PII placeholders put back in an answer (JSON text, or the event stream). */
  restoreJson(raw: string, vault: PiiVault): string
  restoreStream(body: ReadableStream<Uint8Array>, vault: PiiVault): ReadableStream<Uint8Array>
}
