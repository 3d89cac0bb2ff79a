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
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions'
import { chunkTokens } from '../governance/estimate.ts'
import { encodeSseData, SseSplitter, sseDataOf } from '../lib/sse.ts'
import { CompletionAssembler } from './assemble.ts'

/** Counts a stream's output; `add` answering false ends the stream with `error`. */
export interface StreamMeter {
  add(tokens: number): boolean
  readonly error: { message: string; type: string; param: null; code: string }
}

export interface Relayed {
  body: ReadableStream<Uint8Array>
  /** Resolves when the stream ends: the full answer, or undefined if it was cut short. */
  answer: Promise<ChatCompletion | undefined>
}

const encoder = new TextEncoder()
const emptyChoices = /"choices"\s*:\s*\[\s*\]/

export function relayStream(
  upstream: ReadableStream<Uint8Array>,
  options: {
    clientWantsUsage: boolean
    onFirstByte?: () => void
    /** Longest silence allowed between two upstream chunks; past it the stream ends with an error event. */
    idleTimeoutMs?: number
    meter?: StreamMeter
  },
): Relayed {
  const assembler = new CompletionAssembler()
  const splitter = new SseSplitter()
  let first = true
  let settle: (answer: ChatCompletion | undefined) => void = () => {}
  const answer = new Promise<ChatCompletion | undefined>((resolve) => (settle = resolve))

  let ended = false
  const handleEvent = (event: string, controller: TransformStreamDefaultController<Uint8Array>) => {
    if (ended) return
    const data = sseDataOf(event)
    const usageOnly = data !== undefined && emptyChoices.test(data) && data.includes('"usage"')
    if (!(usageOnly && !options.clientWantsUsage)) {
      controller.enqueue(encoder.encode(`${event}\n\n`))
      if (first) {
        first = false
        options.onFirstByte?.()
      }
    }
    if (data === undefined) return
    if (data === '[DONE]') {
      // Settle now: clients (the openai SDK among them) stop reading at [DONE] and cancel the
      // body before the upstream closes it, and that cancel must not make a complete answer a cut one.
      assembler.end()
      return settle(assembler.result())
    }
    let parsed: ChatCompletionChunk & { error?: unknown }
    try {
      parsed = JSON.parse(data) as ChatCompletionChunk & { error?: unknown }
    } catch {
      return assembler.fail()
    }
    if (parsed.error) return assembler.fail()
    assembler.add(parsed)
    if (options.meter && !options.meter.add(chunkTokens(parsed))) end(controller, options.meter.error)
  }

  /** Ends the stream early with an error event: the answer is incomplete, the upstream is cancelled. */
  const end = (controller: TransformStreamDefaultController<Uint8Array>, error: StreamMeter['error']) => {
    if (ended) return
    ended = true
    clearTimeout(idle)
    assembler.fail()
    settle(undefined)
    controller.enqueue(encodeSseData({ error }))
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

  const body = endingOnBreak(upstream).pipeThrough(
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
        if (rest) handleEvent(rest, controller)
        settle(assembler.result())
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
 * body: SDKs then raise a network error with no explanation. It ends instead with an OpenAI error
 * event, which the relay passes on (and which marks the answer incomplete: never cached).
 */
function endingOnBreak(upstream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = upstream.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      } catch {
        // A blank line first: whatever partial event the break left is closed off, not glued to this one.
        controller.enqueue(encoder.encode('\n\n'))
        controller.enqueue(encodeSseData({ error: { message: 'The upstream connection broke mid-stream.', type: 'upstream_error', param: null, code: 'upstream_error' } }))
        controller.close()
      }
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
}
