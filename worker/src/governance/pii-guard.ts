/**
 * The PII half of the guard stage, pure: a project's `pii` policy compiled once (which kinds to
 * redact, which block), then applied to a request body — every message's text, tool-call
 * arguments, the `user` field, an embeddings input. One scan per text finds every kind in play;
 * a kind marked `block` anywhere refuses the request, otherwise each value becomes its placeholder
 * and the body is copied (the client's object is never changed).
 */
import { piiKinds, type PiiKind, type PiiSpan } from './pii/kinds.ts'
import { scanPii } from './pii/scan.ts'
import { PiiVault } from './pii/vault.ts'
import type { PiiPolicy } from '../policy/pii.ts'

export interface CompiledPii {
  scanned: ReadonlySet<PiiKind>
  blocked: ReadonlySet<PiiKind>
  restore: boolean
}

export function compilePii(policy: PiiPolicy | undefined): CompiledPii | undefined {
  if (!policy) return undefined
  const actionOf = (kind: PiiKind) => policy[kind] ?? policy.default
  const scanned = new Set(piiKinds.filter((k) => actionOf(k) !== 'allow'))
  if (scanned.size === 0) return undefined
  return { scanned, blocked: new Set(piiKinds.filter((k) => actionOf(k) === 'block')), restore: policy.restore }
}

export type PiiResult =
  | { blocked: Map<PiiKind, number> }
  | { blocked?: undefined; body: Record<string, unknown>; vault: PiiVault }

/** `texts` walks the body's texts: a chat or embeddings request by default, another shape's by its own walk (shapes/). */
export function guardPii(body: Record<string, unknown>, pii: CompiledPii, texts: (body: Record<string, unknown>, visit: Visit) => Record<string, unknown> = visitTexts): PiiResult {
  // Pass 1: find everything (one scan per text), so a block can name every kind it found.
  const found: { text: string; spans: PiiSpan[] }[] = []
  const blocked = new Map<PiiKind, number>()
  texts(body, (text) => {
    const spans = scanPii(text, pii.scanned)
    for (const s of spans) if (pii.blocked.has(s.kind)) blocked.set(s.kind, (blocked.get(s.kind) ?? 0) + 1)
    found.push({ text, spans })
    return text
  })
  if (blocked.size > 0) return { blocked }

  // Pass 2: the same texts, in the same order, replaced by their redacted form.
  const vault = new PiiVault()
  if (found.every((f) => f.spans.length === 0)) return { body, vault }
  let i = 0
  const redacted = texts(body, () => {
    const { text, spans } = found[i++]!
    return spans.length === 0 ? text : vault.replace(text, spans)
  })
  return { body: redacted, vault }
}

type Visit = (text: string) => string

/** Calls `visit` on every text of the request, in a fixed order; returns the body with the results (copied where changed). */
function visitTexts(body: Record<string, unknown>, visit: Visit): Record<string, unknown> {
  let out = body
  const set = (key: string, value: unknown) => {
    if (value !== body[key]) out = out === body ? { ...body, [key]: value } : Object.assign(out, { [key]: value })
  }
  if (Array.isArray(body.messages)) set('messages', mapArray(body.messages, (m) => visitMessage(m, visit)))
  if (typeof body.input === 'string') set('input', visit(body.input))
  else if (Array.isArray(body.input)) set('input', mapArray(body.input, (x) => (typeof x === 'string' ? visit(x) : x)))
  if (typeof body.user === 'string') set('user', visit(body.user))
  return out
}

function visitMessage(message: unknown, visit: Visit): unknown {
  if (!message || typeof message !== 'object') return message
  const m = message as Record<string, unknown>
  let out = m
  const set = (key: string, value: unknown) => {
    if (value !== m[key]) out = out === m ? { ...m, [key]: value } : Object.assign(out, { [key]: value })
  }
  if (typeof m.content === 'string') set('content', visit(m.content))
  else if (Array.isArray(m.content))
    set('content', mapArray(m.content, (part) => {
      const p = part as Record<string, unknown> | null
      if (!p || p.type !== 'text' || typeof p.text !== 'string') return part
      const text = visit(p.text)
      return text === p.text ? part : { ...p, text }
    }))
  if (Array.isArray(m.tool_calls))
    set('tool_calls', mapArray(m.tool_calls, (call) => {
      const fn = (call as { function?: { arguments?: unknown } } | null)?.function
      if (!fn || typeof fn.arguments !== 'string') return call
      const args = visit(fn.arguments)
      return args === fn.arguments ? call : { ...(call as object), function: { ...fn, arguments: args } }
    }))
  return out
}

/** `array.map`, but the same array back when nothing changed. */
function mapArray(array: unknown[], f: (x: unknown) => unknown): unknown[] {
  let out: unknown[] | undefined
  array.forEach((x, i) => {
    const y = f(x)
    if (y !== x) (out ??= array.slice())[i] = y
  })
  return out ?? array
}

/** `email=2, card=1`: what `X-WatchLLM-Pii` says, kinds in a fixed order. */
export function piiHeader(counts: ReadonlyMap<PiiKind, number>): string {
  return piiKinds.filter((k) => counts.has(k)).map((k) => `${k}=${counts.get(k)}`).join(', ')
}
