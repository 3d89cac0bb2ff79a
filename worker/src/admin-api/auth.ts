/**
 * Admin API access: `Authorization: Bearer <admin token>`, whose SHA-256 must equal the
 * `ADMIN_TOKEN_SHA256` secret (the token itself is stored nowhere), compared in constant time.
 * With no hash configured the admin API is closed. In the cloud the admin site's proxy holds the
 * token and Cloudflare Access guards the site; the Access identity it forwards is audited.
 *
 * @example api.use('*', adminAuth())
 */
import type { MiddlewareHandler } from 'hono'
import { secretOf } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { sha256Hex } from '../lib/hash.ts'
import { timingSafeEqualHex } from '../lib/timing-safe.ts'
import type { AdminEnv } from './types.ts'

const bearer = /^Bearer\s+(\S{8,512})\s*$/i
const identity = /^[\w.+@-]{1,200}$/

export function adminAuth(): MiddlewareHandler<AdminEnv> {
  return async function adminAuthStage(c, next) {
    const expected = secretOf(c.env, 'ADMIN_TOKEN_SHA256')?.toLowerCase()
    if (!expected || !/^[0-9a-f]{64}$/.test(expected))
      throw new GatewayError(401, 'invalid_api_key', 'The admin API is closed: no admin token is configured (ADMIN_TOKEN_SHA256).')
    const token = bearer.exec(c.req.header('authorization') ?? '')?.[1]
    if (!token) throw new GatewayError(401, 'missing_api_key', 'Missing admin token: send `Authorization: Bearer <admin token>`.')
    const hash = await sha256Hex(token)
    if (!timingSafeEqualHex(hash, expected)) throw new GatewayError(401, 'invalid_api_key', 'Invalid admin token.')
    // Cloudflare Access sets the first header in front of the gateway; the admin proxy forwards the second.
    const who = c.req.header('cf-access-authenticated-user-email') ?? c.req.header('x-watchllm-admin-user')
    c.set('adminActor', `token:${hash.slice(0, 12)}${who && identity.test(who) ? ` ${who}` : ''}`)
    await next()
  }
}
