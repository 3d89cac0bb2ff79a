/**
 * Token estimates before the provider has said anything: what a request's prompt will count, how
 * much output it may ask for, and what a streamed chunk carried. No tokenizer on the hot path (they
 * are per model and heavy): UTF-8 bytes ÷ 3 for prompts — an overestimate for English (≈ 4 bytes a
 * token), about right for code and CJK — so a reservation errs high, and the provider's reported
 * usage corrects it at settlement.
 */

/** Each chat message costs a few tokens of framing (role, separators), as OpenAI's own counting says. */
const PER_MESSAGE = 4
/** An image part, whatever its size: OpenAI's high-detail 1024² tile count is 765, 2048² is 1105. */
const PER_IMAGE = 1_105

/** Estimated prompt tokens of a validated chat or embeddings request body. */
export function promptTokens(body: Record<string, unknown>, endpoint: 'chat' | 'embeddings'): number {
  if (endpoint === 'embeddings') {
    const input = body.input
    const items = Array.isArray(input) ? input : [input]
    let bytes = 0
    for (const item of items) bytes += typeof item === 'string' ? utf8Bytes(item) : Array.isArray(item) ? item.length * 3 : 0
    return Math.ceil(bytes / 3)
  }
  let bytes = 0
  let extra = 0
  for (const message of (body.messages as Record<string, unknown>[] | undefined) ?? []) {
    extra += PER_MESSAGE
    const content = message.content
    if (typeof content === 'string') bytes += utf8Bytes(content)
    else if (Array.isArray(content))
      for (const part of content as Record<string, unknown>[]) {
        if (typeof part.text === 'string') bytes += utf8Bytes(part.text)
        else if (part.type === 'image_url' || part.type === 'input_image') extra += PER_IMAGE
        else bytes += utf8Bytes(JSON.stringify(part))
      }
    if (message.tool_calls !== undefined) bytes += utf8Bytes(JSON.stringify(message.tool_calls))
  }
  if (body.tools !== undefined) bytes += utf8Bytes(JSON.stringify(body.tools))
  if (body.response_format !== undefined) bytes += utf8Bytes(JSON.stringify(body.response_format))
  return Math.ceil(bytes / 3) + extra
}

/** The most output a chat request may produce: `max_completion_tokens` / `max_tokens` × `n`, or the policy's assumption. */
export function maxOutputTokens(body: Record<string, unknown>, endpoint: 'chat' | 'embeddings', assumed: number): number {
  if (endpoint === 'embeddings') return 0
  const asked = positive(body.max_completion_tokens) ?? positive(body.max_tokens) ?? assumed
  return asked * (positive(body.n) ?? 1)
}

/**
 * Output tokens one streamed chunk carried: text, refusal and tool-call deltas, ≈ 4 bytes a token
 * and at least one per non-empty delta (providers stream about a token per chunk).
 */
export function chunkTokens(chunk: { choices?: readonly { delta?: object | null }[] }): number {
  let tokens = 0
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta as Record<string, unknown> | null | undefined
    if (!delta) continue
    let bytes = 0
    if (typeof delta.content === 'string') bytes += utf8Bytes(delta.content)
    if (typeof delta.refusal === 'string') bytes += utf8Bytes(delta.refusal)
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) bytes += utf8Bytes(JSON.stringify(call))
    if (bytes > 0) tokens += Math.max(1, Math.ceil(bytes / 4))
  }
  return tokens
}

/** UTF-8 length without encoding (no allocation on the hot path). */
export function utf8Bytes(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

const positive = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined)
