/**
 * `GET /admin/api/audit`: who read the admin API — the authenticated calls in the range, newest
 * first (actor: a token's fingerprint and/or the verified Access identity, never a token), with
 * keyset pagination — and the refused calls, counted per hour, door and status.
 */
import type { Handler } from 'hono'
import { z } from 'zod'
import { all } from './db.ts'
import { filtersSchema, parseQuery } from './query.ts'
import type { AuditEntry, AuditResponse } from './audit-types.ts'
import type { AdminEnv } from './types.ts'

const auditSchema = filtersSchema.pick({ from: true, to: true }).extend({
  actor: z.string().min(1).max(256).optional(),
  limit: z.string().regex(/^\d{1,3}$/).transform(Number).pipe(z.int().min(1).max(200)).optional(),
  cursor: z.string().regex(/^\d{1,16}$/, 'is not a cursor from a previous page').transform(Number).optional(),
})

export function auditLog(now: () => number = Date.now): Handler<AdminEnv> {
  return async function auditLogHandler(c) {
    const q = parseQuery(c, auditSchema, now())
    const clauses = ['ts >= ?', 'ts < ?']
    const params: (string | number)[] = [q.from, q.to]
    if (q.actor) (clauses.push('actor = ?'), params.push(q.actor))
    if (q.cursor !== undefined) (clauses.push('id < ?'), params.push(q.cursor))
    const limit = q.limit ?? 100
    const [rows, refusals] = await Promise.all([
      all<AuditEntry>(c.env.DB, `SELECT id, ts, actor, method, path, query, status, ip, user_agent FROM admin_audit WHERE ${clauses.join(' AND ')} ORDER BY id DESC LIMIT ?`, [...params, limit + 1]),
      all<AuditResponse['refusals'][number]>(
        c.env.DB,
        'SELECT hour, door, status, count FROM admin_refusals WHERE hour >= ? AND hour < ? ORDER BY hour, door, status',
        [q.from - (q.from % 3_600_000), q.to],
      ),
    ])
    const entries = rows.slice(0, limit)
    return c.json<AuditResponse>({
      range: { from: q.from, to: q.to },
      entries,
      next_cursor: rows.length > limit ? String(entries.at(-1)!.id) : null,
      refusals,
      refused_total: refusals.reduce((n, r) => n + r.count, 0),
    })
  }
}
