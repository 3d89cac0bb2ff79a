/**
 * A fake OpenAI API speaking the real wire format, for workerd tests and benchmarks:
 *
 * - `POST /v1/chat/completions`: JSON, or SSE chunks (`role` chunk, content / tool-call deltas,
 *   finish chunk, then a `choices: []` usage chunk only when `stream_options.include_usage`, then
 *   `data: [DONE]`), with `usage: null` on the other chunks when usage was asked for, as OpenAI does;
 * - `POST /v1/embeddings`: float or base64 vectors (the `openai` SDK asks for base64 by default);
 * - `POST /v1/responses`: the Responses API, JSON or typed events (openai-responses.ts);
 * - `GET /v1/models`.
 *
 * Only `Authorization: Bearer sk-test-fake-openai` is accepted (401 `invalid_api_key` otherwise).
 * Scripted per request through the model name and `x-fake-script` (see fake-server.ts): e.g. model
 * `fail-503`, `slow-2000`, `tools`, `die-2`, or header `x-fake-script: text=Hello%20world`.
 * Requests are recorded at `GET /__requests` and cleared with `POST /__reset`.
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
import { responses } from './openai-responses.ts'

const CREATED = 1_700_000_000

export function startFakeOpenAi(apiKey: string = FAKE_KEYS.openai): Promise<FakeServer> {
  return startFake(async (req, res) => {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (given !== apiKey) return sendJson(res, 401, openAiError(401, `Incorrect API key provided: ${mask(given ?? '')}.`, 'invalid_api_key'))
    if (req.method === 'GET' && req.path === '/v1/models') return sendJson(res, 200, modelList())
    if (req.method === 'POST' && req.path === '/v1/chat/completions') return chat(req, res)
    if (req.method === 'POST' && req.path === '/v1/embeddings') return embeddings(req, res)
    if (req.method === 'POST' && req.path === '/v1/responses')
      return responses(req, res, (status, message, code = null, param = null) =>
        sendJson(res, status, openAiError(status, message, code, param), status === 429 ? { 'retry-after': '1' } : {}),
      )
    sendJson(res, 404, openAiError(404, `Invalid URL (${req.method} ${req.path})`))
  })
}

async function chat(req: FakeRequest, res: ServerResponse): Promise<void> {
  const invalid = validateChat(req.body)
  if (invalid) return sendJson(res, 400, openAiError(400, invalid.message, null, invalid.param))
  await sleep(req.script.delayMs)
  if (req.closed()) return // the client gave up (a timeout test): nothing to answer
  if (req.script.status) return sendScriptedError(req, res)
  const failure = openAiError(500, 'The server had an error while processing your request.')
  if (sendBadOk(req, res, failure, `data: ${JSON.stringify(failure)}\n\n`)) return
  const answer = openAiAnswer(req)
  if (!answer.stream) return sendJson(res, 200, completionJson(answer))
  await writeSse(req, res, chunkEvents(answer))
}

export interface OpenAiAnswer {
  id: string
  model: string
  stream: boolean
  includeUsage: boolean
  text: string | null
  toolCalls: { id: string; name: string; arguments: string }[]
  finishReason: 'stop' | 'length' | 'tool_calls'
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details: { cached_tokens: number } }
}

/** What a scripted request answers, independent of JSON or SSE framing (shared with the Groq fake). */
export function openAiAnswer(req: FakeRequest): OpenAiAnswer {
  const body = req.body as Record<string, unknown>
  const userText = lastUserText(body)
  const declared = Array.isArray(body.tools) ? body.tools.map((t: { function?: { name?: string } }) => t.function?.name ?? '') : []
  const toolCalls = scriptedToolCalls(declared.filter(Boolean), req.script.toolCalls, userText).map((c, i) => ({
    ...c,
    id: stableId('call_', [body.messages, i], 24),
  }))
  const text = toolCalls.length === 1 ? null : answerText(body, req.script)
  const prompt = tokensOf(JSON.stringify(body.messages))
  const completion = tokensOf((text ?? '') + toolCalls.map((c) => c.arguments).join(''))
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined
  return {
    id: stableId('chatcmpl-', body.messages, 29),
    model: String(body.model),
    stream: body.stream === true,
    includeUsage: streamOptions?.include_usage === true,
    text,
    toolCalls,
    finishReason: toolCalls.length > 0 ? 'tool_calls' : req.script.length ? 'length' : 'stop',
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: Math.min(prompt, req.script.cachedTokens) },
    },
  }
}

export function completionJson(a: OpenAiAnswer): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: a.text, refusal: null, annotations: [] }
  if (a.toolCalls.length > 0)
    message.tool_calls = a.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }))
  return {
    id: a.id,
    object: 'chat.completion',
    created: CREATED,
    model: a.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: a.finishReason }],
    usage: a.usage,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  }
}

