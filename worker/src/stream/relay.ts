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

  let ended = false
  const handleEvent = (event: string, controller: TransformStreamDefaultController<Uint8Array>) => {
    if (ended) return
    const reading = codec.read(event)
    if (reading.forward) {
      controller.enqueue(encoder.encode(`${event}\n\n`))
      if (first) {
        first = false
        options.onFirstByte?.()
      }
    }
    // Settle at the end event: clients (the openai SDK among them) stop reading there and cancel
    // the body before the upstream closes it, and that cancel must not make a complete answer a cut one.
    if (reading.end) return settle(reading.end === 'complete' ? codec.result() : undefined)
    if (reading.tokens !== undefined && options.meter && !options.meter.add(reading.tokens)) end(controller, options.meter.error)
  }

  /** Ends the stream early with an error event: the answer is incomplete, the upstream is cancelled. */
  const end = (controller: TransformStreamDefaultController<Uint8Array>, error: StreamError) => {
    if (ended) return
    ended = true
    clearTimeout(idle)
    settle(undefined)
    controller.enqueue(codec.errorEvent(error))
    controller.terminate()
  }

  // A stalled upstream must not hold the client forever: each chunk re-arms the idle timer; when it
  // fires, the client gets an OpenAI-style error event, the stream ends and the upstream is cancelled.
  let idle: ReturnType<typeof setTimeout> | undefined
  const arm = (controller: TransformStreamDefaultController<Uint8Array>) => {
    if (!options.idleTimeoutMs) return
    clearTimeout(idle)
    idle = setTimeout(
      () => end(controller, { message: 'The upstream stopped sending.', type: 'upstream_error', param: null, code: 'upstream_timeout' }),
      options.idleTimeoutMs,
    )
  }

  let broken = false
  const body = endingOnBreak(upstream, () => (broken = true)).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        arm(controller)
      },
      transform(chunk, controller) {
        arm(controller)
        for (const event of splitter.push(chunk)) handleEvent(event, controller)
      },
      flush(controller) {
        clearTimeout(idle)
        const rest = splitter.end()
        if (broken) {
          // Whatever partial event the break left is dropped; the client gets the shape's error event.
          if (ended) return
          ended = true
          settle(undefined)
          controller.enqueue(codec.errorEvent({ message: 'The upstream connection broke mid-stream.', type: 'upstream_error', param: null, code: 'upstream_error' }))
          return
        }
        if (rest) handleEvent(rest, controller)
        settle(codec.result())
      },
      cancel() {
        clearTimeout(idle)
        settle(undefined)
      },
    }),
  )
  return { body, answer }
}


/**
 * A connection that breaks mid-stream (reset, upstream crash) would otherwise error the client's
 * body: SDKs then raise a network error with no explanation. It ends the stream instead, and
 * `onBreak` lets the relay close it with the shape's own error event (an incomplete answer: never cached).
 */
function endingOnBreak(upstream: ReadableStream<Uint8Array>, onBreak: () => void): ReadableStream<Uint8Array> {
  const reader = upstream.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      } catch {
        onBreak()
        controller.close()
      }
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
}
