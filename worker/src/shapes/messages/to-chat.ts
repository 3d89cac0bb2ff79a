/**
 * Anthropic Messages request → OpenAI chat request (pure): the chat view the stages reason about,
 * and what a provider speaking chat is sent. `system` becomes the first message, `tool_use` blocks
 * become `tool_calls`, each `tool_result` its own `tool` message (before the user's text, as chat
 * wants), images and PDFs become image_url / file parts.
 *
 * What has no chat equivalent (server tools, `top_k`, URL documents, images in tool results…) is
 * listed as untranslatable, naming the field: a chat provider refuses such a request with a 400
 * rather than answering a different question. Hints that only tune Anthropic (`cache_control`,
 * `thinking`, earlier `thinking` blocks) are dropped, and said so.
 */
import { ok, type Result } from '../../lib/result.ts'
import type { ChatRequest } from '../../providers/types.ts'
import type { ChatView, Untranslatable } from '../types.ts'

type Json = Record<string, unknown>

/** Top-level fields the view maps (the rest are untranslatable unless dropped). */
const MAPPED = new Set(['model', 'messages', 'system', 'max_tokens', 'stream', 'stop_sequences', 'temperature', 'top_p', 'tools', 'tool_choice', 'metadata', 'output_config'])
/** Anthropic-only tuning: without it the question is the same. */
const DROPPABLE = new Set(['thinking', 'cache_control', 'service_tier', 'inference_geo', 'diagnostics', 'speed'])

export function messagesToChat(body: Json): Result<ChatView, Untranslatable> {
  const untranslatable: Untranslatable[] = []
  const dropped = new Set<string>()
  const refuse = (param: string, message: string) => untranslatable.push({ param, message })

  for (const key of Object.keys(body)) {
    if (DROPPABLE.has(key)) dropped.add(key)
    else if (!MAPPED.has(key)) refuse(key, 'has no equivalent outside Anthropic')
  }

  const messages: Json[] = []
  const system = systemText(body.system, dropped)
  if (system) messages.push({ role: 'system', content: system })
  for (const [i, m] of (body.messages as Json[]).entries()) messages.push(...turn(m, `messages.${i}`, refuse, dropped))

  const chat: ChatRequest = { model: String(body.model), messages }
  if (typeof body.max_tokens === 'number') chat.max_completion_tokens = body.max_tokens
  if (body.stream === true) chat.stream = true
  if (typeof body.temperature === 'number') chat.temperature = body.temperature
  if (typeof body.top_p === 'number') chat.top_p = body.top_p
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) {
    if (body.stop_sequences.length > 4) refuse('stop_sequences', 'a provider speaking chat takes at most 4 stop sequences')
    else chat.stop = body.stop_sequences
  }
  const user = (body.metadata as { user_id?: unknown } | undefined)?.user_id
  if (typeof user === 'string' && user) chat.user = user

  const tools = toolsOf(body.tools, refuse, dropped)
  if (tools.length > 0) chat.tools = tools
  const choice = body.tool_choice as { type?: string; name?: string; disable_parallel_tool_use?: boolean } | undefined
  if (choice) {
    if (choice.type === 'auto') chat.tool_choice = 'auto'
    else if (choice.type === 'any') chat.tool_choice = 'required'
    else if (choice.type === 'none') chat.tool_choice = 'none'
    else if (choice.type === 'tool') chat.tool_choice = { type: 'function', function: { name: String(choice.name) } }
    if (choice.disable_parallel_tool_use === true && tools.length > 0) chat.parallel_tool_calls = false
  }
  const format = (body.output_config as { format?: { type?: unknown; schema?: unknown } } | undefined)?.format
  if (format?.type === 'json_schema' && typeof format.schema === 'object')
    chat.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema } }
  else if (body.output_config !== undefined) refuse('output_config', 'only output_config.format (json_schema) has a chat equivalent')
  return ok({ chat, untranslatable, dropped: [...dropped] })
}

function systemText(system: unknown, dropped: Set<string>): string {
  if (typeof system === 'string') return system
  if (!Array.isArray(system)) return ''
  return (system as Json[])
    .map((b) => {
      if (b.cache_control !== undefined) dropped.add('cache_control')
      return typeof b.text === 'string' ? b.text : ''
    })
    .join('\n')
}

type Refuse = (param: string, message: string) => void

