/**
 * Passthrough streaming: each complete SSE event goes to the client the moment it arrives (headers
 * went out before the first one), and only then is it parsed to assemble the full answer for the
 * cache and for usage. The one edit: the usage-only chunk the gateway asked upstream for is
 * dropped when the client did not ask for it itself.
 *
 * A meter (the limit stage's) is told each chunk's estimated output tokens; when it says the
 * budget is spent, the client gets a final OpenAI error event and the end of the stream, and the
 * upstream body is cancelled — never a silent truncation, and never cached.
 */
import type { ChatCompletion } from 'openai/resources/chat/completions'
import { sourceOf } from '../lib/peeked-stream.ts'
import { SseSplitter } from '../lib/sse.ts'
import { chatCodec, type StreamCodec, type StreamError } from './codec.ts'

/** Counts a stream's output; `add` answering false ends the stream with `error`. */
export interface StreamMeter {
  add(tokens: number): boolean
  readonly error: StreamError
}

export interface Relayed<A = ChatCompletion> {
  body: ReadableStream<Uint8Array>
  /** Resolves when the stream ends: the full answer, or undefined if it was cut short. */
  answer: Promise<A | undefined>
}

export interface RelayOptions {
  onFirstByte?: () => void
  /** Longest silence allowed between two upstream chunks; past it the stream ends with an error event. */
  idleTimeoutMs?: number
  meter?: StreamMeter
}

const encoder = new TextEncoder()

/** An OpenAI chat stream. */
export function relayStream(upstream: ReadableStream<Uint8Array>, options: RelayOptions & { clientWantsUsage: boolean }): Relayed {
  return relayEvents(upstream, chatCodec(options.clientWantsUsage), options)
}

/** Any shape's stream, read through its codec (stream/codec.ts). */
export function relayEvents<A>(upstream: ReadableStream<Uint8Array>, codec: StreamCodec<A>, options: RelayOptions): Relayed<A> {
  const splitter = new SseSplitter()
  let first = true
  let settle: (answer: A | undefined) => void = () => {}
  const answer = new Promise<A | undefined>((resolve) => (settle = resolve))

  // The client's body: a stream the relay writes to, with room for a few chunks before the relay
  // waits for the client (backpressure without a wait per chunk). workerd's IdentityTransformStream
  // was measured no faster here (README "Performance") and does not tell the relay when the client
  // cancels, so a plain TransformStream, which Node (the in-process bench) has too.
  const pipe = new TransformStream<Uint8Array, Uint8Array>(undefined, { highWaterMark: 8 })
  const writer = pipe.writable.getWriter()
  const source = sourceOf(upstream)
  const reader = source.reader

  let ended = false
  /** Forwarded events of the current chunk, joined: one encode and one write per upstream chunk. */
  let out = ''
  /** Whether every event of the current chunk so far goes to the client unchanged. */
  let allForwarded = true
  const handleEvent = (event: string) => {
    if (ended) return
    const reading = codec.read(event)
    if (!reading.forward) allForwarded = false
    if (reading.forward) {
      out += `${event}\n\n`
      if (first) {
        first = false
        send() // the first event goes out at once, whatever follows it in the chunk
        options.onFirstByte?.()
      }
    }
    // Settle at the end event: clients (the openai SDK among them) stop reading there and cancel
    // the body before the upstream closes it, and that cancel must not make a complete answer a cut one.
    if (reading.end) return settle(reading.end === 'complete' ? codec.result() : undefined)
    if (reading.tokens !== undefined && options.meter && !options.meter.add(reading.tokens)) end(options.meter.error)
  }
  /** Writes what is pending; a write the client can no longer take is handled by `gone` below. */
  const send = (): void => {
    if (!out) return
    const bytes = encoder.encode(out)
    out = ''
    writer.write(bytes).catch(gone)
  }
  /** Closes the client's body after a final write (an early end's error event, or nothing). */
  const finish = (last?: Uint8Array) => {
    send()
    if (last) writer.write(last).catch(gone)
    writer.close().catch(gone)
  }
  /** The client went away (its body cancelled): the answer is incomplete, the upstream is cancelled. */
  const gone = () => {
    if (ended) return
    ended = true
    clearTimeout(idle)
    settle(undefined)
    reader.cancel().catch(() => undefined)
  }
  writer.closed.catch(gone)

  /** Ends the stream early with an error event: the answer is incomplete, the upstream is cancelled. */
  const end = (error: StreamError) => {
    if (ended) return
    ended = true
    clearTimeout(idle)
    settle(undefined)
    finish(codec.errorEvent(error))
    reader.cancel().catch(() => undefined)
  }

  // A stalled upstream must not hold the client forever: past `idleTimeoutMs` without a chunk, the
  // client gets an error event, the stream ends and the upstream is cancelled. One timer per stream,
  // re-armed only when it fires (for the time left since the last chunk), not cleared and set per chunk.
  let idle: ReturnType<typeof setTimeout> | undefined
  let lastChunkAt = Date.now()
  const watch = (delay: number) => {
    if (!options.idleTimeoutMs) return
    idle = setTimeout(() => {
      if (ended) return
      const left = lastChunkAt + (options.idleTimeoutMs ?? 0) - Date.now()
      if (left > 0) return watch(left)
      end({ message: 'The upstream stopped sending.', type: 'upstream_error', param: null, code: 'upstream_timeout' })
    }, delay)
  }
  watch(options.idleTimeoutMs ?? 0)

  // Reads the upstream and passes complete events on, waiting for the client between chunks
  // (backpressure). A connection that breaks mid-stream (reset, upstream crash) would otherwise error
  // the client's body and SDKs would raise a bare network error: it ends with the shape's own error
  // event instead (an incomplete answer: never cached).
  void (async () => {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>
      try {
        const peeked = source.chunks.shift()
        chunk = peeked ? { done: false, value: peeked } : source.done ? { done: true, value: undefined } : await reader.read()
      } catch {
        // Whatever partial event the break left is dropped; the client gets the shape's error event.
        if (ended) return
        ended = true
        clearTimeout(idle)
        settle(undefined)
        out = ''
        finish(codec.errorEvent({ message: 'The upstream connection broke mid-stream.', type: 'upstream_error', param: null, code: 'upstream_error' }))
        return
      }
      if (ended) return
      if (chunk.done) {
        clearTimeout(idle)
        const rest = splitter.end()
        if (rest) handleEvent(rest)
        if (ended) return
        ended = true
        settle(codec.result())
        finish()
        return
      }
      lastChunkAt = Date.now()
      allForwarded = true
      const sentBefore = !first
      for (const event of splitter.push(chunk.value)) handleEvent(event)
      if (ended) return
      // The common case: the chunk is whole events, all forwarded as they came. Its own bytes go out
      // (no encode of what was just decoded), unless the first event already went out on its own.
      if (allForwarded && splitter.exact && sentBefore && out) {
        out = ''
        writer.write(chunk.value).catch(gone)
      } else send()
      if ((writer.desiredSize ?? 1) <= 0) await writer.ready.catch(() => undefined)
    }
  })()
  const body = pipe.readable
  return { body, answer }
}
