/**
 * OpenAI Responses request (with the conversation `previous_response_id` stood for) → OpenAI chat
 * request (pure). `instructions` becomes the system message; message items become messages
 * (`input_text` / `input_image` / `input_file` parts, an assistant's `output_text`), each
 * `function_call` a tool call of the assistant turn, each `function_call_output` a `tool` message.
 *
 * Built-in tools (web search, file search, computer use…), item references and hosted prompts have
 * no chat equivalent: listed as untranslatable, naming the field, so a provider speaking chat
 * refuses the request with a 400. Earlier `reasoning` items only OpenAI can read back: dropped.
 */
import { ok, type Result } from '../../lib/result.ts'
import type { ChatRequest } from '../../providers/types.ts'
import type { ChatView, Untranslatable } from '../types.ts'

type Json = Record<string, unknown>
type Refuse = (param: string, message: string) => void

const MAPPED = new Set([
  'model', 'input', 'instructions', 'previous_response_id', 'stream', 'store', 'max_output_tokens', 'temperature', 'top_p',
  'tools', 'tool_choice', 'parallel_tool_calls', 'text', 'reasoning', 'user', 'safety_identifier', 'metadata',
])
/** Settings about OpenAI's own service, not the question. */
const DROPPABLE = new Set(['include', 'truncation', 'prompt_cache_key', 'prompt_cache_retention', 'service_tier', 'stream_options', 'background', 'top_logprobs'])

/** The request's input as items (a string is one user message). */
export function inputItems(input: unknown): Json[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }]
  return Array.isArray(input) ? (input as Json[]) : []
}

export function responsesToChat(body: Json, history: Json[] = []): Result<ChatView, Untranslatable> {
  const untranslatable: Untranslatable[] = []
  const dropped = new Set<string>()
  const refuse: Refuse = (param, message) => untranslatable.push({ param, message })
  for (const key of Object.keys(body)) {
    if (DROPPABLE.has(key)) {
      if (body[key] !== null && body[key] !== undefined && body[key] !== false && body[key] !== 0) dropped.add(key)
    } else if (!MAPPED.has(key)) refuse(key, 'has no equivalent outside OpenAI')
  }

  const messages: Json[] = []
  if (typeof body.instructions === 'string' && body.instructions) messages.push({ role: 'system', content: body.instructions })
  // History items are named by where they sit in the chain; the request's own by their index.
  history.forEach((it, i) => addItem(messages, it, `previous_response_id.${i}`, refuse, dropped))
  inputItems(body.input).forEach((it, i) => addItem(messages, it, typeof body.input === 'string' ? 'input' : `input.${i}`, refuse, dropped))

  const chat: ChatRequest = { model: String(body.model), messages }
  if (body.stream === true) chat.stream = true
  if (typeof body.max_output_tokens === 'number') chat.max_completion_tokens = body.max_output_tokens
  if (typeof body.temperature === 'number') chat.temperature = body.temperature
  if (typeof body.top_p === 'number') chat.top_p = body.top_p
  if (typeof body.parallel_tool_calls === 'boolean') chat.parallel_tool_calls = body.parallel_tool_calls
  const user = body.user ?? body.safety_identifier
  if (typeof user === 'string' && user) chat.user = user
  const effort = (body.reasoning as { effort?: unknown } | null | undefined)?.effort
  if (typeof effort === 'string') chat.reasoning_effort = effort

  const tools: Json[] = []
  ;((body.tools as Json[] | undefined) ?? []).forEach((t, i) => {
    if (t.type !== 'function') return refuse(`tools.${i}.type`, `the built-in tool '${String(t.type)}' has no equivalent outside OpenAI's Responses API`)
    const fn: Json = { name: t.name, parameters: t.parameters ?? { type: 'object', properties: {} } }
    if (typeof t.description === 'string') fn.description = t.description
    if (typeof t.strict === 'boolean') fn.strict = t.strict
    tools.push({ type: 'function', function: fn })
  })
  if (tools.length > 0) chat.tools = tools
  const choice = body.tool_choice
  if (typeof choice === 'string') chat.tool_choice = choice
  else if (choice && typeof choice === 'object') {
    const c = choice as Json
    if (c.type === 'function' && typeof c.name === 'string') chat.tool_choice = { type: 'function', function: { name: c.name } }
    else refuse('tool_choice', `tool_choice '${String(c.type)}' has no equivalent outside OpenAI's Responses API`)
  }
  const format = (body.text as { format?: Json } | null | undefined)?.format
  if (format?.type === 'json_schema') {
    const schema: Json = { name: format.name ?? 'output', schema: format.schema }
    if (typeof format.strict === 'boolean') schema.strict = format.strict
    if (typeof format.description === 'string') schema.description = format.description
    chat.response_format = { type: 'json_schema', json_schema: schema }
  } else if (format?.type === 'json_object') chat.response_format = { type: 'json_object' }
  return ok({ chat, untranslatable, dropped: [...dropped] })
}

