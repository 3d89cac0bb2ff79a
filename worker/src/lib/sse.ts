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
  const splitter = new SseSplitter()
  for await (const chunk of body) {
    for (const event of splitter.push(chunk)) {
      const data = sseDataOf(event)
      if (data !== undefined) yield data
    }
  }
  const data = sseDataOf(splitter.end())
  if (data !== undefined) yield data
}

/**
 * Cuts decoded bytes into complete events (CRLF line ends normalised to LF) as they arrive; what
 * is left over waits for the next chunk. Shared by `sseData` and the gateway's stream relay.
 */
export class SseSplitter {
  private readonly decoder = new TextDecoder()
  private buffer = ''
  /** A chunk ended in "\r": it waits for the next chunk, which may start with its "\n". */
  private pendingCr = false

  /**
   * The complete, non-blank events this chunk finished. Linear overall: only the new text is
   * normalised and searched (a huge event arriving in small chunks is not rescanned each time).
   */
  push(chunk: Uint8Array): string[] {
    let text = this.decoder.decode(chunk, { stream: true })
    if (this.pendingCr) text = `\r${text}`
    this.pendingCr = text.endsWith('\r')
    if (this.pendingCr) text = text.slice(0, -1)
    if (text.includes('\r')) text = text.replace(/\r\n/g, '\n')
    // A separator may straddle the old buffer's last character and the new text.
    let from = Math.max(0, this.buffer.length - 1)
    this.buffer += text
    const events: string[] = []
    let start = 0
    let end: number
    while ((end = this.buffer.indexOf('\n\n', from)) >= 0) {
      const event = this.buffer.slice(start, end)
      if (event.trim()) events.push(event)
      start = from = end + 2
    }
    if (start > 0) this.buffer = this.buffer.slice(start)
    return events
  }

  /** Whatever the stream ended with, trimmed ('' when nothing). */
  end(): string {
    this.buffer += this.decoder.decode() + (this.pendingCr ? '\r' : '')
    this.pendingCr = false
    return this.buffer.replace(/\r\n/g, '\n').trim()
  }
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
