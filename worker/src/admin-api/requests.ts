/**
 * `GET /admin/api/requests`: the raw events, newest first, filtered, with keyset (cursor)
 * pagination — stable while new events arrive. `GET /admin/api/requests/:id`: one event whole.
 */
import type { Handler } from 'hono'
import { z } from 'zod'
import { GatewayError } from '../errors.ts'
import { eventColumns } from '../telemetry/d1-writer.ts'
import { all, first } from './db.ts'
import { filtersSchema, parseQuery, whereOf } from './query.ts'
import type { RequestDetail, RequestsResponse, RequestSummary } from './responses.ts'
import type { AdminEnv } from './types.ts'

const LIST_COLUMNS = [
  'request_id', 'ts', 'project', 'key_id', 'endpoint', 'model_requested', 'model_served', 'provider', 'variant',
  'stream', 'cache', 'similarity', 'status', 'error_code', 'latency_ms', 'ttfb_ms', 'input_tokens', 'output_tokens',
  'cost_usd', 'cost_saved_usd', 'price_status',
] as const

const listSchema = filtersSchema.extend({
  status: z.union([z.enum(['ok', 'error']), z.string().regex(/^[1-5]\d\d$/).transform(Number)]).optional(),
  session: z.string().min(1).max(128).optional(),
  user: z.string().min(1).max(128).optional(),
  limit: z.string().regex(/^\d{1,3}$/).transform(Number).pipe(z.int().min(1).max(200)).optional(),
  cursor: z.string().regex(/^\d{1,16}:[\w.:-]{1,128}$/, 'is not a cursor from a previous page').optional(),
})

/** The rows as SQLite returns them: booleans as 0/1, JSON as text. */
type SummaryRow = Omit<RequestSummary, 'stream'> & { stream: number }
type DetailRow = Omit<RequestDetail, 'stream' | 'completed' | 'pii' | 'attempts_detail' | 'pii_counts' | 'rules'> & {
  stream: number
  completed: number
  pii: string | null
  attempts_detail: string | null
  pii_counts: string | null
  rules: string | null
}

export function listRequests(now: () => number = Date.now): Handler<AdminEnv> {
  return async function listRequestsHandler(c) {
    const q = parseQuery(c, listSchema, now())
    const where = whereOf(q, 'events')
    const clauses = [where.sql]
    const params = [...where.params]
    if (q.status === 'ok') clauses.push('status < 400')
    else if (q.status === 'error') clauses.push('status >= 400')
    else if (typeof q.status === 'number') (clauses.push('status = ?'), params.push(q.status))
    if (q.session) (clauses.push('session = ?'), params.push(q.session))
    if (q.user) (clauses.push('user_id = ?'), params.push(q.user))
    if (q.cursor) {
      const split = q.cursor.indexOf(':')
      const ts = Number(q.cursor.slice(0, split))
      clauses.push('(ts < ? OR (ts = ? AND request_id < ?))')
      params.push(ts, ts, q.cursor.slice(split + 1))
    }
    const limit = q.limit ?? 50
    const rows = await all<SummaryRow>(
      c.env.DB,
      `SELECT ${LIST_COLUMNS.join(', ')} FROM usage_events WHERE ${clauses.join(' AND ')} ORDER BY ts DESC, request_id DESC LIMIT ?`,
      [...params, limit + 1],
    )
    const page = rows.slice(0, limit).map((row): RequestSummary => ({ ...row, stream: row.stream === 1 }))
    const last = page.at(-1)
    return c.json<RequestsResponse>({
      range: { from: q.from, to: q.to },
      items: page,
      next_cursor: rows.length > limit && last ? `${last.ts}:${last.request_id}` : null,
    })
  }
}

export function requestDetail(): Handler<AdminEnv> {
  return async function requestDetailHandler(c) {
    const id = c.req.param('id')
    if (!id || !/^[\w.:-]{1,128}$/.test(id)) throw new GatewayError(400, 'invalid_request', 'id: not a request id', 'id')
    const row = await first<DetailRow>(
      c.env.DB,
      `SELECT ${eventColumns.join(', ')} FROM usage_events WHERE request_id = ?`,
      [id],
    )
    if (!row) throw new GatewayError(404, 'not_found', `No event for request ${id} (it may not have been written yet).`, 'id')
    return c.json<RequestDetail>({
      ...row,
      stream: row.stream === 1,
      completed: row.completed === 1,
      pii: row.pii === null ? null : (JSON.parse(row.pii) as string[]),
      attempts_detail: row.attempts_detail === null ? [] : (JSON.parse(row.attempts_detail) as RequestDetail['attempts_detail']),
      pii_counts: row.pii_counts === null ? null : (JSON.parse(row.pii_counts) as Record<string, number>),
      rules: row.rules === null ? null : (JSON.parse(row.rules) as RequestDetail['rules']),
    })
  }
}
