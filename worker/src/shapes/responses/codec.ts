/**
 * Reading OpenAI's own Responses event stream as it is relayed untouched (native passthrough):
 * output tokens from the text, refusal, arguments and reasoning deltas (for the budget meter), the
 * end (`response.completed` / `response.incomplete` carry the whole Response: that is the answer),
 * a failure (`response.failed`, `error`), and the events a cut stream ends with, numbered on from
 * the last one relayed.
 */
import { utf8Bytes } from '../../governance/estimate.ts'
import { sseDataOf } from '../../lib/sse.ts'
import type { StreamCodec } from '../../stream/codec.ts'
import { ResponseEvents } from './events.ts'

type Json = Record<string, unknown>

const DELTAS = new Set(['response.output_text.delta', 'response.refusal.delta', 'response.function_call_arguments.delta', 'response.reasoning_summary_text.delta', 'response.reasoning_text.delta'])

export function responsesCodec(): StreamCodec<Json> {
  let last = -1
  let snapshot: Json = {}
  let final: Json | undefined
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
      if (typeof e.sequence_number === 'number') last = e.sequence_number
      const type = String(e.type)
      if (DELTAS.has(type)) return { forward: true, tokens: typeof e.delta === 'string' && e.delta ? Math.max(1, Math.ceil(utf8Bytes(e.delta) / 4)) : 0 }
      if (type === 'response.created' || type === 'response.in_progress') snapshot = (e.response as Json) ?? snapshot
      if (type === 'response.completed' || type === 'response.incomplete') {
        final = e.response as Json
        return { forward: true, end: 'complete' }
      }
      if (type === 'response.failed' || type === 'error') return { forward: true, end: 'failed' }
      return { forward: true }
    },
    result: () => final,
    errorEvent(error) {
      const [failed, err] = new ResponseEvents(last + 1).failure(snapshot, error.code, error.message)
      const out = new Uint8Array(failed!.length + err!.length)
      out.set(failed!)
      out.set(err!, failed!.length)
      return out
    },
  }
}
