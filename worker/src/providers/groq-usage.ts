/**
 * Groq reports usage in `x_groq.usage` on the finish chunk, and in OpenAI's `choices: []` usage chunk
 * only when `stream_options.include_usage` is honoured. This adds the standard chunk before `[DONE]`
 * when a stream carried only Groq's, and passes every event through unchanged.
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions'
import { encodeSseData, SSE_DONE, sseData } from '../lib/sse.ts'

type GroqChunk = Pick<ChatCompletionChunk, 'id' | 'created' | 'model' | 'usage'> & {
  x_groq?: { usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } }
}
const encoder = new TextEncoder()

/** Passes events through unchanged; only chunks mentioning usage are parsed. */
export function withStandardUsage(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const events = sseData(body)
  let standard = false
  let fromGroq: ChatCompletionChunk | undefined
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const step = await events.next()
      if (step.done) return controller.close()
      const data = step.value
      if (data === '[DONE]') {
        if (!standard && fromGroq) controller.enqueue(encodeSseData(fromGroq))
        controller.enqueue(SSE_DONE)
        return
      }
      if (data.includes('"usage"')) {
        const chunk = parse(data)
        if (chunk?.usage) standard = true
        const u = chunk?.x_groq?.usage
        if (chunk && u && typeof u.prompt_tokens === 'number' && typeof u.completion_tokens === 'number') {
          const usage = { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens }
          fromGroq = { id: chunk.id, object: 'chat.completion.chunk', created: chunk.created, model: chunk.model, choices: [], usage }
        }
      }
      controller.enqueue(encoder.encode(`data: ${data}\n\n`))
    },
    async cancel() {
      await events.return(undefined)
    },
  })
}

function parse(data: string): GroqChunk | undefined {
  try {
    return JSON.parse(data) as GroqChunk
  } catch {
    return undefined
  }
}
