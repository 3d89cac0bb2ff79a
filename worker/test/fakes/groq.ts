/**
 * A fake Groq API: OpenAI's format under `/openai/v1/...` (where `groq-sdk` sends it), with Groq's
 * own touches: `x_groq: {id}` on the first chunk, `x_groq.usage` (with queue/prompt/completion
 * timings) on the finish chunk, tool calls streamed whole in one chunk, and the standard
 * `choices: []` usage chunk only when `stream_options.include_usage` is set (script token
 * `legacy-usage` ignores it, as Groq did before supporting it: usage then lives in `x_groq` only).
 *
 * Routes: `POST /openai/v1/chat/completions`, `GET /openai/v1/models`.
 * Only `Authorization: Bearer gsk_testfakegroqkey` is accepted (401 `invalid_api_key` otherwise).
 * Scripted through the model name / `x-fake-script` (see fake-server.ts); requests recorded at
 * `GET /__requests`, cleared with `POST /__reset`.
 */
import type { ServerResponse } from 'node:http'
import { type FakeRequest, type FakeServer, sendBadOk, sendJson, sleep, stableId, startFake, writeSse } from './fake-server.ts'
import { FAKE_KEYS } from './keys.ts'
import { completionJson, type OpenAiAnswer, openAiAnswer } from './openai.ts'

const CREATED = 1_700_000_000

export function startFakeGroq(apiKey: string = FAKE_KEYS.groq): Promise<FakeServer> {
  return startFake(async (req, res) => {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (given !== apiKey) return sendJson(res, 401, groqError('Invalid API Key', 'invalid_request_error', 'invalid_api_key'))
    if (req.method === 'GET' && req.path === '/openai/v1/models')
      return sendJson(res, 200, { object: 'list', data: [{ id: 'llama-3.3-70b-versatile', object: 'model', created: CREATED, owned_by: 'Meta', active: true }] })
    if (req.method === 'POST' && req.path === '/openai/v1/chat/completions') return chat(req, res)
    sendJson(res, 404, groqError('Unknown request URL', 'invalid_request_error', 'unknown_url'))
  })
}

async function chat(req: FakeRequest, res: ServerResponse): Promise<void> {
  const body = req.body as Record<string, unknown> | undefined
  if (!body || !Array.isArray(body.messages) || body.messages.length === 0)
    return sendJson(res, 400, groqError("'messages' : minimum number of items is 1", 'invalid_request_error', null, 'messages'))
  await sleep(req.script.delayMs)
  if (req.closed()) return // the client gave up (a timeout test): nothing to answer
  if (req.script.status) return sendScriptedError(req, res)
  const failure = groqError('Internal Server Error', 'internal_server_error', null)
  if (sendBadOk(req, res, failure, `data: ${JSON.stringify(failure)}\n\n`)) return
  const answer = openAiAnswer(req)
  const requestId = stableId('req_', body.messages, 26)
  const usage = groqUsage(answer)
  if (!answer.stream) {
    const json = completionJson(answer)
    delete json.service_tier
    return sendJson(res, 200, { ...json, usage, x_groq: { id: requestId }, service_tier: 'on_demand' })
  }
  await writeSse(req, res, chunkEvents(answer, requestId, usage, answer.includeUsage && !req.script.legacyUsage))
}

function chunkEvents(a: OpenAiAnswer, requestId: string, usage: Record<string, number>, usageChunk: boolean): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) => ({
    id: a.id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: a.model,
    system_fingerprint: 'fp_fakegroq',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...extra,
  })
  const chunks: Record<string, unknown>[] = [chunk({ role: 'assistant', content: '' }, null, { x_groq: { id: requestId } })]
  if (a.text !== null) for (const word of a.text.split(/(?<= )/)) chunks.push(chunk({ content: word }, null))
  if (a.toolCalls.length > 0)
    chunks.push(
      chunk(
        { tool_calls: a.toolCalls.map((c, index) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments }, index })) },
        null,
      ),
    )
  chunks.push(chunk({}, a.finishReason, { x_groq: { id: requestId, usage } }))
  if (usageChunk)
    chunks.push({ id: a.id, object: 'chat.completion.chunk', created: CREATED, model: a.model, system_fingerprint: 'fp_fakegroq', choices: [], usage, x_groq: { id: requestId } })
  return [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n']
}

/** Groq's usage object: OpenAI's token counts plus timings in seconds. */
function groqUsage(a: OpenAiAnswer): Record<string, number> {
  const { prompt_tokens, completion_tokens, total_tokens } = a.usage
  return { queue_time: 0.01, prompt_tokens, prompt_time: 0.002, completion_tokens, completion_time: 0.02, total_tokens, total_time: 0.022 }
}

function sendScriptedError(req: FakeRequest, res: ServerResponse): void {
  const status = req.script.status ?? 500
  if (status === 429)
    return sendJson(
      res,
      429,
      groqError('Rate limit reached for model (scripted by the fake). Please try again in 1s.', 'tokens', 'rate_limit_exceeded'),
      { 'retry-after': '1' },
    )
  const type = status >= 500 ? 'internal_server_error' : 'invalid_request_error'
  sendJson(res, status, groqError(status >= 500 ? 'Service Unavailable' : 'Invalid request (scripted by the fake).', type, null))
}

function groqError(message: string, type: string, code: string | null, param?: string) {
  return { error: { message, type, ...(code ? { code } : {}), ...(param ? { param } : {}) } }
}
