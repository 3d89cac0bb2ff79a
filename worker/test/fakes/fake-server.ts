/**
 * The plumbing every fake upstream shares: a Node HTTP server on 127.0.0.1 (port 0) that records
 * each request for `GET /__requests`, forgets them on `POST /__reset`, and reads the per-request
 * script. The fakes themselves only speak their provider's wire format.
 *
 * A script is a comma-separated list of tokens, taken from the `x-fake-script` request header and
 * from the requested `model` name (unknown tokens are ignored, so `gpt-4o-mini` scripts nothing):
 *
 * | token           | effect                                                                  |
 * |-----------------|-------------------------------------------------------------------------|
 * | `fail-<status>` | answer that HTTP status with the provider's own error body (429 adds `retry-after: 1`) |
 * | `slow-<ms>`     | wait before sending headers (for timeouts)                              |
 * | `gap-<ms>`      | wait between stream events                                              |
 * | `tools`         | answer with one tool call; `tools-2` with some text and two tool calls  |
 * | `die-<n>`       | a stream that breaks (socket destroyed) after n events                  |
 * | `error-event`   | a stream that sends the provider's mid-stream error event and ends      |
 * | `length`        | stop because of the token limit                                         |
 * | `cached-<n>`    | report n prompt tokens as read from the provider's prompt cache         |
 * | `write-<n>`     | anthropic only: report n prompt tokens written to the prompt cache (5-minute TTL) |
 * | `write1h-<n>`   | anthropic only: of those written, n with the 1-hour TTL               |
 * | `legacy-usage`  | groq only: ignore `stream_options` (usage only in `x_groq`)             |
 * | `ok-error`      | answer 200 with the provider's own error body (a misbehaving proxy)      |
 * | `ok-html`       | answer 200 with an HTML page                                             |
 * | `ok-garbage`    | answer 200 `text/event-stream` (or JSON content type) with a body that is not JSON |
 * | `sse-error-first` | a stream whose first event is the provider's error event             |
 * | `text=<pct-encoded>` | answer this text instead of `You said: <last user message>`        |
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  headers: Record<string, string>
  /** Parsed JSON, or the raw text when the body was not JSON. */
  body: unknown
  /** Set when the client closed the connection before the response was complete (a cancelled stream). */
  closedEarly?: boolean
}

export interface Script {
  status?: number
  delayMs: number
  gapMs: number
  toolCalls: number
  dieAfter?: number
  errorEvent: boolean
  length: boolean
  cachedTokens: number
  cacheWriteTokens: number
  cacheWrite1hTokens: number
  legacyUsage: boolean
  text?: string
  /** A 200 that is not an answer (see the table above). */
  badOk?: 'ok-error' | 'ok-html' | 'ok-garbage' | 'sse-error-first'
}

export interface FakeRequest extends RecordedRequest {
  script: Script
  /** True once the client has gone away (stop writing). */
  closed(): boolean
}

export type FakeHandler = (req: FakeRequest, res: ServerResponse) => Promise<void>

export interface FakeServer {
  url: string
  port: number
  requests: RecordedRequest[]
  close(): Promise<void>
}

/** Bounded so a long test run cannot grow the fake without limit. */
const MAX_RECORDED = 200

export async function startFake(handler: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    void serve(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(e) } })
      else res.destroy()
    })
  })

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (req.method === 'GET' && path === '/__requests') return sendJson(res, 200, requests)
    if (req.method === 'POST' && path === '/__reset') {
      requests.length = 0
      return sendJson(res, 200, { ok: true })
    }
    const text = await readBody(req)
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON: recorded as text, and the fake answers 400 in its own shape
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    )
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers, body }
    requests.push(recorded)
    if (requests.length > MAX_RECORDED) requests.shift()
    const model = (body as { model?: unknown } | undefined)?.model
    const script = parseScript(typeof model === 'string' ? model : '', headers['x-fake-script'] ?? '')
    let gone = false
    res.on('close', () => {
      gone = true
      if (!res.writableFinished) recorded.closedEarly = true
    })
    await handler({ ...recorded, script, closed: () => gone }, res)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export function parseScript(model: string, header: string): Script {
  const script: Script = { delayMs: 0, gapMs: 0, toolCalls: 0, errorEvent: false, length: false, cachedTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0, legacyUsage: false }
  for (const raw of `${model},${header}`.split(',')) {
    const token = raw.trim()
    const number = (prefix: string) => (token.startsWith(prefix) ? Number(token.slice(prefix.length)) : Number.NaN)
    if (token.startsWith('text=')) script.text = decodeURIComponent(token.slice(5))
    else if (Number.isInteger(number('fail-'))) script.status = number('fail-')
    else if (Number.isInteger(number('slow-'))) script.delayMs = number('slow-')
    else if (Number.isInteger(number('gap-'))) script.gapMs = number('gap-')
    else if (Number.isInteger(number('die-'))) script.dieAfter = number('die-')
    else if (Number.isInteger(number('cached-'))) script.cachedTokens = number('cached-')
    else if (Number.isInteger(number('write-'))) script.cacheWriteTokens = number('write-')
    else if (Number.isInteger(number('write1h-'))) script.cacheWrite1hTokens = number('write1h-')
    else if (token === 'tools') script.toolCalls = 1
    else if (Number.isInteger(number('tools-'))) script.toolCalls = number('tools-')
    else if (token === 'error-event') script.errorEvent = true
    else if (token === 'length') script.length = true
    else if (token === 'legacy-usage') script.legacyUsage = true
    else if (token === 'ok-error' || token === 'ok-html' || token === 'ok-garbage' || token === 'sse-error-first') script.badOk = token
  }
  return script
}

