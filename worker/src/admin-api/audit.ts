/**
 * Every admin API call, allowed or refused, becomes a row in `admin_audit` (written in `waitUntil`,
 * after the answer). Preflight requests are not accesses and are not recorded.
 *
 * @example api.use('*', auditAdminAccess())
 */
import type { MiddlewareHandler } from 'hono'
import type { AdminEnv } from './types.ts'

const INSERT = `INSERT INTO admin_audit (ts, actor, method, path, query, status, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

export function auditAdminAccess(now: () => number = Date.now): MiddlewareHandler<AdminEnv> {
  return async function auditAdminAccessStage(c, next) {
    if (c.req.method === 'OPTIONS') return next()
    const at = now()
    await next()
    const url = new URL(c.req.url)
    const write = c.env.DB.prepare(INSERT)
      .bind(
        at,
        c.var.adminActor ?? 'anonymous',
        c.req.method,
        url.pathname.slice(0, 512),
        url.search.slice(0, 1024),
        c.res.status,
        c.req.header('cf-connecting-ip') ?? null,
        c.req.header('user-agent')?.slice(0, 256) ?? null,
      )
      .run()
      .then(() => undefined)
      .catch((e: unknown) => console.error(JSON.stringify({ audit: 'write_failed', path: url.pathname, status: c.res.status, error: String(e) })))
    try {
      c.executionCtx.waitUntil(write)
    } catch {
      // No execution context (unit tests): the write still runs.
    }
  }
}
