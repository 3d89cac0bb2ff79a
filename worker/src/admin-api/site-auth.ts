/**
 * Admin API access through the admin site's service binding. Only a service binding can reach the
 * `AdminApi` entrypoint (worker/src/admin-api/entrypoint.ts): the public hostname always lands on
 * the default export. So a call arriving here comes from the admin site's Pages Function, which
 * Cloudflare Access guards, and the identity it forwards is the one Access put on the request.
 * No token is involved: the binding itself is the credential.
 *
 * @example api.use('*', adminSiteAuth())
 */
import type { MiddlewareHandler } from 'hono'
import type { AdminEnv } from './types.ts'

/** The header the admin site's function forwards the Access identity in (binding calls only). */
export const ADMIN_USER_HEADER = 'x-watchllm-admin-user'
const identity = /^[\w.+@-]{1,200}$/

export function adminSiteAuth(): MiddlewareHandler<AdminEnv> {
  return async function adminSiteAuthStage(c, next) {
    const who = c.req.header(ADMIN_USER_HEADER)
    c.set('adminActor', `admin-site${who && identity.test(who) ? ` ${who}` : ''}`)
    await next()
  }
}
