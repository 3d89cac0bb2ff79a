/**
 * Admin API access through the admin site's service binding. Only a service binding can reach the
 * `AdminApi` entrypoint (worker/src/admin-api/entrypoint.ts): the public hostname always lands on
 * the default export. So a call arriving here comes from the admin site's Pages Function, which
 * Cloudflare Access guards; no token is involved: the binding itself is the credential.
 *
 * Who is asking: with Access configured (`ACCESS_TEAM_DOMAIN`, `ACCESS_AUD`), the assertion the
 * function forwards must verify (access-jwt.ts) and its identity is what the audit records — a call
 * without a valid one is refused. Without Access configured, the site's forwarded identity header
 * is believed only locally (`WATCHLLM_ENV=local`, where nothing guards the site); in the cloud the
 * audit then names the site alone.
 *
 * @example api.use('*', adminSiteAuth())
 */
import type { MiddlewareHandler } from 'hono'
import { GatewayError } from '../errors.ts'
import { accessConfigOf, verifyAccessAssertion } from './access-jwt.ts'
import type { AdminEnv } from './types.ts'

/** The header the admin site's function forwards the Access identity in (binding calls only). */
export const ADMIN_USER_HEADER = 'x-watchllm-admin-user'
export const ACCESS_ASSERTION_HEADER = 'cf-access-jwt-assertion'
const identity = /^[\w.+@-]{1,200}$/

export function adminSiteAuth(): MiddlewareHandler<AdminEnv> {
  return async function adminSiteAuthStage(c, next) {
    const access = accessConfigOf(c.env)
    if (access) {
      const verified = await verifyAccessAssertion(c.req.header(ACCESS_ASSERTION_HEADER), access)
      if (!verified.ok)
        throw new GatewayError(401, 'invalid_api_key', `Cloudflare Access assertion ${verified.error === 'missing' ? 'missing' : 'not valid'}: sign in to the admin site again.`)
      c.set('adminActor', `admin-site ${verified.value}`)
    } else {
      const who = c.env.WATCHLLM_ENV === 'local' ? c.req.header(ADMIN_USER_HEADER) : undefined
      c.set('adminActor', `admin-site${who && identity.test(who) ? ` ${who}` : ''}`)
    }
    await next()
  }
}
