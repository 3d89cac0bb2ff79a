/**
 * How an answer is kept in a cache: one line of metadata, a newline, then the answer's JSON text
 * exactly as the client got it. A hit is served without parsing or re-serialising the body.
 */
import type { StoredAnswer } from '../env.ts'

export function encodeAnswer(answer: StoredAnswer): string {
  const { raw, ...meta } = answer
  return `${JSON.stringify(meta)}\n${raw}`
}

export function decodeAnswer(value: string): StoredAnswer {
  const split = value.indexOf('\n')
  const meta = JSON.parse(value.slice(0, split)) as Omit<StoredAnswer, 'raw'>
  return { ...meta, raw: value.slice(split + 1) }
}
