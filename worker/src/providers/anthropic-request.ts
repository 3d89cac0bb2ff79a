/**
 * OpenAI chat request → Anthropic Messages request (pure). What Anthropic cannot express is a
 * tagged error naming the OpenAI field, so the caller can answer 400 instead of sending a request
 * upstream is sure to reject. Parameters with no Anthropic meaning (seed, penalties, logprobs,
 * temperature and top_p — see below) are left out rather than refused.
 */
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolChoice,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages'
import { err, ok, type Result } from '../lib/result.ts'
import type { ChatRequest } from './types.ts'

/** Anthropic requires `max_tokens`; OpenAI clients usually omit it. */
export const DEFAULT_MAX_TOKENS = 4096

export interface MappingError {
  reason: 'unsupported_by_provider'
  /** The OpenAI request field, e.g. `messages[2].content[0].image_url`. */
  param: string
  message: string
}

type Mapped<T> = Result<T, MappingError>
type Json = Record<string, unknown>
type Turn = { role: 'user' | 'assistant'; content: ContentBlockParam[] }

const IMAGE_DATA_URL = /^data:(image\/(?:jpeg|jpg|png|gif|webp));base64,(.+)$/s
const PDF_DATA_URL = /^data:application\/pdf;base64,(.+)$/s

const invalid = (param: string, message: string): { ok: false; error: MappingError } =>
  err({ reason: 'unsupported_by_provider', param, message })

export function toAnthropicRequest(request: ChatRequest, model: string): Mapped<MessageCreateParamsNonStreaming> {
  const conversation = toConversation(request.messages)
  if (!conversation.ok) return conversation
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_TOKENS
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) return invalid('max_tokens', 'must be a positive integer')
  if (typeof request.n === 'number' && request.n > 1) return invalid('n', 'Anthropic returns one choice per request; n must be 1')

  const params: MessageCreateParamsNonStreaming = { model, max_tokens: maxTokens as number, messages: conversation.value.messages }
  const { system } = conversation.value
  if (system.length > 0) params.system = system.length === 1 ? system[0]!.text : system
  // temperature and top_p are deliberately dropped: the API version the SDK pins (2026-10-21)
  // rejects any sampling parameter, at any value, as "Extra inputs are not permitted".
  const stop = typeof request.stop === 'string' ? [request.stop] : Array.isArray(request.stop) ? request.stop : []
  const stopSequences = stop.filter((s): s is string => typeof s === 'string' && s.length > 0)
  if (stopSequences.length > 0) params.stop_sequences = stopSequences
  if (typeof request.user === 'string' && request.user) params.metadata = { user_id: request.user }

  const tools = toTools(request.tools)
  if (!tools.ok) return tools
  if (tools.value.length > 0) params.tools = tools.value
  const choice = toToolChoice(request.tool_choice, request.parallel_tool_calls, tools.value.length > 0)
  if (!choice.ok) return choice
  if (choice.value) params.tool_choice = choice.value

  const format = (request.response_format ?? {}) as { type?: unknown; json_schema?: { schema?: unknown } }
  if (format.type === 'json_schema' && typeof format.json_schema?.schema === 'object' && format.json_schema.schema !== null)
    params.output_config = { format: { type: 'json_schema', schema: format.json_schema.schema as Json } }
  return ok(params)
}

/** System/developer messages become `system`; the rest become alternating user/assistant turns. */
function toConversation(messages: Json[]): Mapped<{ system: TextBlockParam[]; messages: MessageParam[] }> {
  const system: TextBlockParam[] = []
  const turns: Turn[] = []
  // Anthropic wants strictly alternating roles: consecutive same-role messages (several tool results,
  // a tool result then a user remark) merge into one turn.
  const push = (role: Turn['role'], blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return
    const last = turns.at(-1)
    if (last?.role === role) last.content.push(...blocks)
    else turns.push({ role, content: [...blocks] })
  }
  for (const [i, m] of messages.entries()) {
    const param = `messages[${i}]`
    let blocks: Mapped<ContentBlockParam[]>
    switch (m.role) {
      case 'system':
      case 'developer':
        blocks = textBlocks(m.content, `${param}.content`)
        if (!blocks.ok) return blocks
        system.push(...(blocks.value as TextBlockParam[]))
        continue
      case 'user':
        blocks = userBlocks(m.content, `${param}.content`)
        break
      case 'assistant':
        blocks = assistantBlocks(m, param)
        break
      case 'tool':
        blocks = toolResult(m, param)
        break
      default:
        return invalid(`${param}.role`, `role '${String(m.role)}' is not supported by Anthropic`)
    }
    if (!blocks.ok) return blocks
    push(m.role === 'assistant' ? 'assistant' : 'user', blocks.value)
  }
  return ok({ system, messages: turns.map(finishTurn) })
}

/** Tool results must open a user turn; a lone text block is sent as a plain string. */
function finishTurn(turn: Turn): MessageParam {
  const content =
    turn.role === 'user'
      ? [...turn.content.filter((b) => b.type === 'tool_result'), ...turn.content.filter((b) => b.type !== 'tool_result')]
      : turn.content
  const only = content.length === 1 ? content[0] : undefined
  return { role: turn.role, content: only?.type === 'text' ? only.text : content }
}

function textBlocks(content: unknown, param: string): Mapped<TextBlockParam[]> {
  if (content === null || content === undefined) return ok([])
  if (typeof content === 'string') return ok(content ? [{ type: 'text', text: content }] : [])
  if (!Array.isArray(content)) return invalid(param, 'must be a string or an array of content parts')
  const out: TextBlockParam[] = []
  for (const [j, part] of (content as Json[]).entries()) {
    if (part.type === 'refusal') continue
    if (part.type !== 'text' || typeof part.text !== 'string') return invalid(`${param}[${j}]`, `only text parts are allowed here, got '${String(part.type)}'`)
    if (part.text) out.push({ type: 'text', text: part.text })
  }
  return ok(out)
}

