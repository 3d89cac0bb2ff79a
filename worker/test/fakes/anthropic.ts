/**
 * A fake Anthropic Messages API speaking the real wire format: `POST /v1/messages` as JSON, or as
 * SSE with the real event sequence (`message_start`, `content_block_start`, `ping`,
 * `content_block_delta` with `text_delta` / `input_json_delta` split over several deltas,
 * `content_block_stop`, `message_delta` with stop reason and usage, `message_stop`), and the
 * mid-stream `error` event when scripted.
 *
 * It validates what the real API rejects, so adapter tests catch a bad mapping: the key (`x-api-key`,
 * else `Authorization: Bearer`) must be `sk-ant-test-fake` (401 `authentication_error`),
 * `anthropic-version` is required (from 2026-10-21 on, sampling parameters are refused), `max_tokens` is
 * required, roles are user/assistant only, text blocks are non-empty, every `tool_result` answers a
 * `tool_use` of the previous message (and every `tool_use` is answered), and unknown top-level fields
 * (OpenAI leftovers such as `stream_options` or `user`) are "Extra inputs are not permitted".
 * A text answer stops early at the first of the request's `stop_sequences` it contains.
 *
 * Scripted through the model name / `x-fake-script` (see fake-server.ts): e.g. `fail-529`,
 * `slow-2000`, `tools`, `tools-2`, `die-4`, `error-event`, `cached-40`, `length`.
 * Requests recorded at `GET /__requests`, cleared with `POST /__reset`.
 */
import type { ServerResponse } from 'node:http'
import {
  answerText,
  type FakeRequest,
  type FakeServer,
  lastUserText,
  pieces,
  scriptedToolCalls,
  sendBadOk,
  sendJson,
  sleep,
  stableId,
  startFake,
  tokensOf,
  writeSse,
} from './fake-server.ts'
import { FAKE_KEYS } from './keys.ts'
import { validateMessagesRequest } from './anthropic-validate.ts'

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }

export function startFakeAnthropic(apiKey: string = FAKE_KEYS.anthropic): Promise<FakeServer> {
  return startFake(async (req, res) => {
    // The API takes the key from x-api-key, else from `Authorization: Bearer` (what the 1.x SDKs send).
    const given = req.headers['x-api-key'] || /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (given !== apiKey) return sendError(res, 401, 'invalid x-api-key')
    if (!req.headers['anthropic-version']) return sendError(res, 400, 'anthropic-version: header is required')
    if (req.method === 'POST' && req.path === '/v1/messages') return messages(req, res)
    if (req.method === 'POST' && req.path === '/v1/messages/count_tokens') return countTokens(req, res)
    sendError(res, 404, `Not found: ${req.method} ${req.path}`)
  })
}

async function messages(req: FakeRequest, res: ServerResponse): Promise<void> {
  const invalid = validateMessagesRequest(req.body, req.headers['anthropic-version'] ?? '')
  if (invalid) return sendError(res, 400, invalid)
  await sleep(req.script.delayMs)
  if (req.closed()) return // the client gave up (a timeout test): nothing to answer
  if (req.script.status) return sendError(res, req.script.status, scriptedMessage(req.script.status))
  const overloaded = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }
  if (sendBadOk(req, res, overloaded, `event: error\ndata: ${JSON.stringify(overloaded)}\n\n`)) return
  const body = req.body as Record<string, unknown>
  const answer = buildAnswer(req)
  if (body.stream !== true) {
    return sendJson(res, 200, { ...answer.message, content: answer.blocks, usage: { ...answer.usage, output_tokens: answer.outputTokens } }, { 'request-id': answer.requestId })
  }
  await writeSse(req, res, streamEvents(req, answer), { 'request-id': answer.requestId })
}

/** `count_tokens`: the request a message would be, without max_tokens or stream (both refused), counted. */
async function countTokens(req: FakeRequest, res: ServerResponse): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>
  for (const key of ['max_tokens', 'stream']) if (key in body) return sendError(res, 400, `${key}: Extra inputs are not permitted`)
  const invalid = validateMessagesRequest({ ...body, max_tokens: 1 }, req.headers['anthropic-version'] ?? '')
  if (invalid) return sendError(res, 400, invalid)
  if (req.script.status) return sendError(res, req.script.status, scriptedMessage(req.script.status))
  sendJson(res, 200, { input_tokens: tokensOf(JSON.stringify([body.system ?? '', body.messages, body.tools ?? []])) })
}

