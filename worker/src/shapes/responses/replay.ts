/**
 * A stored Response replayed as Responses' typed events (a cache hit on a streamed /v1/responses
 * request): created, in progress, each output item as the API streams it (message text in one
 * delta inside its content part, function arguments in one delta), then completed or incomplete
 * with the whole Response.
 */
import { ResponseEvents } from './events.ts'

type Json = Record<string, unknown>

export function replayResponse(response: Json): ReadableStream<Uint8Array> {
  const events = new ResponseEvents()
  const shell = { ...response, status: 'in_progress', output: [], usage: null, incomplete_details: null }
  const out: Uint8Array[] = [events.event('response.created', { response: shell }), events.event('response.in_progress', { response: shell })]
  ;((response.output as Json[] | undefined) ?? []).forEach((item, index) => {
    if (item.type === 'message') {
      out.push(events.event('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } }))
      ;((item.content as Json[] | undefined) ?? []).forEach((part, content_index) => {
        const id = { item_id: item.id, output_index: index, content_index }
        if (part.type === 'output_text') {
          out.push(events.event('response.content_part.added', { ...id, part: { ...part, text: '' } }))
          if (part.text) out.push(events.event('response.output_text.delta', { ...id, delta: part.text, logprobs: [] }))
          out.push(events.event('response.output_text.done', { ...id, text: part.text ?? '', logprobs: [] }))
        } else if (part.type === 'refusal') {
          out.push(events.event('response.content_part.added', { ...id, part: { ...part, refusal: '' } }))
          out.push(events.event('response.refusal.delta', { ...id, delta: part.refusal ?? '' }))
          out.push(events.event('response.refusal.done', { ...id, refusal: part.refusal ?? '' }))
        } else out.push(events.event('response.content_part.added', { ...id, part }))
        out.push(events.event('response.content_part.done', { ...id, part }))
      })
    } else if (item.type === 'function_call') {
      out.push(events.event('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } }))
      const id = { item_id: item.id, output_index: index }
      if (item.arguments) out.push(events.event('response.function_call_arguments.delta', { ...id, delta: item.arguments }))
      out.push(events.event('response.function_call_arguments.done', { ...id, name: item.name, arguments: item.arguments ?? '' }))
    } else {
      // Reasoning and built-in tool items: sent whole, as their own added/done pair.
      out.push(events.event('response.output_item.added', { output_index: index, item }))
    }
    out.push(events.event('response.output_item.done', { output_index: index, item }))
  })
  out.push(events.event(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response }))
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const e of out) controller.enqueue(e)
      controller.close()
    },
  })
}