function userBlocks(content: unknown, param: string): Mapped<ContentBlockParam[]> {
  if (!Array.isArray(content)) return textBlocks(content, param)
  const out: ContentBlockParam[] = []
  for (const [j, part] of (content as Json[]).entries()) {
    const where = `${param}[${j}]`
    if (part.type === 'text') {
      if (typeof part.text !== 'string') return invalid(`${where}.text`, 'must be a string')
      if (part.text) out.push({ type: 'text', text: part.text })
    } else if (part.type === 'image_url') {
      const image = imageBlock(part.image_url, `${where}.image_url`)
      if (!image.ok) return image
      out.push(image.value)
    } else if (part.type === 'file') {
      const data = (part.file as { file_data?: unknown } | undefined)?.file_data
      const pdf = typeof data === 'string' ? PDF_DATA_URL.exec(data) : null
      if (!pdf) return invalid(`${where}.file`, 'Anthropic accepts files only as inline PDF data (file_data: data:application/pdf;base64,…)')
      out.push({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf[1]! } })
    } else {
      return invalid(`${where}.type`, `content part '${String(part.type)}' is not supported by Anthropic`)
    }
  }
  return ok(out)
}

function imageBlock(imageUrl: unknown, param: string): Mapped<ContentBlockParam> {
  const url = typeof imageUrl === 'string' ? imageUrl : (imageUrl as { url?: unknown } | undefined)?.url
  if (typeof url !== 'string') return invalid(`${param}.url`, 'must be a string')
  const data = IMAGE_DATA_URL.exec(url)
  if (data) {
    const mediaType = data[1] === 'image/jpg' ? 'image/jpeg' : (data[1] as 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp')
    return ok({ type: 'image', source: { type: 'base64', media_type: mediaType, data: data[2]! } })
  }
  if (/^https?:\/\//i.test(url)) return ok({ type: 'image', source: { type: 'url', url } })
  return invalid(`${param}.url`, 'must be an http(s) URL or a base64 data URL of a jpeg, png, gif or webp image')
}

function assistantBlocks(m: Json, param: string): Mapped<ContentBlockParam[]> {
  const text = textBlocks(m.content, `${param}.content`)
  if (!text.ok) return text
  const out: ContentBlockParam[] = [...text.value]
  const calls = Array.isArray(m.tool_calls) ? (m.tool_calls as Json[]) : []
  for (const [j, call] of calls.entries()) {
    const fn = (call.function ?? {}) as { name?: unknown; arguments?: unknown }
    const where = `${param}.tool_calls[${j}]`
    if (typeof call.id !== 'string' || typeof fn.name !== 'string') return invalid(where, 'needs an id and a function name')
    const input = parseArguments(fn.arguments)
    if (!input) return invalid(`${where}.function.arguments`, 'must be a JSON object')
    out.push({ type: 'tool_use', id: call.id, name: fn.name, input })
  }
  return ok(out)
}

function parseArguments(raw: unknown): Json | undefined {
  if (raw === undefined || raw === null || raw === '') return {}
  if (typeof raw !== 'string') return undefined
  try {
    const value: unknown = JSON.parse(raw)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined
  } catch {
    return undefined
  }
}

function toolResult(m: Json, param: string): Mapped<ContentBlockParam[]> {
  if (typeof m.tool_call_id !== 'string') return invalid(`${param}.tool_call_id`, 'is required on tool messages')
  const text = textBlocks(m.content, `${param}.content`)
  if (!text.ok) return text
  const block: ToolResultBlockParam = { type: 'tool_result', tool_use_id: m.tool_call_id }
  if (text.value.length === 1) block.content = text.value[0]!.text
  else if (text.value.length > 1) block.content = text.value
  return ok([block])
}

function toTools(tools: unknown): Mapped<Tool[]> {
  if (tools === undefined || tools === null) return ok([])
  if (!Array.isArray(tools)) return invalid('tools', 'must be an array')
  const out: Tool[] = []
  for (const [i, tool] of (tools as Json[]).entries()) {
    const fn = tool.function as { name?: unknown; description?: unknown; parameters?: unknown; strict?: unknown } | undefined
    if (tool.type !== 'function' || typeof fn?.name !== 'string') return invalid(`tools[${i}]`, 'only function tools are supported by Anthropic')
    const mapped: Tool = {
      name: fn.name,
      input_schema: (fn.parameters as Tool.InputSchema | undefined) ?? { type: 'object', properties: {} },
    }
    if (typeof fn.description === 'string') mapped.description = fn.description
    if (typeof fn.strict === 'boolean') mapped.strict = fn.strict
    out.push(mapped)
  }
  return ok(out)
}

function toToolChoice(choice: unknown, parallel: unknown, hasTools: boolean): Mapped<ToolChoice | undefined> {
  // OpenAI's parallel_tool_calls: false is Anthropic's disable_parallel_tool_use on the choice.
  const single = parallel === false && hasTools ? { disable_parallel_tool_use: true } : {}
  if (choice === undefined || choice === null) return ok(parallel === false && hasTools ? { type: 'auto', ...single } : undefined)
  if (choice === 'none') return ok({ type: 'none' })
  if (choice === 'auto') return ok({ type: 'auto', ...single })
  if (choice === 'required') return ok({ type: 'any', ...single })
  const name = (choice as { type?: unknown; function?: { name?: unknown } }).function?.name
  if (typeof choice === 'object' && typeof name === 'string') return ok({ type: 'tool', name, ...single })
  return invalid('tool_choice', "must be 'none', 'auto', 'required' or {type: 'function', function: {name}}")
}