function buildAnswer(req: FakeRequest) {
  const body = req.body as Record<string, unknown>
  const userText = lastUserText(body)
  const declared = Array.isArray(body.tools) ? body.tools.map((t: { name?: string }) => t.name ?? '').filter(Boolean) : []
  const calls = scriptedToolCalls(declared, req.script.toolCalls, userText)
  const blocks: Block[] = []
  let stopReason = calls.length > 0 ? 'tool_use' : req.script.length ? 'max_tokens' : 'end_turn'
  let stopSequence: string | null = null
  if (calls.length !== 1) {
    let text = answerText(body, req.script)
    const cut = earliestStop(text, body.stop_sequences)
    if (cut && calls.length === 0) {
      text = text.slice(0, cut.index)
      stopReason = 'stop_sequence'
      stopSequence = cut.sequence
    }
    blocks.push({ type: 'text', text })
  }
  calls.forEach((c, i) => blocks.push({ type: 'tool_use', id: stableId('toolu_01', [body.messages, i], 22), name: c.name, input: JSON.parse(c.arguments) }))
  const prompt = tokensOf(JSON.stringify([body.system ?? '', body.messages]))
  const cached = Math.min(prompt, req.script.cachedTokens)
  const written = Math.min(prompt - cached, req.script.cacheWriteTokens)
  const written1h = Math.min(written, req.script.cacheWrite1hTokens)
  const usage = {
    input_tokens: prompt - cached - written,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
    cache_creation: { ephemeral_5m_input_tokens: written - written1h, ephemeral_1h_input_tokens: written1h },
    service_tier: 'standard',
  }
  const message = {
    id: stableId('msg_01', body.messages, 22),
    type: 'message',
    role: 'assistant',
    model: String(body.model),
    content: [] as Block[],
    stop_reason: stopReason,
    stop_sequence: stopSequence,
  }
  const outputTokens = tokensOf(blocks.map((b) => (b.type === 'text' ? b.text : JSON.stringify(b.input))).join(''))
  return { message, blocks, usage, outputTokens, requestId: stableId('req_01', body.messages, 22) }
}

function streamEvents(req: FakeRequest, a: ReturnType<typeof buildAnswer>): string[] {
  const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
  const events = [
    event('message_start', { message: { ...a.message, stop_reason: null, stop_sequence: null, usage: { ...a.usage, output_tokens: 1 } } }),
  ]
  a.blocks.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }))
      if (index === 0) events.push(event('ping', {}))
      for (const text of pieces(block.text)) events.push(event('content_block_delta', { index, delta: { type: 'text_delta', text } }))
    } else {
      events.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }))
      if (index === 0) events.push(event('ping', {}))
      // The real API opens with an empty partial, then splits the JSON at arbitrary points.
      for (const partial_json of ['', ...pieces(JSON.stringify(block.input), 3)])
        events.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }))
    }
    events.push(event('content_block_stop', { index }))
  })
  events.push(
    event('message_delta', {
      delta: { stop_reason: a.message.stop_reason, stop_sequence: a.message.stop_sequence },
      usage: { input_tokens: a.usage.input_tokens, cache_creation_input_tokens: a.usage.cache_creation_input_tokens, cache_read_input_tokens: a.usage.cache_read_input_tokens, output_tokens: a.outputTokens },
    }),
    event('message_stop', {}),
  )
  if (req.script.errorEvent) {
    // message_start, block start, ping, one delta — then the upstream gives up mid-answer.
    return [...events.slice(0, 4), event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } })]
  }
  return events
}

function earliestStop(text: string, sequences: unknown): { index: number; sequence: string } | undefined {
  if (!Array.isArray(sequences)) return undefined
  let best: { index: number; sequence: string } | undefined
  for (const s of sequences) {
    const index = typeof s === 'string' && s ? text.indexOf(s) : -1
    if (index >= 0 && (!best || index < best.index)) best = { index, sequence: s as string }
  }
  return best
}

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
}

function scriptedMessage(status: number): string {
  if (status === 429) return 'Number of request tokens has exceeded your per-minute rate limit (scripted by the fake)'
  if (status === 529) return 'Overloaded'
  return status >= 500 ? 'Internal server error' : 'Invalid request (scripted by the fake)'
}

/** Anthropic's error envelope: `{type: 'error', error: {type, message}, request_id}`. */
function sendError(res: ServerResponse, status: number, message: string): void {
  const type = errorTypes[status] ?? 'api_error'
  const headers: Record<string, string> = { 'request-id': 'req_01fakeerror', 'x-should-retry': String(status === 429 || status >= 500) }
  if (status === 429) headers['retry-after'] = '1'
  sendJson(res, status, { type: 'error', error: { type, message }, request_id: 'req_01fakeerror' }, headers)
}
