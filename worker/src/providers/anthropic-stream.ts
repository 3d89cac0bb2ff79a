/**
 * Anthropic stream events → OpenAI `chat.completion.chunk` SSE bytes, exactly as OpenAI streams:
 * a first chunk with `role: 'assistant'`, content deltas, a tool call opened with
 * `{index, id, type, function: {name, arguments: ''}}` and continued with argument fragments
 * (`index` counts tool calls, not Anthropic's content blocks), a finish chunk, a usage chunk with
 * `choices: []`, then `data: [DONE]`. An upstream error mid-stream (an `error` event, a dropped
 * connection, a stream that ends before `message_stop`) becomes an OpenAI error event and the stream
 * ends without `[DONE]`, so no client mistakes a truncated answer for a complete one.
 */
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages'
import type { ChatCompletionChunk } from 'openai/resources/chat/completions'
import { encodeSseData, SSE_DONE } from '../lib/sse.ts'
import { toUpstreamError } from '../upstream/upstream-error.ts'
import { type AnthropicUsage, type FinishReason, toFinishReason, toOpenAiUsage } from './anthropic-response.ts'

/** What the SDK yields, plus the two events it normally filters out (handled the same either way). */
export type AnthropicStreamEvent =
  | RawMessageStreamEvent
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } }

export interface OpenAiErrorEvent {
  error: { message: string; type: string; param: null; code: string | null }
}

/**
 * The stateful event-by-event mapping (pure: no I/O), so it can be tested on recorded event lists.
 * `next` returns the chunks an event produces; `finished` turns true at `message_stop`.
 */
export function createChunkMapper(created: number, model: string) {
  let id = 'msg_unknown'
  let finish: FinishReason = 'stop'
  let finished = false
  const usage: AnthropicUsage = { input_tokens: 0, output_tokens: 0 }
  const toolIndexOfBlock = new Map<number, number>()

  const chunk = (delta: ChatCompletionChunk.Choice.Delta, finishReason: FinishReason | null = null): ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  })
  const addUsage = (u: Partial<Record<keyof AnthropicUsage, number | null>>) => {
    // message_delta usage is cumulative; fields it leaves null keep their message_start value.
    for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
      const value = u[key]
      if (typeof value === 'number') usage[key] = value
    }
  }

  return {
    get finished() {
      return finished
    },
    next(event: AnthropicStreamEvent): ChatCompletionChunk[] {
      switch (event.type) {
        case 'message_start':
          id = event.message.id
          model = event.message.model || model
          addUsage(event.message.usage)
          return [chunk({ role: 'assistant', content: '' })]
        case 'content_block_start': {
          const block = event.content_block
          if (block.type === 'text') return block.text ? [chunk({ content: block.text })] : []
          if (block.type !== 'tool_use') return []
          const index = toolIndexOfBlock.size
          toolIndexOfBlock.set(event.index, index)
          return [chunk({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] })]
        }
        case 'content_block_delta': {
          const delta = event.delta
          if (delta.type === 'text_delta') return delta.text ? [chunk({ content: delta.text })] : []
          const index = toolIndexOfBlock.get(event.index)
          if (delta.type !== 'input_json_delta' || index === undefined || !delta.partial_json) return []
          return [chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] })]
        }
        case 'message_delta':
          finish = toFinishReason(event.delta.stop_reason)
          addUsage(event.usage)
          return []
        case 'message_stop':
          finished = true
          return [chunk({}, finish), { id, object: 'chat.completion.chunk', created, model, choices: [], usage: toOpenAiUsage(usage) }]
        default:
          // content_block_stop, ping, thinking/signature/citation deltas: nothing to say in OpenAI's shape.
          return []
      }
    },
  }
}

export function errorEvent(type: string, message: string): OpenAiErrorEvent {
  const openAiType = type === 'invalid_request_error' ? 'invalid_request_error' : 'server_error'
  return { error: { message, type: openAiType, param: null, code: type } }
}

/**
 * Pulls from the SDK's event stream only as fast as the client reads (backpressure), and aborts the
 * upstream request when the client goes away.
 */
export function toOpenAiSse(
  events: AsyncIterable<AnthropicStreamEvent>,
  options: { created: number; model: string; signal?: AbortSignal; abort?: () => void },
): ReadableStream<Uint8Array> {
  const mapper = createChunkMapper(options.created, options.model)
  const iterator = events[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // Keep reading until this pull has produced bytes or the stream is over.
        for (;;) {
          const step = await iterator.next()
          if (step.done) {
            if (!mapper.finished) throw new Error('the upstream stream ended before message_stop')
            controller.close()
            return
          }
          const event = step.value
          if (event.type === 'error') {
            controller.enqueue(encodeSseData(errorEvent(event.error.type, event.error.message)))
            controller.close()
            void iterator.return?.()
            return
          }
          const chunks = mapper.next(event)
          for (const c of chunks) controller.enqueue(encodeSseData(c))
          if (mapper.finished) {
            controller.enqueue(SSE_DONE)
            controller.close()
            void iterator.return?.()
            return
          }
          if (chunks.length > 0) return
        }
      } catch (e) {
        const failure = toUpstreamError(e, options.signal)
        // The SDK throws an `error` event as an APIError without a status; its `type` is Anthropic's.
        const type = (e as { type?: unknown } | null)?.type
        const code = failure.code ?? (typeof type === 'string' ? type : failure.kind === 'timeout' ? 'timeout' : 'api_error')
        controller.enqueue(encodeSseData(errorEvent(code, failure.message)))
        controller.close()
      }
    },
    async cancel() {
      options.abort?.()
      await iterator.return?.()
    },
  })
}
