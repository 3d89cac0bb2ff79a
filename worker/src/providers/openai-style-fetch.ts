/**
 * The chat call of an OpenAI-style adapter (openai, groq, openai-compatible), made with `fetch`
 * itself rather than through the SDK's request builder: the SDK's per-request work (URL building,
 * header merging, its own AbortController and timer, debug formatting with logging off) cost the
 * gateway's isolate more than the rest of a miss's stages together (README "Performance").
 *
 * The SDK client stays the source of what is sent, read once per client: its resolved base URL + the
 * SDK's path, its key as `Authorization: Bearer …`, OpenAI's organization/project; then, per request,
 * `POST`, the JSON body, `Accept`, `Content-Type`, the SDK's `User-Agent`, and the target's own headers
 * last. Not sent: the SDK's `X-Stainless-*` client telemetry headers.
 * A non-2xx answer becomes the very error the SDK would throw (its own `APIError.generate`, with the
 * body parsed as the SDK parses it), so `toUpstreamError`, failover and `Retry-After` see no change.
 * The timeout is the call's signal: failover aborts it at the target's deadline (headers and body).
 *
 * @example
 * const response = await postChatCompletion(openAiWire, openAiClient(call.target), call.target, { ...request, model }, call.signal)
 */
import type { ResolvedTarget } from './types.ts'

/** The fields every OpenAI-style SDK client exposes that decide what it sends. */
export interface WireClient {
  /** The base URL the client resolved (policy's, or the SDK's default). */
  baseURL: string
  apiKey: string | null
}

/** What one SDK does on the wire for a chat completion, and how it reports a failure. */
export interface SdkWire<C extends WireClient> {
  /** The path the SDK appends to the base URL for chat completions. */
  chatPath: string
  /** The SDK's own `User-Agent` (`<Client>/JS <version>`). */
  userAgent: string
  /** Headers the client adds from its own options (OpenAI's organization and project). */
  clientHeaders?(client: C): Record<string, string>
  /** The SDK's status-error factory, as its client's `makeStatusError` calls it. */
  statusError(status: number, body: unknown, message: string | undefined, headers: Headers): Error
  /** The SDK's error for a request that never got an answer (refused, reset, DNS). */
  connectionError(cause: unknown): Error
}

/** Per client (they are cached and bounded, client-cache.ts): its URL and the headers it always sends. */
const fixedByClient = new WeakMap<object, { url: string; headers: Record<string, string> }>()

export async function postChatCompletion<C extends WireClient>(
  wire: SdkWire<C>,
  client: C,
  target: ResolvedTarget,
  body: Record<string, unknown>,
  signal: AbortSignal,
): Promise<Response> {
  const fixed = fixedByClient.get(client) ?? fixedFor(wire, client)
  // Lower-case names in one plain object: the target's headers replace the client's by name, as the
  // SDK's header merge does, and nothing is sent twice under two spellings.
  const headers = { ...fixed.headers }
  for (const name in target.headers) headers[name.toLowerCase()] = target.headers[name]!
  let response: Response
  try {
    response = await fetch(fixed.url, { method: 'POST', headers, body: JSON.stringify(body), signal })
  } catch (e) {
    // An abort (the deadline or the client leaving) stays an abort: toUpstreamError reads the signal.
    if (signal.aborted || isAbort(e)) throw e
    throw wire.connectionError(e)
  }
  if (!response.ok) {
    // As the SDK reads an error answer: text, JSON if it parses, else the text as the message.
    const text = await response.text().catch((e: unknown) => (e instanceof Error ? e.message : String(e)))
    const json = safeJson(text)
    throw wire.statusError(response.status, json, json ? undefined : text, response.headers)
  }
  return response
}

function fixedFor<C extends WireClient>(wire: SdkWire<C>, client: C) {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/json',
    'user-agent': wire.userAgent,
  }
  if (client.apiKey !== null) headers.authorization = `Bearer ${client.apiKey}`
  for (const [name, value] of Object.entries(wire.clientHeaders?.(client) ?? {})) headers[name.toLowerCase()] = value
  const fixed = { url: urlOf(client.baseURL, wire.chatPath), headers }
  fixedByClient.set(client, fixed)
  return fixed
}

/** The SDK's URL join: one slash between base and path; a query on the base URL kept after the path. */
export function urlOf(base: string, path: string): string {
  const query = base.indexOf('?')
  if (query < 0) return base + (base.endsWith('/') && path.startsWith('/') ? path.slice(1) : path)
  const url = new URL(base)
  const search = url.search
  url.search = ''
  url.hash = ''
  return urlOf(url.toString(), path) + search
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const isAbort = (e: unknown): boolean => {
  const name = (e as { name?: unknown } | null)?.name
  return name === 'AbortError' || name === 'TimeoutError'
}
