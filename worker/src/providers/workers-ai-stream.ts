/**
 * A Workers AI SSE stream (`data: {"response":"Hel"}` … `data: {"response":"","usage":{…}}` …
 * `data: [DONE]`; tool calls arrive whole in a `tool_calls` array) → OpenAI `chat.completion.chunk`
 * SSE: role chunk, content deltas, one chunk per tool call, finish chunk, usage chunk, `[DONE]`.
 * A stream that breaks or ends without `[DONE]` ends with an OpenAI error event and no `[DONE]`.
 */
import type { ChatCompletionChunk, ChatCompletionMessageFunctionToolCall } from 'openai/resources/chat/completions'
import type { CompletionUsage } from 'openai/resources/completions'
import { encodeSseData, SSE_DONE, sseData } from '../lib/sse.ts'

/** Older models name the function at the top level with object arguments; newer ones use OpenAI's shape. */
export type WorkersAiToolCall = {
  id?: string
  name?: string
  arguments?: unknown
  function?: { name?: string; arguments?: unknown }
}

interface StreamEvent {
  response?: unknown
  tool_calls?: WorkersAiToolCall[]
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number }
}

export function toToolCall(call: WorkersAiToolCall, fallbackId: string): ChatCompletionMessageFunctionToolCall {
  const args = call.function?.arguments ?? call.arguments ?? {}
  return {
    id: call.id ?? fallbackId,
    type: 'function',
    function: { name: call.function?.name ?? call.name ?? '', arguments: typeof args === 'string' ? args : JSON.stringify(args) },
  }
}

/** The pure event-by-event mapping; `finish` produces the closing chunks. */
export function createWorkersAiChunkMapper(meta: { id: string; created: number; model: string }) {
  let started = false
  let toolCalls = 0
  let usage: CompletionUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
  const chunk = (delta: ChatCompletionChunk.Choice.Delta, finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  })
  return {
    next(event: StreamEvent): ChatCompletionChunk[] {
      const out: ChatCompletionChunk[] = []
      if (!started) {
        started = true
        out.push(chunk({ role: 'assistant', content: '' }))
      }
      const text = typeof event.response === 'string' ? event.response : event.response == null ? '' : JSON.stringify(event.response)
      if (text) out.push(chunk({ content: text }))
      for (const call of event.tool_calls ?? []) {
        const index = toolCalls++
        const { id, function: fn } = toToolCall(call, `${meta.id}-call-${index}`)
        out.push(chunk({ tool_calls: [{ index, id, type: 'function', function: fn }] }))
      }
      if (event.usage) {
        const prompt = event.usage.prompt_tokens ?? 0
        const completion = event.usage.completion_tokens ?? 0
        usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: event.usage.total_tokens ?? prompt + completion }
      }
      return out
    },
    finish(): ChatCompletionChunk[] {
      return [
        ...(started ? [] : [chunk({ role: 'assistant', content: '' })]),
        chunk({}, toolCalls > 0 ? 'tool_calls' : 'stop'),
        { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [], usage },
      ]
    },
  }
}

export function toOpenAiStream(body: ReadableStream<Uint8Array>, meta: { id: string; created: number; model: string }): ReadableStream<Uint8Array> {
  const mapper = createWorkersAiChunkMapper(meta)
  const events = sseData(body)
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, message: string) => {
    controller.enqueue(encodeSseData({ error: { message, type: 'server_error', param: null, code: 'upstream_stream_error' } }))
    controller.close()
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const step = await events.next()
          if (step.done) return fail(controller, 'the Workers AI stream ended before [DONE]')
          if (step.value === '[DONE]') {
            for (const c of mapper.finish()) controller.enqueue(encodeSseData(c))
            controller.enqueue(SSE_DONE)
            controller.close()
            return
          }
          let event: StreamEvent
          try {
            event = JSON.parse(step.value) as StreamEvent
          } catch {
            continue // a keep-alive or non-JSON line: nothing to forward
          }
          const chunks = mapper.next(event)
          for (const c of chunks) controller.enqueue(encodeSseData(c))
          if (chunks.length > 0) return
        }
      } catch {
        fail(controller, 'the Workers AI stream broke off')
      }
    },
    async cancel() {
      await events.return(undefined)
    },
  })
}
