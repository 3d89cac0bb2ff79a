/**
 * What the `mock` provider does when a request offers tools, so a tool loop can be tried locally
 * in any shape: it calls a tool (the one `tool_choice` names, else the first) with arguments made
 * from the tool's JSON schema — each required property (all, when none is marked required): an
 * enum's first value, the last user message for a string, 1 for a number, true for a boolean —
 * and once the conversation ends with that tool's result, it answers quoting the result.
 * Deterministic: the same request always makes the same call.
 */
import { sha256Hex } from '../lib/hash.ts'
import type { ChatRequest } from './types.ts'

type Json = Record<string, unknown>

export interface MockToolCall {
  id: string
  name: string
  arguments: string
}

/** The call the mock makes, or undefined when it should answer in text. */
export function mockToolCall(request: ChatRequest, userText: string): MockToolCall | undefined {
  const tools = ((request.tools as Json[] | undefined) ?? []).filter((t) => t.type === 'function')
  const choice = request.tool_choice as string | { function?: { name?: string } } | undefined
  if (tools.length === 0 || choice === 'none' || request.messages.at(-1)?.role === 'tool') return undefined
  const named = typeof choice === 'object' ? choice.function?.name : undefined
  const tool = tools.find((t) => (t.function as Json | undefined)?.name === named) ?? tools[0]!
  const fn = tool.function as { name: string; parameters?: Json }
  const args = JSON.stringify(argumentsFor(fn.parameters, userText))
  return { id: `call_mock_${sha256Hex(JSON.stringify([request.messages, fn.name])).slice(0, 20)}`, name: fn.name, arguments: args }
}

/** The text answering a tool result: `[mock] get_weather returned: …`. */
export function mockToolResultText(request: ChatRequest): string | undefined {
  const last = request.messages.at(-1)
  if (last?.role !== 'tool') return undefined
  const call = request.messages
    .flatMap((m) => (m.tool_calls as { id?: string; function?: { name?: string } }[] | undefined) ?? [])
    .find((t) => t.id === last.tool_call_id)
  const content = typeof last.content === 'string' ? last.content : JSON.stringify(last.content)
  return `[mock] ${call?.function?.name ?? 'The tool'} returned: ${content}`
}

function argumentsFor(schema: Json | undefined, text: string): Json {
  const properties = (schema?.properties ?? {}) as Record<string, Json>
  const required = Array.isArray(schema?.required) && schema.required.length > 0 ? (schema.required as string[]) : Object.keys(properties)
  const out: Json = {}
  for (const name of required) out[name] = valueFor(properties[name] ?? {}, text)
  return out
}

function valueFor(schema: Json, text: string): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'integer':
    case 'number':
      return 1
    case 'boolean':
      return true
    case 'array':
      return []
    case 'object':
      return argumentsFor(schema, text)
    default:
      return text || 'example'
  }
}
