/**
 * A chat.completion.chunk stream → Anthropic's event stream, for a /v1/messages request a provider
 * speaking chat answered: `message_start`, one content block per text run or tool call
 * (`content_block_start`, `text_delta` / `input_json_delta`, `content_block_stop`), then
 * `message_delta` with the stop reason and usage (chat streams report usage last) and
 * `message_stop`. An error chunk, or a stream that ends before `[DONE]`, becomes `event: error`.
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions'
import type { CompletionUsage } from 'openai/resources/completions'
import { SseSplitter, sseDataOf } from '../../lib/sse.ts'
import { anthropicUsageOf, stopReasonOf } from './from-chat.ts'
import { anthropicErrorEvent, anthropicEvent } from './events.ts'

type Enqueue = (bytes: Uint8Array) => void

export function chatStreamToMessages(chat: ReadableStream<Uint8Array>, id: string): ReadableStream<Uint8Array> {
  const splitter = new SseSplitter()
  let started = false
  let finished = false
  let next = 0
  let open: { index: number; kind: 'text' | 'tool'; tool?: number } | undefined
  const toolBlocks = new Map<number, number>()
  let stop = 'end_turn'
  let usage: CompletionUsage | undefined

  const close = (emit: Enqueue) => {
    if (!open) return
    emit(anthropicEvent('content_block_stop', { index: open.index }))
    open = undefined
  }
  const start = (emit: Enqueue, model: string) => {
    if (started) return
    started = true
    emit(anthropicEvent('message_start', {
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
    }))
  }

  const handle = (event: string, emit: Enqueue) => {
    if (finished) return
    const data = sseDataOf(event)
    if (data === undefined) return
    if (data === '[DONE]') {
      finished = true
      close(emit)
      emit(anthropicEvent('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: anthropicUsageOf(usage) }))
      emit(anthropicEvent('message_stop'))
      return
    }
    let chunk: ChatCompletionChunk & { error?: { message?: string; code?: string | null; type?: string } }
    try {
      chunk = JSON.parse(data) as typeof chunk
    } catch {
      return
    }
    if (chunk.error) {
      finished = true
      emit(anthropicErrorEvent(chunk.error.message ?? 'The upstream failed.', chunk.error.code ?? chunk.error.type))
      return
    }
    start(emit, chunk.model)
    if (chunk.usage) usage = chunk.usage
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue
      const delta = choice.delta ?? {}
      const text = (delta.content ?? '') + (delta.refusal ?? '')
      if (text) {
        if (open?.kind !== 'text') {
          close(emit)
          open = { index: next++, kind: 'text' }
          emit(anthropicEvent('content_block_start', { index: open.index, content_block: { type: 'text', text: '' } }))
        }
        emit(anthropicEvent('content_block_delta', { index: open.index, delta: { type: 'text_delta', text } }))
      }
      for (const call of delta.tool_calls ?? []) {
        if (call.id) {
          close(emit)
          open = { index: next++, kind: 'tool', tool: call.index }
          toolBlocks.set(call.index, open.index)
          emit(anthropicEvent('content_block_start', { index: open.index, content_block: { type: 'tool_use', id: call.id, name: call.function?.name ?? '', input: {} } }))
        }
        const args = call.function?.arguments
        const index = toolBlocks.get(call.index)
        if (args && index !== undefined) emit(anthropicEvent('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: args } }))
      }
      if (choice.finish_reason) {
        close(emit)
        stop = stopReasonOf(choice.finish_reason)
      }
    }
  }

  return chat.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(bytes, controller) {
        for (const event of splitter.push(bytes)) handle(event, (b) => controller.enqueue(b))
      },
      flush(controller) {
        const rest = splitter.end()
        if (rest) handle(rest, (b) => controller.enqueue(b))
        if (!finished) controller.enqueue(anthropicErrorEvent('The upstream stream ended before the answer was complete.', 'api_error'))
      },
    }),
  )
}