/** One Anthropic turn → chat messages: a user turn's tool results go first, each its own `tool` message. */
function turn(m: Json, where: string, refuse: Refuse, dropped: Set<string>): Json[] {
  const blocks: Json[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (m.content as Json[])
  const parts: Json[] = []
  const toolCalls: Json[] = []
  const toolResults: Json[] = []
  for (const [j, b] of blocks.entries()) {
    const at = `${where}.content.${j}`
    if (b.cache_control !== undefined) dropped.add('cache_control')
    switch (b.type) {
      case 'text':
        parts.push({ type: 'text', text: String(b.text ?? '') })
        break
      case 'image': {
        const url = imageUrl(b.source)
        if (url) parts.push({ type: 'image_url', image_url: { url } })
        else refuse(`${at}.source`, 'only base64 and URL images have a chat equivalent')
        break
      }
      case 'document': {
        const source = b.source as { type?: string; media_type?: string; data?: string } | undefined
        if (source?.type === 'base64' && source.media_type === 'application/pdf')
          parts.push({ type: 'file', file: { filename: typeof b.title === 'string' ? b.title : 'document.pdf', file_data: `data:application/pdf;base64,${source.data}` } })
        else if (source?.type === 'text' && typeof source.data === 'string') parts.push({ type: 'text', text: source.data })
        else refuse(`${at}.source`, 'only base64 PDF and plain-text documents have a chat equivalent')
        break
      }
      case 'tool_use':
        toolCalls.push({ id: String(b.id), type: 'function', function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) } })
        break
      case 'tool_result':
        toolResults.push({ role: 'tool', tool_call_id: String(b.tool_use_id), content: toolResultText(b, at, refuse) })
        break
      case 'thinking':
      case 'redacted_thinking':
        // The model's earlier reasoning: only Anthropic can read it back.
        dropped.add('thinking')
        break
      default:
        refuse(`${at}.type`, `content block '${String(b.type)}' has no equivalent outside Anthropic`)
    }
  }
  if (m.role === 'assistant') {
    const text = parts.filter((p) => p.type === 'text').map((p) => p.text as string).join('')
    if (parts.some((p) => p.type !== 'text')) refuse(`${where}.content`, 'an assistant turn can only hold text and tool_use outside Anthropic')
    const out: Json = { role: 'assistant', content: text || (toolCalls.length > 0 ? null : '') }
    if (toolCalls.length > 0) out.tool_calls = toolCalls
    return [out]
  }
  if (toolCalls.length > 0) refuse(`${where}.content`, 'tool_use blocks belong to assistant turns')
  const out = [...toolResults]
  if (parts.length > 0) out.push({ role: 'user', content: parts.length === 1 && parts[0]!.type === 'text' ? parts[0]!.text : parts })
  return out
}

function imageUrl(source: unknown): string | undefined {
  const s = source as { type?: string; media_type?: string; data?: string; url?: string } | undefined
  if (s?.type === 'base64' && s.media_type && s.data) return `data:${s.media_type};base64,${s.data}`
  if (s?.type === 'url' && s.url) return s.url
  return undefined
}

/** A tool result's text; an error result says so, since chat has no flag for it. */
function toolResultText(b: Json, at: string, refuse: Refuse): string {
  let text = ''
  if (typeof b.content === 'string') text = b.content
  else if (Array.isArray(b.content))
    for (const [k, part] of (b.content as Json[]).entries()) {
      if (part.type === 'text') text += (text ? '\n' : '') + String(part.text ?? '')
      else refuse(`${at}.content.${k}.type`, `a tool result's '${String(part.type)}' block has no equivalent outside Anthropic`)
    }
  return b.is_error === true ? `Error: ${text}` : text
}

function toolsOf(tools: unknown, refuse: Refuse, dropped: Set<string>): Json[] {
  if (!Array.isArray(tools)) return []
  const out: Json[] = []
  for (const [i, t] of (tools as Json[]).entries()) {
    if (t.cache_control !== undefined) dropped.add('cache_control')
    if (t.type !== undefined && t.type !== 'custom') {
      refuse(`tools.${i}.type`, `Anthropic's server tool '${String(t.type)}' has no equivalent outside Anthropic`)
      continue
    }
    const fn: Json = { name: t.name, parameters: t.input_schema ?? { type: 'object', properties: {} } }
    if (typeof t.description === 'string') fn.description = t.description
    if (typeof t.strict === 'boolean') fn.strict = t.strict
    out.push({ type: 'function', function: fn })
  }
  return out
}
