/**
 * PII in Responses' shape: the texts of a request (`instructions`, the input — message text parts,
 * function call arguments and outputs — and `user`) for the guard to redact, and the placeholders
 * put back into an answer: the Response's output text and function arguments, and in a stream each
 * `output_text.delta` / `function_call_arguments.delta` (a placeholder split across deltas is held
 * back until the item's next delta or its `…done` event) and every `…done` event's full text.
 */
import { FieldRestorer } from '../../governance/pii/restore-answer.ts'
import type { PiiVault } from '../../governance/pii/vault.ts'
import { SseSplitter, sseDataOf } from '../../lib/sse.ts'
import { mapArray, withKey } from '../common/walk.ts'

type Json = Record<string, unknown>
type Visit = (text: string) => string

export function mapResponsesTexts(body: Json, visit: Visit): Json {
  let out = body
  if (typeof body.instructions === 'string') out = withKey(out, 'instructions', visit(body.instructions))
  if (typeof body.input === 'string') out = withKey(out, 'input', visit(body.input))
  else if (Array.isArray(body.input)) out = withKey(out, 'input', mapArray(body.input, (item) => mapItem(item as Json, visit)))
  if (typeof body.user === 'string') out = withKey(out, 'user', visit(body.user))
  return out
}

function mapItem(item: Json, visit: Visit): Json {
  if (typeof item.content === 'string') return withKey(item, 'content', visit(item.content))
  if (Array.isArray(item.content)) return withKey(item, 'content', mapArray(item.content, (p) => mapPart(p as Json, visit)))
  if (item.type === 'function_call' && typeof item.arguments === 'string') return withKey(item, 'arguments', visit(item.arguments))
  if (item.type === 'function_call_output') {
    if (typeof item.output === 'string') return withKey(item, 'output', visit(item.output))
    if (Array.isArray(item.output)) return withKey(item, 'output', mapArray(item.output, (p) => mapPart(p as Json, visit)))
  }
  return item
}

function mapPart(part: Json, visit: Visit): Json {
  return (part.type === 'input_text' || part.type === 'output_text') && typeof part.text === 'string' ? withKey(part, 'text', visit(part.text)) : part
}

/** Output items with their text and arguments restored. */
function restoreItem(item: Json, vault: PiiVault): Json {
  if (item.type === 'function_call' && typeof item.arguments === 'string') return withKey(item, 'arguments', vault.restore(item.arguments, true))
  if (item.type === 'message' && Array.isArray(item.content)) return withKey(item, 'content', mapArray(item.content, (p) => restorePart(p as Json, vault)))
  return item
}

function restorePart(part: Json, vault: PiiVault): Json {
  if (typeof part.text === 'string') return withKey(part, 'text', vault.restore(part.text))
  if (typeof part.refusal === 'string') return withKey(part, 'refusal', vault.restore(part.refusal))
  return part
}

function restoreResponse(response: Json, vault: PiiVault): Json {
  return Array.isArray(response.output) ? withKey(response, 'output', mapArray(response.output, (i) => restoreItem(i as Json, vault))) : response
}

export function restoreResponseJson(raw: string, vault: PiiVault): string {
  if (vault.size === 0 || !raw.includes('[')) return raw
  try {
    return JSON.stringify(restoreResponse(JSON.parse(raw) as Json, vault))
  } catch {
    return vault.restore(raw, true)
  }
}

const encoder = new TextEncoder()
const frame = (e: Json) => encoder.encode(`event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`)

export function restoreResponseStream(body: ReadableStream<Uint8Array>, vault: PiiVault): ReadableStream<Uint8Array> {
  const splitter = new SseSplitter()
  const fields = new Map<string, FieldRestorer>()
  const field = (key: string, json: boolean) => {
    let f = fields.get(key)
    if (!f) fields.set(key, (f = new FieldRestorer(vault, json)))
    return f
  }
  /** What an item's field still holds back, as one more delta before its `…done` event. */
  const flush = (key: string, e: Json, type: string, emit: (b: Uint8Array) => void) => {
    const rest = fields.get(key)?.flush()
    fields.delete(key)
    if (rest) emit(frame({ type, sequence_number: e.sequence_number, item_id: e.item_id, output_index: e.output_index, ...(e.content_index !== undefined ? { content_index: e.content_index } : {}), delta: rest }))
  }

  const handle = (event: string, emit: (b: Uint8Array) => void) => {
    const data = sseDataOf(event)
    if (data === undefined || (fields.size === 0 && !data.includes('['))) return emit(encoder.encode(`${event}\n\n`))
    let e: Json
    try {
      e = JSON.parse(data) as Json
    } catch {
      return emit(encoder.encode(`${event}\n\n`))
    }
    const text = `${String(e.item_id)}:${String(e.content_index ?? 0)}`
    const args = `${String(e.item_id)}:args`
    switch (e.type) {
      case 'response.output_text.delta':
        return emit(frame({ ...e, delta: field(text, false).push(String(e.delta ?? '')) }))
      case 'response.function_call_arguments.delta':
        return emit(frame({ ...e, delta: field(args, true).push(String(e.delta ?? '')) }))
      case 'response.output_text.done':
        flush(text, e, 'response.output_text.delta', emit)
        return emit(frame({ ...e, text: vault.restore(String(e.text ?? '')) }))
      case 'response.function_call_arguments.done':
        flush(args, e, 'response.function_call_arguments.delta', emit)
        return emit(frame({ ...e, arguments: vault.restore(String(e.arguments ?? ''), true) }))
      case 'response.content_part.done':
        return emit(frame({ ...e, part: restorePart(e.part as Json, vault) }))
      case 'response.output_item.done':
        return emit(frame({ ...e, item: restoreItem(e.item as Json, vault) }))
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        return emit(frame({ ...e, response: restoreResponse(e.response as Json, vault) }))
      default:
        return emit(encoder.encode(`${event}\n\n`))
    }
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
