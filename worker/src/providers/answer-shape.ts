/**
 * A provider's `200` is only a success when its body has the shape of an answer. Some upstreams
 * (proxies, OpenAI-compatible servers, a provider mid-incident) answer `200 {"error": …}`, an HTML
 * page, or a stream whose first event is an error: treated as success, that answer was served,
 * priced at zero and cached. Every adapter checks here instead; a wrong shape is an `UpstreamError`
 * of kind `protocol`, so failover tries the next target and nothing is cached.
 *
 * Streams are checked on their first `data:` event, before the gateway returns the response: the
 * first byte is not held back beyond its own arrival, and the target's timeout covers it (a slow
 * first byte fails over like a slow response).
 */
import type { ChatCompletion } from 'openai/resources/chat/completions'
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings'
import { scrubSecrets } from '../lib/scrub.ts'
import { SseSplitter, sseDataOf } from '../lib/sse.ts'
import { UpstreamError } from '../upstream/upstream-error.ts'
import { peekedStream } from '../lib/peeked-stream.ts'

/** Bytes the first-event check reads at most before it gives up on a stream that never frames an event. */
const MAX_PEEK_BYTES = 1024 * 1024

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The provider's own message in an error-shaped body (`{"error": {"message"}}`, `{"error": "…"}`, Anthropic's `{"type": "error"}`). */
function errorOf(body: Json): string | undefined {
  const error = body.error
  if (body.type === 'error' || error !== undefined) {
    const message = isObject(error) ? error.message : error
    return typeof message === 'string' ? scrubSecrets(message).slice(0, 300) : 'no message'
  }
  return undefined
}

const wrongShape = (who: string, what: string) => new UpstreamError('protocol', 200, `${who} answered 200 ${what}`)

export function checkChatCompletion(body: unknown, who: string): ChatCompletion {
  if (!isObject(body)) throw wrongShape(who, 'with a body that is not a JSON object')
  const error = errorOf(body)
  if (error !== undefined) throw wrongShape(who, `with an error body: ${error}`)
  if (!Array.isArray(body.choices) || body.choices.length === 0 || !body.choices.every((c) => isObject(c) && isObject(c.message)))
    throw wrongShape(who, 'without choices: not a chat completion')
  return body as unknown as ChatCompletion
}

export function checkEmbeddings(body: unknown, who: string): CreateEmbeddingResponse {
  if (!isObject(body)) throw wrongShape(who, 'with a body that is not a JSON object')
  const error = errorOf(body)
  if (error !== undefined) throw wrongShape(who, `with an error body: ${error}`)
  const ok = Array.isArray(body.data) && body.data.every((d) => isObject(d) && (Array.isArray(d.embedding) || typeof d.embedding === 'string'))
  if (!ok) throw wrongShape(who, 'without embedding data')
  return body as unknown as CreateEmbeddingResponse
}

/** Anthropic's Messages answer (`{"type": "message", "content": [...]}`) before it is mapped. */
export function checkAnthropicMessage<T>(body: T, who: string): T {
  if (!isObject(body)) throw wrongShape(who, 'with a body that is not a JSON object')
  const error = errorOf(body)
  if (error !== undefined) throw wrongShape(who, `with an error body: ${error}`)
  if (body.type !== 'message' || !Array.isArray(body.content)) throw wrongShape(who, 'without a message: not a Messages answer')
  return body
}

/**
 * Reads an OpenAI-format SSE stream up to its first `data:` event and checks it is a chunk
 * (`choices` present, no `error`); returns a stream that replays what was read, then the rest.
 */
export async function checkFirstChunk(body: ReadableStream<Uint8Array>, who: string): Promise<ReadableStream<Uint8Array>> {
  const reader = body.getReader()
  const splitter = new SseSplitter()
  const read: Uint8Array[] = []
  let size = 0
  const fail = async (what: string): Promise<never> => {
    await reader.cancel().catch(() => undefined)
    throw wrongShape(who, what)
  }
  for (;;) {
    const { done, value } = await reader.read()
    let events: string[]
    if (done) {
      const rest = splitter.end()
      events = rest ? [rest] : []
    } else {
      read.push(value)
      size += value.byteLength
      events = splitter.push(value)
    }
    const data = events.map(sseDataOf).find((d) => d !== undefined)
    if (data !== undefined) {
      let chunk: unknown
      try {
        chunk = JSON.parse(data)
      } catch {
        return fail(`a stream whose first event is not JSON`)
      }
      if (!isObject(chunk)) return fail('a stream whose first event is not a JSON object')
      const error = errorOf(chunk)
      if (error !== undefined) return fail(`a stream that opened with an error: ${error}`)
      if (!Array.isArray(chunk.choices)) return fail('a stream whose first event is not a chat completion chunk')
      return peekedStream(read, reader, done)
    }
    if (done) return fail('a stream with no event')
    if (size > MAX_PEEK_BYTES) return fail(`a stream with no event in its first ${MAX_PEEK_BYTES} bytes`)
  }
}
