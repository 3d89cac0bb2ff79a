/**
 * Puts a request's redacted values back into its answer (`pii.restore: true`), so the user sees
 * their own data while the provider — and the cache, which keeps the answer with its placeholders —
 * never did. JSON answers are restored whole; streams event by event, where a placeholder may be
 * split across chunks (`[EMA` + `IL_1]`): only a chunk's tail that could still become a placeholder
 * is held back, until the next chunk of the same field or the choice's end, never other text.
 */
import { SseSplitter, sseDataOf } from '../../lib/sse.ts'
import { MAX_PLACEHOLDER_LENGTH, placeholderEnd, type PiiVault } from './vault.ts'

interface ChoiceLike {
  index?: number
  message?: { content?: unknown; tool_calls?: { function?: { arguments?: unknown } }[] }
  delta?: { content?: unknown; tool_calls?: { index?: number; function?: { arguments?: unknown } }[] }
  finish_reason?: unknown
}

/** A ChatCompletion's JSON text with the placeholders in its message content and tool arguments restored. */
export function restoreCompletion(raw: string, vault: PiiVault): string {
  if (vault.size === 0 || !raw.includes('[')) return raw
  let completion: { choices?: ChoiceLike[] }
  try {
    completion = JSON.parse(raw) as { choices?: ChoiceLike[] }
  } catch {
    return vault.restore(raw, true) // not JSON after all: values escaped as for a JSON string
  }
  for (const choice of completion.choices ?? []) {
    const m = choice.message
    if (!m) continue
    if (typeof m.content === 'string') m.content = vault.restore(m.content)
    // Tool arguments are JSON text inside a string: values go in JSON-escaped.
    for (const call of m.tool_calls ?? []) if (call.function && typeof call.function.arguments === 'string') call.function.arguments = vault.restore(call.function.arguments, true)
  }
  return JSON.stringify(completion)
}

/** One streamed text field (a choice's content, a tool call's arguments, or another shape's text delta). */
export class FieldRestorer {
  private held = ''
  private readonly vault: PiiVault
  private readonly json: boolean

  constructor(vault: PiiVault, json: boolean) {
    this.vault = vault
    this.json = json
  }

  push(text: string): string {
    let all = this.held + text
    this.held = ''
    const open = all.lastIndexOf('[')
    if (open >= 0 && all.length - open < MAX_PLACEHOLDER_LENGTH && placeholderEnd(all, open) < 0 && this.vault.couldStartPlaceholder(all.slice(open))) {
      this.held = all.slice(open)
      all = all.slice(0, open)
    }
    return this.vault.restore(all, this.json)
  }

  flush(): string {
    const rest = this.held
    this.held = ''
    return this.vault.restore(rest, this.json)
  }
}

const encoder = new TextEncoder()

export function restoreStream(body: ReadableStream<Uint8Array>, vault: PiiVault): ReadableStream<Uint8Array> {
  const splitter = new SseSplitter()
  const fields = new Map<string, FieldRestorer>()
  let meta: Record<string, unknown> = {}
  const field = (key: string, json: boolean) => {
    let f = fields.get(key)
    if (!f) fields.set(key, (f = new FieldRestorer(vault, json)))
    return f
  }
  /** What a choice still holds back, as delta fields. */
  const flushChoice = (index: number, delta: NonNullable<ChoiceLike['delta']>) => {
    for (const [key, f] of fields) {
      const [choice, name] = key.split(':') as [string, string]
      if (Number(choice) !== index) continue
      const rest = f.flush()
      fields.delete(key)
      if (!rest) continue
      if (name === 'c') delta.content = `${typeof delta.content === 'string' ? delta.content : ''}${rest}`
      else (delta.tool_calls ??= []).push({ index: Number(name.slice(1)), function: { arguments: rest } })
    }
  }

  const handle = (event: string, controller: TransformStreamDefaultController<Uint8Array>) => {
    const data = sseDataOf(event)
    const single = data !== undefined && event === `data: ${data}`
    if (data === '[DONE]') flushAll(controller)
    if (!single || data === '[DONE]' || (fields.size === 0 && !data.includes('['))) return controller.enqueue(encoder.encode(`${event}\n\n`))
    let chunk: { choices?: ChoiceLike[] } & Record<string, unknown>
    try {
      chunk = JSON.parse(data) as typeof chunk
    } catch {
      return controller.enqueue(encoder.encode(`${event}\n\n`))
    }
    if (!Array.isArray(chunk.choices)) return controller.enqueue(encoder.encode(`${event}\n\n`))
    meta = { id: chunk.id, object: chunk.object, created: chunk.created, model: chunk.model }
    for (const choice of chunk.choices) {
      const delta = choice.delta
      if (!delta) continue
      const index = choice.index ?? 0
      if (typeof delta.content === 'string') delta.content = field(`${index}:c`, false).push(delta.content)
      for (const call of delta.tool_calls ?? [])
        if (call.function && typeof call.function.arguments === 'string') call.function.arguments = field(`${index}:t${call.index ?? 0}`, true).push(call.function.arguments)
      if (choice.finish_reason != null) flushChoice(index, delta)
    }
    controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`))
  }

  /** A stream that ends without finishing a choice still gets what was held, in one last chunk. */
  const flushAll = (controller: TransformStreamDefaultController<Uint8Array>) => {
    const indexes = new Set([...fields.keys()].map((k) => Number(k.split(':')[0])))
    for (const index of indexes) {
      const delta: NonNullable<ChoiceLike['delta']> = {}
      flushChoice(index, delta)
      if (delta.content !== undefined || delta.tool_calls)
        controller.enqueue(encoder.encode(`data: ${JSON.stringify({ ...meta, choices: [{ index, delta, finish_reason: null }] })}\n\n`))
    }
  }

  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        for (const event of splitter.push(chunk)) handle(event, controller)
      },
      flush(controller) {
        const rest = splitter.end()
        if (rest) handle(rest, controller)
        flushAll(controller)
      },
    }),
  )
}
