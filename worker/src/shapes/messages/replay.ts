/**
 * A stored Anthropic Message replayed as Anthropic's event stream (a cache hit on a streamed
 * /v1/messages request): every block as the API streams it — text as `text_delta`, tool input as
 * one `input_json_delta`, thinking with its signature — then the stop reason and usage.
 */
import { anthropicEvent } from './events.ts'

type Json = Record<string, unknown>

export function replayMessage(message: Json): ReadableStream<Uint8Array> {
  const usage = (message.usage ?? {}) as Json
  const events: Uint8Array[] = [
    anthropicEvent('message_start', { message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } } }),
  ]
  ;((message.content as Json[] | undefined) ?? []).forEach((block, index) => {
    const delta = (d: Json) => events.push(anthropicEvent('content_block_delta', { index, delta: d }))
    switch (block.type) {
      case 'text':
        events.push(anthropicEvent('content_block_start', { index, content_block: { ...block, text: '' } }))
        if (block.text) delta({ type: 'text_delta', text: block.text })
        break
      case 'tool_use':
      case 'server_tool_use':
        events.push(anthropicEvent('content_block_start', { index, content_block: { ...block, input: {} } }))
        delta({ type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) })
        break
      case 'thinking':
        events.push(anthropicEvent('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }))
        if (block.thinking) delta({ type: 'thinking_delta', thinking: block.thinking })
        if (block.signature) delta({ type: 'signature_delta', signature: block.signature })
        break
      default:
        // redacted_thinking, server tool results: sent whole, as the API does.
        events.push(anthropicEvent('content_block_start', { index, content_block: block }))
    }
    events.push(anthropicEvent('content_block_stop', { index }))
  })
  events.push(
    anthropicEvent('message_delta', { delta: { stop_reason: message.stop_reason ?? 'end_turn', stop_sequence: message.stop_sequence ?? null }, usage }),
    anthropicEvent('message_stop'),
  )
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const e of events) controller.enqueue(e)
      controller.close()
    },
  })
}
