/**
 * The fake OpenAI's `POST /v1/responses`, in the real wire format: a Response object (message item
 * with `output_text`, `function_call` items, usage with `input_tokens_details.cached_tokens`), or
 * the typed event stream (`response.created`, `response.in_progress`, `output_item.added`,
 * `content_part.added`, `output_text.delta`… `…done`, `response.completed`) with sequence numbers,
 * as the `openai` SDK's `responses.stream()` checks them. Scripted like the chat endpoint
 * (`fail-<status>`, `slow-<ms>`, `tools`, `die-<n>`, `error-event`, `length`, `cached-<n>`, `text=`).
 *
 * It keeps nothing: a `previous_response_id` is refused as OpenAI refuses an id it does not know —
 * the gateway must send the conversation itself.
 */
import type { ServerResponse } from 'node:http'
import { type FakeRequest, pieces, scriptedToolCalls, sendJson, sleep, stableId, tokensOf, writeSse } from './fake-server.ts'

type Json = Record<string, unknown>

const CREATED = 1_700_000_000

export async function responses(req: FakeRequest, res: ServerResponse, error: (status: number, message: string, code?: string | null, param?: string | null) => void): Promise<void> {
  const body = req.body as Json | undefined
  if (typeof body?.model !== 'string') return error(400, 'Missing required parameter: \'model\'.', 'missing_required_parameter', 'model')
  if (body.input === undefined) return error(400, 'Missing required parameter: \'input\'.', 'missing_required_parameter', 'input')
  for (const key of ['messages', 'max_tokens', 'stream_options'])
    if (key in body) return error(400, `Unsupported parameter: '${key}'.`, 'unsupported_parameter', key)
  if (typeof body.previous_response_id === 'string')
    return error(400, `Previous response with id '${body.previous_response_id}' not found.`, 'previous_response_not_found', 'previous_response_id')
  await sleep(req.script.delayMs)
  if (req.closed()) return
  if (req.script.status) return error(req.script.status, req.script.status === 429 ? 'Rate limit reached (scripted by the fake).' : 'The server had an error (scripted by the fake).')

  const items = inputItems(body.input)
  const user = lastUserText(items)
  const declared = Array.isArray(body.tools) ? (body.tools as Json[]).filter((t) => t.type === 'function').map((t) => String(t.name)) : []
  const id = stableId('resp_', [items, body.instructions ?? null], 48)
  const calls = scriptedToolCalls(declared, req.script.toolCalls, user)
  const text = calls.length === 1 ? null : (req.script.text ?? `You said: ${user}`)
  const output: Json[] = []
  if (text !== null) output.push({ id: stableId('msg_', [id, 0], 40), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] })
  calls.forEach((c, i) => output.push({ id: stableId('fc_', [id, i], 40), type: 'function_call', status: 'completed', call_id: stableId('call_', [id, i], 24), name: c.name, arguments: c.arguments }))
  const prompt = tokensOf(JSON.stringify([body.instructions ?? '', items]))
  const completion = tokensOf((text ?? '') + calls.map((c) => c.arguments).join(''))
  const response: Json = {
    id,
    object: 'response',
    created_at: CREATED,
    status: req.script.length ? 'incomplete' : 'completed',
    background: false,
    error: null,
    incomplete_details: req.script.length ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: {
      input_tokens: prompt,
      input_tokens_details: { cached_tokens: Math.min(prompt, req.script.cachedTokens) },
      output_tokens: completion,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: prompt + completion,
    },
    user: null,
    metadata: {},
  }
  if (body.stream !== true) return sendJson(res, 200, response)
  await writeSse(req, res, streamEvents(response, req.script.errorEvent))
}

function streamEvents(response: Json, errorEvent: boolean): string[] {
  let sequence = 0
  const event = (type: string, data: Json) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`
  const shell = { ...response, status: 'in_progress', output: [], usage: null, incomplete_details: null }
  const events = [event('response.created', { response: shell }), event('response.in_progress', { response: shell })]
  ;(response.output as Json[]).forEach((item, output_index) => {
    if (item.type === 'message') {
      const part = (item.content as Json[])[0]!
      const ids = { item_id: item.id, output_index, content_index: 0 }
      events.push(event('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } }))
      events.push(event('response.content_part.added', { ...ids, part: { ...part, text: '' } }))
      for (const delta of pieces(String(part.text))) events.push(event('response.output_text.delta', { ...ids, delta, logprobs: [] }))
      events.push(event('response.output_text.done', { ...ids, text: part.text, logprobs: [] }))
      events.push(event('response.content_part.done', { ...ids, part }))
    } else {
      events.push(event('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } }))
      for (const delta of pieces(String(item.arguments), 3)) events.push(event('response.function_call_arguments.delta', { item_id: item.id, output_index, delta }))
      events.push(event('response.function_call_arguments.done', { item_id: item.id, output_index, name: item.name, arguments: item.arguments }))
    }
    events.push(event('response.output_item.done', { output_index, item }))
  })
  if (errorEvent) {
    const failed = { ...shell, status: 'failed', error: { code: 'server_error', message: 'The model failed mid-answer (scripted by the fake).' } }
    return [...events.slice(0, 5), event('response.failed', { response: failed }), event('error', { code: 'server_error', message: 'The model failed mid-answer (scripted by the fake).', param: null })]
  }
  events.push(event(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response }))
  return events
}

function inputItems(input: unknown): Json[] {
  return typeof input === 'string' ? [{ role: 'user', content: input }] : Array.isArray(input) ? (input as Json[]) : []
}

/** The last user message's text, or the last function output (what a tool loop's next turn answers). */
function lastUserText(items: Json[]): string {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!
    if (item.type === 'function_call_output') return String(item.output)
    if (item.role !== 'user') continue
    if (typeof item.content === 'string') return item.content
    return ((item.content as Json[] | undefined) ?? []).filter((p) => p.type === 'input_text').map((p) => String(p.text)).join(' ')
  }
  return ''
}
