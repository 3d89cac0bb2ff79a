/**
 * PII in Anthropic's shape: the texts of a request (system, text blocks, tool inputs and results,
 * plain-text documents, `metadata.user_id`) for the guard to redact, and the placeholders put back
 * into an answer — text blocks and tool inputs of a Message, `text_delta` / `input_json_delta`
 * events of a stream (a placeholder split across deltas is held back until its block's next
 * delta or its end). Thinking blocks keep their placeholders: their signature covers the text.
 */
import { FieldRestorer } from '../../governance/pii/restore-answer.ts'
import type { PiiVault } from '../../governance/pii/vault.ts'
import { SseSplitter, sseDataOf } from '../../lib/sse.ts'
import { mapArray, mapStrings, withKey } from '../common/walk.ts'
import { anthropicEvent } from './events.ts'

type Json = Record<string, unknown>
type Visit = (text: string) => string

export function mapMessagesTexts(body: Json, visit: Visit): Json {
  let out = body
  if (typeof body.system === 'string') out = withKey(out, 'system', visit(body.system))
  else if (Array.isArray(body.system)) out = withKey(out, 'system', mapArray(body.system, (b) => mapBlock(b, visit)))
  out = withKey(out, 'messages', mapArray(body.messages as unknown[], (m) => {
    const message = m as Json
    if (typeof message.content === 'string') return withKey(message, 'content', visit(message.content))
    return Array.isArray(message.content) ? withKey(message, 'content', mapArray(message.content, (b) => mapBlock(b, visit))) : message
  }))
  const metadata = body.metadata as Json | undefined
  if (typeof metadata?.user_id === 'string') out = withKey(out, 'metadata', withKey(metadata, 'user_id', visit(metadata.user_id)))
  return out
}

function mapBlock(block: unknown, visit: Visit): unknown {
  const b = block as Json
  switch (b?.type) {
    case 'text':
      return typeof b.text === 'string' ? withKey(b, 'text', visit(b.text)) : b
    case 'tool_use':
      return withKey(b, 'input', mapStrings(b.input, visit))
    case 'tool_result':
      if (typeof b.content === 'string') return withKey(b, 'content', visit(b.content))
      return Array.isArray(b.content) ? withKey(b, 'content', mapArray(b.content, (x) => mapBlock(x, visit))) : b
    case 'document': {
      const source = b.source as Json | undefined
      return source?.type === 'text' && typeof source.data === 'string' ? withKey(b, 'source', withKey(source, 'data', visit(source.data))) : b
    }
    default:
      return b
  }
}

export function restoreMessageJson(raw: string, vault: PiiVault): string {
  if (vault.size === 0 || !raw.includes('[')) return raw
  let message: Json
  try {
    message = JSON.parse(raw) as Json
  } catch {
    return vault.restore(raw, true)
  }
  const content = mapArray((message.content as unknown[]) ?? [], (block) => {
    const b = block as Json
    if (b.type === 'text' && typeof b.text === 'string') return withKey(b, 'text', vault.restore(b.text))
    if (b.type === 'tool_use') return withKey(b, 'input', mapStrings(b.input, (s) => vault.restore(s)))
    return b
  })
  return JSON.stringify({ ...message, content })
}

const encoder = new TextEncoder()

export function restoreMessageStream(body: ReadableStream<Uint8Array>, vault: PiiVault): ReadableStream<Uint8Array> {
  const splitter = new SseSplitter()
  const fields = new Map<number, { restorer: FieldRestorer; kind: 'text_delta' | 'input_json_delta' }>()

  const handle = (event: string, emit: (b: Uint8Array) => void) => {
    const data = sseDataOf(event)
    if (data === undefined || (fields.size === 0 && !data.includes('['))) return emit(encoder.encode(`${event}\n\n`))
    let e: Json
    try {
      e = JSON.parse(data) as Json
    } catch {
      return emit(encoder.encode(`${event}\n\n`))
    }
    const index = e.index as number
    if (e.type === 'content_block_delta') {
      const d = e.delta as Json
      const kind = d.type === 'text_delta' ? 'text_delta' : d.type === 'input_json_delta' ? 'input_json_delta' : undefined
      if (kind) {
        let field = fields.get(index)
        if (!field) fields.set(index, (field = { restorer: new FieldRestorer(vault, kind === 'input_json_delta'), kind }))
        const key = kind === 'text_delta' ? 'text' : 'partial_json'
        return emit(anthropicEvent('content_block_delta', { ...e, delta: { ...d, [key]: field.restorer.push(String(d[key] ?? '')) } }))
      }
    }
    if (e.type === 'content_block_stop') {
      const field = fields.get(index)
      fields.delete(index)
      const rest = field?.restorer.flush()
      if (field && rest) emit(anthropicEvent('content_block_delta', { index, delta: { type: field.kind, [field.kind === 'text_delta' ? 'text' : 'partial_json']: rest } }))
    }
    emit(encoder.encode(`${event}\n\n`))
  }

  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        for (const event of splitter.push(chunk)) handle(event, (b) => controller.enqueue(b))
      },
      flush(controller) {
        const rest = splitter.end()
        if (rest) handle(rest, (b) => controller.enqueue(b))
      },
    }),
  )
}
