/**
 * What the relay needs to know about a stream's wire format, so one relay serves every shape:
 * which events the client gets, how many output tokens each carried (the budget meter), when the
 * answer is complete, the answer assembled from the events, and the event that ends a stream
 * early. `chatCodec` is OpenAI's chat.completion.chunk stream; the native shapes have theirs
 * (shapes/messages/codec.ts, shapes/responses/codec.ts).
 */
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions'
import { chunkTokens } from '../governance/estimate.ts'
import { encodeSseData, sseDataOf } from '../lib/sse.ts'
import { CompletionAssembler } from './assemble.ts'

/** The error a stream ends with when the gateway cuts it (a budget spent, an upstream gone quiet). */
export interface StreamError {
  message: string
  type: string
  param: null
  code: string
}

export interface EventReading {
  /** Whether the client gets this event. */
  forward: boolean
  /** Output tokens the event carried; undefined for events that carry no output. */
  tokens?: number
  /** The answer is complete (settle now: clients may cancel the body right after), or failed. */
  end?: 'complete' | 'failed'
}

export interface StreamCodec<A> {
  /** One complete SSE event, as it came (without the blank line). */
  read(event: string): EventReading
  /** The full answer, or undefined if the stream did not finish cleanly. */
  result(): A | undefined
  /** The event a cut stream ends with, in the shape's own format. */
  errorEvent(error: StreamError): Uint8Array
}

const emptyChoices = /"choices"\s*:\s*\[\s*\]/

/**
 * OpenAI chat chunks: `data: {chunk}` … `data: [DONE]`. The usage-only chunk the gateway asked
 * upstream for is kept from a client that did not ask for it itself.
 */
export function chatCodec(clientWantsUsage: boolean): StreamCodec<ChatCompletion> {
  const assembler = new CompletionAssembler()
  return {
    read(event) {
      const data = sseDataOf(event)
      const usageOnly = data !== undefined && emptyChoices.test(data) && data.includes('"usage"')
      const forward = !(usageOnly && !clientWantsUsage)
      if (data === undefined) return { forward }
      if (data === '[DONE]') {
        assembler.end()
        return { forward, end: 'complete' }
      }
      let parsed: ChatCompletionChunk & { error?: unknown }
      try {
        parsed = JSON.parse(data) as ChatCompletionChunk & { error?: unknown }
      } catch {
        assembler.fail()
        return { forward }
      }
      if (parsed.error) {
        assembler.fail()
        return { forward, end: 'failed' }
      }
      assembler.add(parsed)
      return { forward, tokens: chunkTokens(parsed) }
    },
    result: () => assembler.result(),
    errorEvent: (error) => encodeSseData({ error }),
  }
}
