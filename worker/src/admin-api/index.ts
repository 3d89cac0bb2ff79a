/**
 * The admin read API, mounted at `/admin/api`: read-only JSON over the telemetry in D1 and the
 * deployed policy. Every authenticated call is audited (refused ones are counted in aggregate); every
 * call but a CORS preflight needs the admin token (or, through the admin site, its binding);
 * browsers may call it only from `ADMIN_ORIGIN` (the admin site normally goes through its own
 * same-origin proxy and needs no CORS at all).
 *
 * @example app.route('/admin/api', adminApi(policy))
 */
import { Hono, type MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import { secretOf } from '../env.ts'
import { GatewayError, toErrorResponse } from '../errors.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { auditAdminAccess } from './audit.ts'
import { auditLog } from './audit-log.ts'
import { adminAuth } from './auth.ts'
import { adminSiteAuth } from './site-auth.ts'
import { cacheStats } from './cache.ts'
import { costs } from './costs.ts'
import { budgets } from './budgets.ts'
import { experiments, guardrails } from './governance.ts'
import { overview, timeseries } from './overview.ts'
import { isolateCaches } from './isolate.ts'
import { deployedPolicy } from './policy.ts'
import { listRequests, requestDetail } from './requests.ts'
import { semanticVerification } from './semantic-verification.ts'
import type { AdminEnv } from './types.ts'

export function adminApi(policy: CompiledPolicy, now: () => number = Date.now, door: 'token' | 'admin-site' = 'token'): Hono<AdminEnv> {
  const api = new Hono<AdminEnv>()
  api.use('*', adminCors(), auditAdminAccess(now, door), noStore(), door === 'token' ? adminAuth() : adminSiteAuth())

  api.get('/overview', overview(now))
  api.get('/timeseries', timeseries(now))
  api.get('/requests', listRequests(now))
  api.get('/requests/:id', requestDetail())
  api.get('/cache', cacheStats(now))
  api.get('/cache/semantic', semanticVerification(policy, now))
  api.get('/costs', costs(now))
  api.get('/experiments', experiments(policy, now))
  api.get('/budgets', budgets(policy, now))
  api.get('/guardrails', guardrails(policy, now))
  api.get('/policy', deployedPolicy(policy))
  api.get('/audit', auditLog(now))
  api.get('/isolate', isolateCaches())

  api.all('*', (c) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD')
      throw new GatewayError(405, 'method_not_allowed', 'The admin API is read-only: only GET is allowed.')
    throw new GatewayError(404, 'not_found', `No admin endpoint ${new URL(c.req.url).pathname}`)
  })
  api.onError(toErrorResponse)
  return api
}

/** CORS for exactly the configured admin origin; any other origin gets no CORS headers. */
function adminCors(): MiddlewareHandler<AdminEnv> {
  const handlers = new Map<string, MiddlewareHandler<AdminEnv>>()
  return async function adminCorsStage(c, next) {
    const allowed = secretOf(c.env, 'ADMIN_ORIGIN')
    if (!allowed) return next()
    let handler = handlers.get(allowed)
    if (!handler) {
      handler = cors({
        origin: (origin) => (origin === allowed ? origin : null),
        allowMethods: ['GET', 'OPTIONS'],
        allowHeaders: ['Authorization', 'Content-Type'],
        maxAge: 600,
      })
      handlers.set(allowed, handler)
    }
    return handler(c, next)
  }
}

/** Admin data is per-caller and changes by the second: never cached by browsers or proxies. */
function noStore(): MiddlewareHandler<AdminEnv> {
  return async function noStoreStage(c, next) {
    await next()
    c.res.headers.set('Cache-Control', 'no-store')
  }
}
