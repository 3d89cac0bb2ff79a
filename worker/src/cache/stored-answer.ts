/**
 * How an answer is kept in a cache: one line of metadata, a newline, then the answer's JSON text
 * exactly as the client got it. A hit is served without parsing or re-serialising the body. The
 * exact cache also writes when the entry expires (`expires_at`, ms), so a tier that copies it
 * (L0, the per-location Cache API) keeps it only for the time it has left.
 */
import type { StoredAnswer } from '../env.ts'

type Meta = Omit<StoredAnswer, 'raw'> & { expires_at?: number }

export function encodeAnswer(answer: StoredAnswer, expiresAt?: number): string {
  const { raw, ...meta } = answer
  return `${JSON.stringify(expiresAt === undefined ? meta : { ...meta, expires_at: expiresAt })}\n${raw}`
}

export function decodeAnswer(value: string): StoredAnswer {
  const split = value.indexOf('\n')
  const meta = JSON.parse(value.slice(0, split)) as Meta
  delete meta.expires_at // the cache's own bookkeeping, not part of the answer
  return { ...meta, raw: value.slice(split + 1) }
}

/** When a stored value expires (ms since epoch), read from its metadata line only; undefined for entries written without it. */
export function expiresAtOf(value: string): number | undefined {
  const split = value.indexOf('\n')
  try {
    const at = (JSON.parse(value.slice(0, split)) as Meta).expires_at
    return typeof at === 'number' ? at : undefined
  } catch {
    return undefined
  }
}
