/**
 * Replays a stored ChatCompletion as an OpenAI stream, for cache hits on `stream: true` requests:
 * a role chunk, the content, tool calls, the finish chunk, usage if asked for, then [DONE].
 */
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions'
import { encodeSseData, SSE_DONE } from '../lib/sse.ts'

export function replayAsStream(completion: ChatCompletion, includeUsage: boolean): ReadableStream<Uint8Array> {
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model }
  const chunks: ChatCompletionChunk[] = []
  for (const choice of completion.choices) {
    const m = choice.message
    const step = (delta: ChatCompletionChunk.Choice.Delta, finish: ChatCompletionChunk.Choice['finish_reason'] = null) =>
      chunks.push({ ...base, choices: [{ index: choice.index, delta, finish_reason: finish, logprobs: null }] })
    step({ role: 'assistant', content: '' })
    if (m.content) step({ content: m.content })
    if (m.refusal) step({ refusal: m.refusal })
    ;(m.tool_calls ?? []).forEach((t, index) => {
      if (t.type !== 'function') return
      step({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.function.name, arguments: t.function.arguments } }] })
    })
    step({}, choice.finish_reason)
  }
  if (includeUsage && completion.usage) chunks.push({ ...base, choices: [], usage: completion.usage })

  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encodeSseData(chunk))
      controller.enqueue(SSE_DONE)
      controller.close()
    },
  })
}
