/**
 * Admin API access: `Authorization: Bearer <admin token>`, whose SHA-256 must equal the
 * `ADMIN_TOKEN_SHA256` secret (the token itself is stored nowhere), compared in constant time.
 * With no hash configured this door is closed (the admin site uses the other one: its service binding,
 * site-auth.ts). No identity header means anything here; a person is named only by a Cloudflare
 * Access assertion that verifies (access-jwt.ts), when Access stands in front of this hostname.
 *
 * @example api.use('*', adminAuth())
 */
import type { MiddlewareHandler } from 'hono'
import { secretOf } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { sha256Hex } from '../lib/hash.ts'
import { timingSafeEqualHex } from '../lib/timing-safe.ts'
import { accessConfigOf, verifyAccessAssertion } from './access-jwt.ts'
import { ACCESS_ASSERTION_HEADER } from './site-auth.ts'
import type { AdminEnv } from './types.ts'

const bearer = /^Bearer\s+(\S{8,512})\s*$/i

export function adminAuth(): MiddlewareHandler<AdminEnv> {
  return async function adminAuthStage(c, next) {
    const expected = secretOf(c.env, 'ADMIN_TOKEN_SHA256')?.toLowerCase()
    if (!expected || !/^[0-9a-f]{64}$/.test(expected))
      throw new GatewayError(401, 'invalid_api_key', 'The admin API is closed: no admin token is configured (ADMIN_TOKEN_SHA256).')
    const token = bearer.exec(c.req.header('authorization') ?? '')?.[1]
    if (!token) throw new GatewayError(401, 'missing_api_key', 'Missing admin token: send `Authorization: Bearer <admin token>`.')
    const hash = await sha256Hex(token)
    if (!timingSafeEqualHex(hash, expected)) throw new GatewayError(401, 'invalid_api_key', 'Invalid admin token.')
    // Set by Cloudflare Access when it stands in front of the gateway's hostname; believed only once verified.
    const access = accessConfigOf(c.env)
    const verified = access ? await verifyAccessAssertion(c.req.header(ACCESS_ASSERTION_HEADER), access) : undefined
    c.set('adminActor', `token:${hash.slice(0, 12)}${verified?.ok ? ` ${verified.value}` : ''}`)
    await next()
  }
}
