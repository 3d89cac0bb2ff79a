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
  /** Whether the pending text ends in "\n" (kept apart: asking a long pending string would flatten it). */
  private endsWithNewline = false
  /** The last chunk's bytes ended in a blank line with nothing held back: the next one starts an event. */
  private atBoundary = true
  private lastExact = false

  /**
   * Whether the last chunk's bytes are exactly its events, each followed by "\n\n" (no CR, nothing
   * carried in or left over, no blank event dropped): a relay may then pass those bytes on as they came.
   */
  get exact(): boolean {
    return this.lastExact
  }

  /**
   * The complete, non-blank events this chunk finished. Linear overall: only the new text is
   * normalised and searched — the pending text holds no separator, so one can only be in the new
   * text or straddle the two — and a long pending event is never rescanned (nor flattened) per chunk.
   */
  push(chunk: Uint8Array): string[] {
    const startedAtBoundary = this.atBoundary && !this.pendingCr && this.buffer === ''
    let text = this.decoder.decode(chunk, { stream: true })
    if (this.pendingCr) text = `\r${text}`
    this.pendingCr = text.endsWith('\r')
    if (this.pendingCr) text = text.slice(0, -1)
    const hasCr = text.includes('\r')
    if (hasCr) text = text.replace(/\r\n/g, '\n')
    const events: string[] = []
    let start = 0
    if (this.endsWithNewline && text.startsWith('\n')) {
      this.emit(this.buffer.slice(0, -1), events)
      start = 1
    }
    let end: number
    while ((end = text.indexOf('\n\n', start)) >= 0) {
      this.emit(this.buffer + text.slice(start, end), events)
      start = end + 2
    }
    const rest = start === 0 ? text : text.slice(start)
    if (rest) {
      this.buffer += rest
      this.endsWithNewline = rest.endsWith('\n')
    }
    const n = chunk.length
    this.atBoundary = !rest && !this.pendingCr && n >= 2 && chunk[n - 1] === 10 && chunk[n - 2] === 10
    // Separators sit right after each event, so the events (plus 2 each) add up to the text only when
    // none was blank and nothing else is in it.
    this.lastExact = startedAtBoundary && this.atBoundary && !hasCr && joinedLength(events) === text.length
    return events
  }

  private emit(event: string, events: string[]): void {
    this.buffer = ''
    this.endsWithNewline = false
    if (event.trim()) events.push(event)
  }

  /** Whatever the stream ended with, trimmed ('' when nothing). */
  end(): string {
    this.buffer += this.decoder.decode() + (this.pendingCr ? '\r' : '')
    this.pendingCr = false
    return this.buffer.replace(/\r\n/g, '\n').trim()
  }
}

function joinedLength(events: string[]): number {
  let length = 0
  for (const event of events) length += event.length + 2
  return length
}

/** The `data` of one event's text (lines joined with "\n"); undefined if it has none. */
export function sseDataOf(raw: string): string | undefined {
  // The common case, one `data:` line, without splitting.
  if (!raw.includes('\n')) return raw.startsWith('data:') ? raw.slice(raw.charAt(5) === ' ' ? 6 : 5) : undefined
  let data: string | undefined
  for (const line of raw.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue
    const value = line.slice(line.charAt(5) === ' ' ? 6 : 5)
    data = data === undefined ? value : `${data}\n${value}`
  }
  return data
}
