/**
 * A stream whose first chunks were read ahead (to check what it is) and are put back in front.
 * Read as a plain stream it replays them; a relay that knows about it takes over the underlying
 * reader instead (`sourceOf`), so a streamed answer crosses one JS layer per chunk, not two.
 */

/** What a peeked stream is made of, until something reads it. */
export interface Peeked {
  chunks: Uint8Array[]
  reader: ChunkReader
  done: boolean
}

/** The two calls a relay makes on a reader. */
export interface ChunkReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>
  cancel(reason?: unknown): Promise<void>
}

// Keyed weakly by the stream: an entry goes with its stream (nothing to bound by hand).
const peeked = new WeakMap<ReadableStream<Uint8Array>, Peeked>()

/** The chunks already read, then the rest of `reader`. */
export function peekedStream(chunks: Uint8Array[], reader: ChunkReader, done: boolean): ReadableStream<Uint8Array> {
  const parts: Peeked = { chunks, reader, done }
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        peeked.delete(stream)
        if (parts.chunks.length > 0) {
          for (const chunk of parts.chunks) controller.enqueue(chunk)
          parts.chunks = []
          if (parts.done) controller.close()
          return
        }
        try {
          const next = await reader.read()
          if (next.done) controller.close()
          else controller.enqueue(next.value)
        } catch (e) {
          controller.error(e)
        }
      },
      cancel(reason) {
        peeked.delete(stream)
        return reader.cancel(reason)
      },
    },
    // Nothing is pulled until someone reads: a relay that takes the reader over finds every chunk still here.
    { highWaterMark: 0 },
  )
  peeked.set(stream, parts)
  return stream
}

/**
 * What to read `stream` from: a peeked stream's own chunks, then its reader, when nothing has read
 * it yet; any other stream's own reader. The stream is locked either way.
 */
export function sourceOf(stream: ReadableStream<Uint8Array>): Peeked {
  const parts = peeked.get(stream)
  if (!parts) return { chunks: [], reader: stream.getReader(), done: false }
  peeked.delete(stream)
  stream.getReader() // locked: nothing else can read it now
  return parts
}
