/**
 * Who is calling: `Authorization: Bearer lgw_…` (or `x-api-key`, as Anthropic clients send it).
 * Keys exist only as SHA-256 hashes in policy; the hash found is compared in constant time, and a
 * local-only key (the documented dev key) is refused anywhere but `WATCHLLM_ENV=local`.
 *
 * @example app.use('/v1/*', authenticate(policy))
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { acceptedKeyHashes } from '../lib/key-hash-memo.ts'
import { timingSafeEqualHex } from '../lib/timing-safe.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { own } from '../lib/own.ts'

export function authenticate(policy: CompiledPolicy): MiddlewareHandler<AppEnv> {
  const keys = new Map(Object.entries(policy.keys).map(([sha256, owner]) => [sha256, { ...owner, sha256 }]))
  return async function authenticateStage(c, next) {
    const presented = bearer(c.req.header('authorization')) ?? c.req.header('x-api-key')?.trim()
    if (!presented)
      throw new GatewayError(401, 'missing_api_key', 'Missing API key: send `Authorization: Bearer lgw_…`.')
    const hash = acceptedKeyHashes.hash(presented) // a key accepted before is not hashed again (lib/key-hash-memo.ts)
    const entry = keys.get(hash)
    // The map finds the candidate by hash (an attacker cannot steer a hash's prefix); the final
    // comparison of the full digests is constant-time all the same.
    const accepted =
      entry !== undefined && timingSafeEqualHex(hash, entry.sha256) && (!entry.localOnly || c.env.WATCHLLM_ENV === 'local')
    // One message for unknown, revoked and local-only keys: the caller learns nothing about which.
    if (!entry || !accepted) throw new GatewayError(401, 'invalid_api_key', 'Invalid API key.')
    const project = own(policy.projects, entry.project)
    if (!project) throw new GatewayError(401, 'invalid_api_key', 'Invalid API key.')
    acceptedKeyHashes.accepted(presented, hash)
    c.set('caller', { project: entry.project, keyId: entry.keyId, localOnly: entry.localOnly, keyHash: hash })
    c.set('project', project)
    await next()
  }
}

function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

