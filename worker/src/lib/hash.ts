import { createHash } from 'node:crypto'
import { MAX_JSON_DEPTH } from './json-depth.ts'

/**
 * Lower-case hex SHA-256 of a string. `node:crypto` (nodejs_compat in workerd, native in Node) is
 * synchronous and several times cheaper per call than an awaited Web Crypto digest on the hot path.
 */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * Nesting canonicalJson follows: request bodies are refused past MAX_JSON_DEPTH (json-depth.ts)
 * before anything hashes them, and the gateway wraps a body in a few levels of its own.
 */
const MAX_CANONICAL_DEPTH = MAX_JSON_DEPTH + 16

/**
 * JSON with object keys sorted at every depth, so two equal values always serialise alike.
 * `undefined` members are dropped, as JSON.stringify does. Bounded: deeper than
 * MAX_CANONICAL_DEPTH it throws a RangeError of its own, never a stack overflow.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (depth >= MAX_CANONICAL_DEPTH) throw new RangeError(`canonicalJson: value nested deeper than ${MAX_CANONICAL_DEPTH} levels`)
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v, depth + 1))).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, depth + 1)}`).join(',')}}`
}
