/**
 * The exact-cache key: a hash of everything that can change the answer and nothing that cannot.
 * Fields not listed as answer-neutral are kept, so a parameter OpenAI adds tomorrow splits the
 * cache rather than serving a wrong answer. Values equal to the API's defaults are dropped, so
 * `temperature: 1` and no temperature share an entry.
 */
import { canonicalJson, sha256Hex } from '../lib/hash.ts'

/** Request fields that never change what the model answers. */
const answerNeutral = new Set([
  'model', // replaced by the route alias + its targets' fingerprint
  'user',
  'stream',
  'stream_options',
  'metadata',
  'store',
  'service_tier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'safety_identifier',
])

/** The API's defaults: asking for them explicitly is the same request. */
const defaults: Record<string, unknown> = {
  temperature: 1,
  top_p: 1,
  n: 1,
  presence_penalty: 0,
  frequency_penalty: 0,
  logprobs: false,
  parallel_tool_calls: true,
  encoding_format: 'float',
}

export interface CacheKeyInput {
  project: string
  /** `default`, or the request's `X-WatchLLM-Cache-Namespace`. */
  namespace: string
  /** `chat`, `embeddings`, or the request's own shape (`messages`, `responses`). */
  endpoint: string
  alias: string
  /** Changes when the route's targets change, so a re-routed alias doesn't serve the old model's answers. */
  routeFingerprint: string
  body: Record<string, unknown>
}

export function exactCacheKey(input: CacheKeyInput): string {
  const canonical = canonicalJson({
    v: 1,
    endpoint: input.endpoint,
    alias: input.alias,
    route: input.routeFingerprint,
    body: answerRelevant(input.body),
  })
  return `wllm:exact:v1:${input.project}:${input.namespace}:${sha256Hex(canonical)}`
}

export function answerRelevant(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(body)) {
    if (answerNeutral.has(k) || v === null || v === undefined) continue
    if (k in defaults && defaults[k] === v) continue
    if (k === 'messages' && Array.isArray(v)) out.messages = v.map(normaliseMessage)
    else if (k === 'max_tokens') out.max_completion_tokens ??= v // the deprecated spelling of the same limit
    else out[k] = v
  }
  return out
}

/** `[{type:'text', text}]` and the plain string say the same thing. */
function normaliseMessage(message: unknown): unknown {
  if (!message || typeof message !== 'object') return message
  const m = message as Record<string, unknown>
  const content = m.content
  if (Array.isArray(content) && content.length > 0 && content.every(isTextPart))
    return { ...m, content: content.map((p) => (p as { text: string }).text).join('') }
  return m
}

function isTextPart(part: unknown): boolean {
  if (!part || typeof part !== 'object') return false
  const p = part as Record<string, unknown>
  return p.type === 'text' && typeof p.text === 'string' && Object.keys(p).length === 2
}
