/**
 * The admin API's private door: a named entrypoint (`AdminApi`) that only service bindings reach,
 * bound to the admin site's Pages Function as GATEWAY. It serves the same read-only routes as
 * `/admin/api` on the public hostname, authorised by the binding instead of the admin token, so the
 * admin API need not be public at all (the token door stays for automation when a stack sets one).
 *
 * @example export const AdminApi = adminSiteEntrypoint(bundledPolicy)   // worker/src/index.ts
 */
import { WorkerEntrypoint } from 'cloudflare:workers'
import { Hono } from 'hono'
import type { GatewayEnv } from '../env.ts'
import { notFound, toErrorResponse } from '../errors.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { adminApi } from './index.ts'
import type { AdminEnv } from './types.ts'

export function adminSiteEntrypoint(policy: CompiledPolicy): typeof WorkerEntrypoint<GatewayEnv> {
  const app = new Hono<AdminEnv>()
  app.route('/admin/api', adminApi(policy, Date.now, 'admin-site'))
  app.onError(toErrorResponse)
  app.notFound(notFound)
  return class AdminApi extends WorkerEntrypoint<GatewayEnv> {
    override fetch(request: Request): Promise<Response> {
      return Promise.resolve(app.fetch(request, this.env, this.ctx))
    }
  }
}
