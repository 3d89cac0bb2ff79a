/**
 * The admin API's audit: every *authenticated* call (the door's auth stage named an actor) becomes a
 * row in `admin_audit`, written in `waitUntil` after the answer. Refused calls are only counted in
 * aggregate (refusals.ts), so anonymous traffic cannot turn into a D1 write per request. Preflight
 * requests are not accesses and are not recorded.
 *
 * @example api.use('*', auditAdminAccess(Date.now, 'token'))
 */
import type { Context, MiddlewareHandler } from 'hono'
import { countRefusal, type AdminDoor } from './refusals.ts'
import type { AdminEnv } from './types.ts'

const INSERT = `INSERT INTO admin_audit (ts, actor, method, path, query, status, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

export function auditAdminAccess(now: () => number = Date.now, door: AdminDoor = 'token'): MiddlewareHandler<AdminEnv> {
  return async function auditAdminAccessStage(c, next) {
    if (c.req.method === 'OPTIONS') return next()
    const at = now()
    await next()
    const actor = c.get('adminActor')
    if (!actor) {
      const flush = countRefusal(c.env.DB, door, c.res.status, at)
      if (flush) waitUntil(c, flush)
      return
    }
    const url = new URL(c.req.url)
    const write = c.env.DB.prepare(INSERT)
      .bind(
        at,
        actor,
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
    waitUntil(c, write)
  }
}

function waitUntil(c: Context<AdminEnv>, work: Promise<void>): void {
  try {
    c.executionCtx.waitUntil(work)
  } catch {
    // No execution context (unit tests): the write still runs.
  }
}
