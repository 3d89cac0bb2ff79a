/**
 * Server-sent events, just enough for OpenAI-style streams: encode one `data:` event, and split a
 * byte stream into events without ever holding back a complete one.
 */
const encoder = new TextEncoder()

export const SSE_DONE = encoder.encode('data: [DONE]\n\n')

export function encodeSseData(payload: unknown): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(payload)}\n\n`)
}

/**
 * Yields the `data` of each event in a stream (multi-line data joined with "\n"; comments and
 * other fields ignored). Handles `\n\n` and `\r\n\r\n` separators and events split across chunks.
 */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true })
    let end: number
    while ((end = eventEnd(buffer)) >= 0) {
      const raw = buffer.slice(0, end)
      buffer = buffer.slice(end).replace(/^(\r?\n)+/, '')
      const data = sseDataOf(raw)
      if (data !== undefined) yield data
    }
  }
  buffer += decoder.decode()
  const data = sseDataOf(buffer)
  if (data !== undefined) yield data
}

function eventEnd(buffer: string): number {
  const lf = buffer.indexOf('\n\n')
  const crlf = buffer.indexOf('\r\n\r\n')
  if (lf < 0) return crlf
  if (crlf < 0) return lf
  return Math.min(lf, crlf)
}

/** The `data` of one event's text (lines joined with "\n"); undefined if it has none. */
export function sseDataOf(raw: string): string | undefined {
  let data: string | undefined
  for (const line of raw.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue
    const value = line.slice(line.charAt(5) === ' ' ? 6 : 5)
    data = data === undefined ? value : `${data}\n${value}`
  }
  return data
}