/** The chunk objects of a streamed answer, in order, usage chunk last (without `[DONE]`). */
export function chunkObjects(a: OpenAiAnswer): Record<string, unknown>[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): Record<string, unknown> => ({
    id: a.id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: a.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(a.includeUsage ? { usage: null } : {}),
  })
  const out = [chunk({ role: 'assistant', content: a.text === null ? null : '', refusal: null })]
  for (const piece of a.text === null ? [] : pieces(a.text)) out.push(chunk({ content: piece }))
  a.toolCalls.forEach((c, index) => {
    out.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }))
    for (const part of pieces(c.arguments, 3)) out.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }))
  })
  out.push(chunk({}, a.finishReason))
  if (a.includeUsage)
    out.push({ id: a.id, object: 'chat.completion.chunk', created: CREATED, model: a.model, service_tier: 'default', system_fingerprint: 'fp_fake', choices: [], usage: a.usage })
  return out
}

function chunkEvents(a: OpenAiAnswer): string[] {
  return [...chunkObjects(a).map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n']
}

async function embeddings(req: FakeRequest, res: ServerResponse): Promise<void> {
  const body = (req.body ?? {}) as { input?: unknown; model?: unknown; dimensions?: unknown; encoding_format?: unknown }
  const inputs = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input : undefined
  if (!inputs || inputs.length === 0 || typeof body.model !== 'string')
    return sendJson(res, 400, openAiError(400, "'input' is a required property", null, 'input'))
  await sleep(req.script.delayMs)
  if (req.closed()) return // the client gave up (a timeout test): nothing to answer
  if (req.script.status) return sendScriptedError(req, res)
  if (sendBadOk(req, res, openAiError(500, 'The server had an error.'), '')) return
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 8
  const data = inputs.map((input, index) => {
    const vector = fakeVector(typeof input === 'string' ? input : JSON.stringify(input), dimensions)
    const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector
    return { object: 'embedding', index, embedding }
  })
  const tokens = inputs.reduce<number>((n, s) => n + tokensOf(String(s)), 0)
  sendJson(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } })
}

/** A unit vector derived from the text's hash: stable, meaningless. */
export function fakeVector(text: string, dimensions: number): number[] {
  const seed = stableId('', text, 64)
  const v = Array.from({ length: dimensions }, (_, i) => parseInt(seed.slice((i * 2) % 62, ((i * 2) % 62) + 2), 16) - 127.5)
  const norm = Math.hypot(...v) || 1
  return v.map((x) => x / norm)
}

function modelList(): Record<string, unknown> {
  const ids = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small']
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'system' })) }
}

function validateChat(body: unknown): { message: string; param: string } | undefined {
  const b = body as Record<string, unknown> | undefined
  if (typeof b !== 'object' || b === null) return { message: 'We could not parse the JSON body of your request.', param: 'body' }
  if (typeof b.model !== 'string') return { message: 'you must provide a model parameter', param: 'model' }
  if (!Array.isArray(b.messages) || b.messages.length === 0)
    return { message: "Invalid 'messages': empty array. Expected an array with minimum length 1.", param: 'messages' }
  if (b.stream_options != null && b.stream !== true)
    return { message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: 'stream_options' }
  return undefined
}

function sendScriptedError(req: FakeRequest, res: ServerResponse): void {
  const status = req.script.status ?? 500
  const messages: Record<number, [string, string | null]> = {
    400: ['Invalid request (scripted by the fake).', null],
    401: ['Incorrect API key provided.', 'invalid_api_key'],
    404: [`The model \`${String((req.body as { model?: unknown }).model)}\` does not exist or you do not have access to it.`, 'model_not_found'],
    429: ['Rate limit reached for requests (scripted by the fake). Please try again in 1s.', 'rate_limit_exceeded'],
    503: ['The engine is currently overloaded, please try again later', null],
  }
  const [message, code] = messages[status] ?? ['The server had an error while processing your request. Sorry about that!', null]
  sendJson(res, status, openAiError(status, message, code), status === 429 ? { 'retry-after': '1', 'x-ratelimit-remaining-requests': '0' } : {})
}

/** OpenAI's error envelope; `type` follows the status the way the real API does. */
export function openAiError(status: number, message: string, code: string | null = null, param: string | null = null) {
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error'
  return { error: { message, type, param, code } }
}

/** OpenAI echoes a masked key in its 401 message. */
function mask(key: string): string {
  return key.length > 11 ? `${key.slice(0, 7)}****${key.slice(-4)}` : '****'
}
