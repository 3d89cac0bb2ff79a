/**
 * Cloudflare Access's signed assertion (`Cf-Access-Jwt-Assertion`), verified against the team's
 * signing keys (`https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`, a JWKS fetched and
 * cached by `jose`): signature, issuer (the team domain), audience (the Access application's AUD
 * tag), expiry. Only a verified assertion may name the person behind an admin call — a plain
 * header such as `Cf-Access-Authenticated-User-Email` can be set by anyone who reaches the Worker.
 *
 * Configured by two Worker vars: `ACCESS_TEAM_DOMAIN` (`myteam.cloudflareaccess.com`) and
 * `ACCESS_AUD`. Outside `WATCHLLM_ENV=local` the team domain must be https.
 *
 * @example const who = await verifyAccessAssertion(c.req.header('cf-access-jwt-assertion'), accessConfigOf(c.env)!)
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose'
import { secretOf, type GatewayEnv } from '../env.ts'
import { err, ok, type Result } from '../lib/result.ts'

export interface AccessConfig {
  /** `https://myteam.cloudflareaccess.com`: the issuer, and where the keys are. */
  teamUrl: string
  aud: string
}

export type AccessRefusal = 'missing' | 'invalid' | 'no_identity'

const identity = /^[\w.+@-]{1,200}$/

export function accessConfigOf(env: GatewayEnv): AccessConfig | undefined {
  const team = secretOf(env, 'ACCESS_TEAM_DOMAIN')?.trim()
  const aud = secretOf(env, 'ACCESS_AUD')?.trim()
  if (!team || !aud) return undefined
  const teamUrl = (/^https?:\/\//.test(team) ? team : `https://${team}`).replace(/\/+$/, '')
  // A key set fetched in clear text could be swapped in transit: only the local stand-in may use http.
  if (teamUrl.startsWith('http://') && env.WATCHLLM_ENV !== 'local') return undefined
  return { teamUrl, aud }
}

/** One key set per team domain for the isolate's life (jose caches and refreshes the keys itself). */
const keySets = new Map<string, JWTVerifyGetKey>()
const MAX_KEY_SETS = 4

function keySetOf(teamUrl: string): JWTVerifyGetKey {
  let keys = keySets.get(teamUrl)
  if (!keys) {
    if (keySets.size >= MAX_KEY_SETS) keySets.clear()
    keys = createRemoteJWKSet(new URL(`${teamUrl}/cdn-cgi/access/certs`), { timeoutDuration: 3_000, cooldownDuration: 30_000 })
    keySets.set(teamUrl, keys)
  }
  return keys
}

/** The verified identity: the person's email, or `service-token:<client id>` for an Access service token. */
export async function verifyAccessAssertion(token: string | undefined, config: AccessConfig): Promise<Result<string, AccessRefusal>> {
  if (!token) return err('missing')
  try {
    const { payload } = await jwtVerify(token, keySetOf(config.teamUrl), {
      issuer: config.teamUrl,
      audience: config.aud,
      algorithms: ['RS256'],
      clockTolerance: 60,
    })
    if (typeof payload.email === 'string' && identity.test(payload.email)) return ok(payload.email)
    const client = payload.common_name
    if (typeof client === 'string' && identity.test(client)) return ok(`service-token:${client}`)
    return err('no_identity')
  } catch {
    return err('invalid')
  }
}
