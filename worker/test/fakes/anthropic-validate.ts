/**
 * What the real Messages API rejects with a 400, in its own words, so the fake refuses what
 * Anthropic would refuse: a mapping bug in the adapter fails a test instead of passing silently.
 * Returns the error message, or undefined when the request is acceptable.
 */
const TOP_LEVEL = new Set([
  'model', 'messages', 'max_tokens', 'system', 'stop_sequences', 'stream', 'tools', 'tool_choice', 'metadata', 'thinking',
  'service_tier', 'container', 'mcp_servers', 'output_config', 'inference_geo', 'cache_control', 'speed', 'diagnostics',
  'context_management',
])
/** API version 2026-10-21 (what the 1.x SDKs send) dropped the sampling parameters; older versions accept them. */
const SAMPLING = new Set(['temperature', 'top_p', 'top_k'])
const SAMPLING_REMOVED_IN = '2026-10-21'
const BLOCK_TYPES = new Set(['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking'])
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])

type Json = Record<string, unknown>

export function validateMessagesRequest(body: unknown, apiVersion: string): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body: Input should be an object'
  const b = body as Json
  const sampling = apiVersion < SAMPLING_REMOVED_IN
  for (const key of Object.keys(b))
    if (!TOP_LEVEL.has(key) && !(sampling && SAMPLING.has(key))) return `${key}: Extra inputs are not permitted`
  if (typeof b.model !== 'string') return 'model: Field required'
  if (!Number.isInteger(b.max_tokens) || (b.max_tokens as number) < 1) return 'max_tokens: Field required'
  if (b.temperature !== undefined && (typeof b.temperature !== 'number' || b.temperature < 0 || b.temperature > 1))
    return 'temperature: Input should be less than or equal to 1'
  if (b.stop_sequences !== undefined && (!Array.isArray(b.stop_sequences) || b.stop_sequences.some((s) => typeof s !== 'string')))
    return 'stop_sequences: Input should be a valid list of strings'
  if (b.metadata !== undefined && Object.keys(b.metadata as Json).some((k) => k !== 'user_id')) return 'metadata: Extra inputs are not permitted'
  const system = systemError(b.system)
  if (system) return system
  const tools = toolsError(b.tools, b.tool_choice)
  if (tools) return tools
  if (!Array.isArray(b.messages) || b.messages.length === 0) return 'messages: at least one message is required'
  return messagesError(b.messages as Json[])
}

function systemError(system: unknown): string | undefined {
  if (system === undefined || typeof system === 'string') return undefined
  if (!Array.isArray(system)) return 'system: Input should be a valid string or list'
  const i = system.findIndex((b: Json) => b.type !== 'text' || typeof b.text !== 'string' || b.text === '')
  return i >= 0 ? `system.${i}: text content blocks must be non-empty` : undefined
}

function toolsError(tools: unknown, choice: unknown): string | undefined {
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return 'tools: Input should be a valid list'
    for (const [i, t] of (tools as Json[]).entries()) {
      if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.name)) return `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`
      if ((t.input_schema as Json | undefined)?.type !== 'object') return `tools.${i}.input_schema.type: Input should be 'object'`
      for (const key of Object.keys(t))
        if (!['name', 'description', 'input_schema', 'cache_control', 'strict', 'type'].includes(key)) return `tools.${i}.${key}: Extra inputs are not permitted`
    }
  }
  if (choice === undefined) return undefined
  const c = choice as Json
  if (!['auto', 'any', 'tool', 'none'].includes(String(c.type))) return "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'"
  if (c.type === 'tool' && typeof c.name !== 'string') return 'tool_choice.tool.name: Field required'
  return undefined
}

function messagesError(messages: Json[]): string | undefined {
  let pendingToolUses: string[] = []
  for (const [i, m] of messages.entries()) {
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content
    if (!Array.isArray(blocks)) return `messages.${i}.content: Input should be a valid string or list`
    const results: string[] = []
    const uses: string[] = []
    for (const [j, block] of (blocks as Json[]).entries()) {
      const problem = blockError(block, m.role)
      if (problem) return `messages.${i}.content.${j}${problem}`
      if (block.type === 'tool_result') {
        if (results.length < j) return `messages.${i}.content.${j}: tool_result blocks must come before any other content`
        results.push(String(block.tool_use_id))
      }
      if (block.type === 'tool_use') uses.push(String(block.id))
    }
    const unexpected = results.filter((id) => !pendingToolUses.includes(id))
    if (unexpected.length > 0)
      return `messages.${i}.content.0: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${unexpected.join(', ')}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`
    const unanswered = pendingToolUses.filter((id) => !results.includes(id))
    if (unanswered.length > 0)
      return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`
    pendingToolUses = uses
  }
  return undefined
}

function blockError(block: Json, role: unknown): string | undefined {
  if (!BLOCK_TYPES.has(String(block.type))) return `.type: Input tag '${String(block.type)}' found using 'type' does not match any of the expected tags`
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' && block.text !== '' ? undefined : ': text content blocks must be non-empty'
    case 'image': {
      const source = (block.source ?? {}) as Json
      if (source.type === 'url') return typeof source.url === 'string' ? undefined : '.source.url: Field required'
      if (source.type !== 'base64') return ".source.type: Input should be 'base64' or 'url'"
      if (!IMAGE_TYPES.has(String(source.media_type))) return ".source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"
      return typeof source.data === 'string' && source.data !== '' ? undefined : '.source.data: Field required'
    }
    case 'tool_use':
      if (role !== 'assistant') return ': tool_use blocks are only allowed in assistant messages'
      return typeof block.input === 'object' && block.input !== null && !Array.isArray(block.input) ? undefined : '.input: Input should be a valid dictionary'
    case 'tool_result':
      if (role !== 'user') return ': tool_result blocks are only allowed in user messages'
      return typeof block.tool_use_id === 'string' ? undefined : '.tool_use_id: Field required'
    default:
      return undefined
  }
}
