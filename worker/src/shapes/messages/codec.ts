/**
 * Reading Anthropic's own event stream as it is relayed untouched (native passthrough): the output
 * tokens each delta carried (for the budget meter), the end (`message_stop`), a mid-stream `error`,
 * and the complete Message assembled from the events — text, tool input (from its JSON fragments),
 * thinking with its signature, citations — with the usage of `message_delta` over `message_start`'s.
 */
import { utf8Bytes } from '../../governance/estimate.ts'
import { sseDataOf } from '../../lib/sse.ts'
import type { StreamCodec } from '../../stream/codec.ts'
import { anthropicErrorEvent } from './events.ts'

type Json = Record<string, unknown>

export function messagesCodec(): StreamCodec<Json> {
  let message: Json | undefined
  const blocks: Json[] = []
  const partialJson = new Map<number, string>()
  let complete = false

  const tokens = (text: unknown) => (typeof text === 'string' && text.length > 0 ? Math.max(1, Math.ceil(utf8Bytes(text) / 4)) : 0)

  return {
    read(event) {
      const data = sseDataOf(event)
      if (data === undefined) return { forward: true }
      let e: Json
      try {
        e = JSON.parse(data) as Json
      } catch {
        return { forward: true }
      }
      switch (e.type) {
        case 'message_start':
          message = { ...(e.message as Json) }
          return { forward: true }
        case 'content_block_start':
          blocks[e.index as number] = { ...(e.content_block as Json) }
          return { forward: true }
        case 'content_block_delta': {
          const index = e.index as number
          const block = blocks[index]
          const d = e.delta as Json
          if (!block) return { forward: true }
          if (d.type === 'text_delta') block.text = String(block.text ?? '') + String(d.text ?? '')
          else if (d.type === 'input_json_delta') partialJson.set(index, (partialJson.get(index) ?? '') + String(d.partial_json ?? ''))
          else if (d.type === 'thinking_delta') block.thinking = String(block.thinking ?? '') + String(d.thinking ?? '')
          else if (d.type === 'signature_delta') block.signature = String(d.signature ?? '')
          else if (d.type === 'citations_delta') block.citations = [...((block.citations as unknown[]) ?? []), d.citation]
          return { forward: true, tokens: tokens(d.text ?? d.partial_json ?? d.thinking) }
        }
        case 'content_block_stop': {
          const index = e.index as number
          const json = partialJson.get(index)
          const block = blocks[index]
          if (block && json !== undefined) {
            try {
              block.input = json ? JSON.parse(json) : {}
            } catch {
              block.input = { _raw: json }
            }
            partialJson.delete(index)
          }
          return { forward: true }
        }
        case 'message_delta':
          if (message) {
            Object.assign(message, e.delta as Json)
            message.usage = { ...((message.usage as Json) ?? {}), ...withoutNulls(e.usage as Json | undefined) }
          }
          return { forward: true }
        case 'message_stop':
          complete = message !== undefined
          return { forward: true, end: 'complete' }
        case 'error':
          return { forward: true, end: 'failed' }
        default:
          return { forward: true }
      }
    },
    result: () => (complete && message ? { ...message, content: blocks.filter(Boolean) } : undefined),
    errorEvent: (error) => anthropicErrorEvent(error.message, error.code),
  }
}

function withoutNulls(usage: Json | undefined): Json {
  return Object.fromEntries(Object.entries(usage ?? {}).filter(([, v]) => v !== null && v !== undefined))
}