/** The deterministic answer: the scripted text, or a quote of the last user message. */
export function answerText(body: unknown, script: Script): string {
  return script.text ?? `You said: ${lastUserText(body)}`
}

export function lastUserText(body: unknown): string {
  const messages = (body as { messages?: unknown } | undefined)?.messages
  if (!Array.isArray(messages)) return ''
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown }
    if (m.role !== 'user') continue
    if (typeof m.content === 'string') return m.content
    if (Array.isArray(m.content)) {
      const texts = m.content
        .filter((p: { type?: unknown }) => p.type === 'text')
        .map((p: { text?: unknown }) => String(p.text ?? ''))
      if (texts.length > 0) return texts.join(' ')
    }
  }
  return ''
}

/** The tool calls a scripted answer makes: named after the request's own tools when it declares any. */
export function scriptedToolCalls(declared: string[], count: number, userText: string): { name: string; arguments: string }[] {
  const defaults = ['get_weather', 'get_time']
  return Array.from({ length: count }, (_, i) => ({
    name: declared[i % Math.max(1, declared.length)] ?? defaults[i % defaults.length]!,
    arguments: JSON.stringify(i === 0 ? { city: userText, unit: 'celsius' } : { city: userText, step: i }),
  }))
}

/** Roughly four characters a token: plausible numbers, stable across runs. */
export const tokensOf = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

export function stableId(prefix: string, seed: unknown, length = 24): string {
  return prefix + createHash('sha256').update(JSON.stringify(seed ?? null)).digest('hex').slice(0, length)
}

/** Splits text into a few pieces, as a model streams it. */
export function pieces(text: string, parts = 4): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts))
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/**
 * Writes SSE events (already formatted, each ending in a blank line) with the script's gap, and
 * breaks the connection after `dieAfter` events, as a dropped upstream would.
 */
export async function writeSse(req: FakeRequest, res: ServerResponse, events: string[], headers: Record<string, string> = {}): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers })
  for (let i = 0; i < events.length; i++) {
    if (req.closed()) return
    if (req.script.dieAfter !== undefined && i >= req.script.dieAfter) {
      res.socket?.destroy()
      return
    }
    if (i > 0 && req.script.gapMs > 0) await sleep(req.script.gapMs)
    // When the stream is to die, wait until each event is flushed, so the client really gets them first.
    if (req.script.dieAfter === undefined) res.write(events[i])
    else await new Promise<void>((resolve) => res.write(events[i]!, () => resolve()))
  }
  res.end()
}

/**
 * The scripted 200s that are not answers; true when it answered. `errorBody` is the provider's own
 * error envelope; `errorEvent` its stream error event, formatted.
 */
export function sendBadOk(req: FakeRequest, res: ServerResponse, errorBody: unknown, errorEvent: string): boolean {
  const stream = (req.body as { stream?: unknown } | undefined)?.stream === true
  switch (req.script.badOk) {
    case undefined:
      return false
    case 'ok-error':
      sendJson(res, 200, errorBody)
      return true
    case 'ok-html':
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
      return true
    case 'ok-garbage':
      res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' })
      res.end(stream ? 'data: {"choices": [ not json\n\ndata: [DONE]\n\n' : '{"id": "chatcmpl-x", "choices": [ truncated')
      return true
    case 'sse-error-first':
      if (!stream) {
        sendJson(res, 200, errorBody)
        return true
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(errorEvent)
      return true
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
