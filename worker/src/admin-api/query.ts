/**
 * The admin API's query parameters, validated with zod at the edge: a time range (ms since epoch or
 * ISO 8601; the last 24 hours by default, aligned to whole minutes as the rollups are) and the
 * filters every read endpoint shares. Also the SQL those filters become, built from bound
 * parameters only.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { GatewayError } from '../errors.ts'
import type { AdminEnv } from './types.ts'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
const MAX_RANGE = 400 * DAY

const instant = z.union([
  z.string().regex(/^\d{10,16}$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
])
const id = z.string().min(1).max(256)

export const filtersSchema = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
  project: id.optional(),
  key: id.optional(),
  model: id.optional(),
  provider: id.optional(),
  cache: z.enum(['HIT', 'SEMANTIC', 'MISS', 'BYPASS']).optional(),
  variant: id.optional(),
})

export interface Range {
  from: number
  to: number
}

export type Filters = Omit<z.output<typeof filtersSchema>, 'from' | 'to'> & Range

/** Parses `schema` (which extends the shared filters) from the query string; a bad value is a 400 naming it. */
export function parseQuery<S extends z.ZodType<z.output<typeof filtersSchema>>>(c: Context<AdminEnv>, schema: S, now: number): z.output<S> & Range {
  const parsed = schema.safeParse(c.req.query())
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const param = issue.code === 'unrecognized_keys' ? (issue.keys[0] ?? null) : issue.path.join('.') || null
    const message = issue.code === 'unrecognized_keys' ? `unknown query parameter` : issue.message
    throw new GatewayError(400, 'invalid_request', param ? `${param}: ${message}` : message, param)
  }
  const to = Math.ceil((parsed.data.to ?? now) / MINUTE) * MINUTE
  const from = Math.floor((parsed.data.from ?? to - DAY) / MINUTE) * MINUTE
  if (from >= to) throw new GatewayError(400, 'invalid_request', 'from: must be before `to`', 'from')
  if (to - from > MAX_RANGE) throw new GatewayError(400, 'invalid_request', 'from: the range may span at most 400 days', 'from')
  return { ...parsed.data, from, to }
}

/** A WHERE clause over usage_events (column `ts`) or usage_rollup_minute (column `minute`). */
export function whereOf(filters: Filters, table: 'events' | 'rollups'): { sql: string; params: (string | number)[] } {
  const time = table === 'events' ? 'ts' : 'minute'
  const clauses = [`${time} >= ?`, `${time} < ?`]
  const params: (string | number)[] = [filters.from, filters.to]
  const add = (clause: string, ...values: (string | number)[]) => {
    clauses.push(clause)
    params.push(...values)
  }
  if (filters.project) add('project = ?', filters.project)
  if (filters.key) add('key_id = ?', filters.key)
  if (filters.provider) add('provider = ?', filters.provider)
  if (filters.cache) add('cache = ?', filters.cache)
  if (filters.variant) add('variant = ?', filters.variant)
  if (filters.model)
    if (table === 'events') add('(model_served = ? OR model_requested = ?)', filters.model, filters.model)
    else add('model = ?', filters.model)
  return { sql: clauses.join(' AND '), params }
}

/** Bucket width for a time series: about 60–300 points whatever the range. */
export function stepFor(range: Range, requested?: number): number {
  if (requested) return requested
  const span = range.to - range.from
  const steps = [MINUTE, 5 * MINUTE, 15 * MINUTE, 60 * MINUTE, 6 * 60 * MINUTE, DAY]
  return steps.find((s) => span / s <= 300) ?? DAY
}

export const stepSchema = z
  .enum(['1m', '5m', '15m', '1h', '6h', '1d'])
  .transform((s) => ({ '1m': MINUTE, '5m': 5 * MINUTE, '15m': 15 * MINUTE, '1h': 60 * MINUTE, '6h': 360 * MINUTE, '1d': DAY })[s])