function addItem(messages: Json[], item: Json, at: string, refuse: Refuse, dropped: Set<string>): void {
  const type = item.type ?? (item.role ? 'message' : undefined)
  switch (type) {
    case 'message':
      return addMessage(messages, item, at, refuse)
    case 'function_call': {
      const call = { id: String(item.call_id), type: 'function', function: { name: String(item.name), arguments: String(item.arguments ?? '') } }
      const last = messages.at(-1)
      // Parallel calls are consecutive items; they make one assistant turn (with its text, if any).
      if (last?.role === 'assistant') last.tool_calls = [...((last.tool_calls as Json[] | undefined) ?? []), call]
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] })
      return
    }
    case 'function_call_output':
      messages.push({ role: 'tool', tool_call_id: String(item.call_id), content: outputText(item.output, `${at}.output`, refuse) })
      return
    case 'reasoning':
      dropped.add('reasoning')
      return
    default:
      refuse(`${at}.type`, `the item '${String(type)}' has no equivalent outside OpenAI's Responses API`)
  }
}

function addMessage(messages: Json[], item: Json, at: string, refuse: Refuse): void {
  const role = item.role === 'developer' ? 'system' : String(item.role)
  const content = item.content
  if (typeof content === 'string') {
    messages.push({ role, content })
    return
  }
  const parts: Json[] = []
  ;((content as Json[] | undefined) ?? []).forEach((p, j) => {
    const where = `${at}.content.${j}`
    switch (p.type) {
      case 'input_text':
      case 'output_text':
        parts.push({ type: 'text', text: String(p.text ?? '') })
        break
      case 'refusal':
        parts.push({ type: 'text', text: String(p.refusal ?? '') })
        break
      case 'input_image':
        if (typeof p.image_url === 'string') parts.push({ type: 'image_url', image_url: { url: p.image_url, ...(p.detail ? { detail: p.detail } : {}) } })
        else refuse(`${where}.image_url`, 'only images given by URL or data URL have a chat equivalent')
        break
      case 'input_file':
        if (typeof p.file_data === 'string') parts.push({ type: 'file', file: { file_data: p.file_data, ...(p.filename ? { filename: p.filename } : {}) } })
        else if (typeof p.file_id === 'string') parts.push({ type: 'file', file: { file_id: p.file_id } })
        else refuse(where, 'only inline files (file_data) and file ids have a chat equivalent')
        break
      default:
        refuse(`${where}.type`, `the content part '${String(p.type)}' has no chat equivalent`)
    }
  })
  if (role === 'assistant' || role === 'system') {
    if (parts.some((p) => p.type !== 'text')) refuse(`${at}.content`, `a ${role} message can only hold text in chat`)
    messages.push({ role, content: parts.map((p) => p.text).join('') })
    return
  }
  messages.push({ role, content: parts.length === 1 && parts[0]!.type === 'text' ? parts[0]!.text : parts })
}

function outputText(output: unknown, at: string, refuse: Refuse): string {
  if (typeof output === 'string') return output
  if (!Array.isArray(output)) return JSON.stringify(output ?? '')
  return (output as Json[])
    .map((p, k) => {
      if (p.type === 'input_text' || p.type === 'output_text') return String(p.text ?? '')
      refuse(`${at}.${k}.type`, `a function output's '${String(p.type)}' part has no chat equivalent`)
      return ''
    })
    .join('')
}
