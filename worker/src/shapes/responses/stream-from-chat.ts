/**
 * A chat.completion.chunk stream → OpenAI Responses' typed events, for a /v1/responses request a
 * provider speaking chat answered: `response.created`, `response.in_progress`, then per output item
 * `output_item.added`, its deltas (`output_text.delta` with `content_part` around them, or
 * `function_call_arguments.delta`) and `…done` events, and last `response.completed` (or
 * `response.incomplete`) carrying the whole Response with its usage (chat streams report usage
 * last). An error chunk, or a stream that ends before `[DONE]`, becomes `response.failed` + `error`.
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions'
import type { CompletionUsage } from 'openai/resources/completions'
import { SseSplitter, sseDataOf } from '../../lib/sse.ts'
import type { NativeRequest } from '../types.ts'
import { ResponseEvents } from './events.ts'
import { endingOf, itemId, responseShell, responsesUsageOf } from './from-chat.ts'

type Json = Record<string, unknown>
type Emit = (bytes: Uint8Array) => void

export function chatStreamToResponses(chat: ReadableStream<Uint8Array>, request: NativeRequest): ReadableStream<Uint8Array> {
  const splitter = new SseSplitter()
  const events = new ResponseEvents()
  let shell: Json | undefined
  let finished = false
  const output: Json[] = []
  let open: { item: Json; index: number; text: string; tool?: number } | undefined
  const toolItems = new Map<number, { item: Json; index: number }>()
  let finish: string | null = null
  let usage: CompletionUsage | undefined

  const textPart = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] })
  const close = (emit: Emit) => {
    if (!open) return
    const { item, index, text } = open
    if (item.type === 'message') {
      const part = textPart(text)
      emit(events.event('response.output_text.done', { item_id: item.id, output_index: index, content_index: 0, text, logprobs: [] }))
      emit(events.event('response.content_part.done', { item_id: item.id, output_index: index, content_index: 0, part }))
      output[index] = { ...item, status: 'completed', content: [part] }
    } else {
      emit(events.event('response.function_call_arguments.done', { item_id: item.id, output_index: index, name: item.name, arguments: text }))
      output[index] = { ...item, status: 'completed', arguments: text }
    }
    emit(events.event('response.output_item.done', { output_index: index, item: output[index] }))
    open = undefined
  }
  const openMessage = (emit: Emit) => {
    const index = output.length
    const item = { id: itemId('msg', request.id, index), type: 'message', status: 'in_progress', role: 'assistant', content: [] }
    output.push(item)
    open = { item, index, text: '' }
    emit(events.event('response.output_item.added', { output_index: index, item }))
    emit(events.event('response.content_part.added', { item_id: item.id, output_index: index, content_index: 0, part: textPart('') }))
  }

  const handle = (event: string, emit: Emit) => {
    if (finished) return
    const data = sseDataOf(event)
    if (data === undefined) return
    if (data === '[DONE]') {
      finished = true
      if (output.length === 0 && !open) openMessage(emit) // a Response always says something, if only ''
      close(emit)
      const ending = endingOf(finish)
      const response = { ...(shell ?? responseShell(request, '', 0)), ...ending, output, usage: responsesUsageOf(usage) }
      emit(events.event(ending.status === 'completed' ? 'response.completed' : 'response.incomplete', { response }))
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
      const partial = { ...(shell ?? responseShell(request, '', 0)), output: output.filter(Boolean) }
      for (const e of events.failure(partial, chunk.error.code ?? chunk.error.type ?? 'server_error', chunk.error.message ?? 'The upstream failed.')) emit(e)
      return
    }
    if (!shell) {
      shell = responseShell(request, chunk.model, chunk.created)
      emit(events.event('response.created', { response: shell }))
      emit(events.event('response.in_progress', { response: shell }))
    }
    if (chunk.usage) usage = chunk.usage
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue
      const delta = choice.delta ?? {}
      const text = (delta.content ?? '') + (delta.refusal ?? '')
      if (text) {
        if (open?.item.type !== 'message') {
          close(emit)
          openMessage(emit)
        }
        open!.text += text
        emit(events.event('response.output_text.delta', { item_id: open!.item.id, output_index: open!.index, content_index: 0, delta: text, logprobs: [] }))
      }
      for (const call of delta.tool_calls ?? []) {
        if (call.id) {
          close(emit)
          const index = output.length
          const item = { id: itemId('fc', request.id, index), type: 'function_call', status: 'in_progress', call_id: call.id, name: call.function?.name ?? '', arguments: '' }
          output.push(item)
          open = { item, index, text: '', tool: call.index }
          toolItems.set(call.index, { item, index })
          emit(events.event('response.output_item.added', { output_index: index, item }))
        }
        const args = call.function?.arguments
        const target = toolItems.get(call.index)
        if (args && target) {
          if (open?.item === target.item) open.text += args
          emit(events.event('response.function_call_arguments.delta', { item_id: target.item.id, output_index: target.index, delta: args }))
        }
      }
      if (choice.finish_reason) {
        close(emit)
        finish = choice.finish_reason
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
        if (!finished) {
          const partial = { ...(shell ?? responseShell(request, '', 0)), output: output.filter(Boolean) }
          for (const e of events.failure(partial, 'upstream_error', 'The upstream stream ended before the answer was complete.')) controller.enqueue(e)
        }
      },
    }),
  )
}
