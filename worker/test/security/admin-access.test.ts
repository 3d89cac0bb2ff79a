/**
 * Defects 6 and 7 of the security review. The admin audit records authenticated calls only, and
 * refused ones are counted in aggregate (at most one D1 write a minute per isolate, however many
 * arrive). Who a call names is believed only from Cloudflare Access's signed assertion, verified
 * against the team's keys — here a fake team domain serving a locally generated key pair's JWKS.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { Hono } from 'hono'
import { importJWK, SignJWT, type JWTPayload } from 'jose'
import { beforeEach, describe, expect, it } from 'vitest'
import { adminApi } from '../../src/admin-api/index.ts'
import { resetRefusalCounter } from '../../src/admin-api/refusals.ts'
import type { AdminEnv } from '../../src/admin-api/types.ts'
import type { GatewayEnv } from '../../src/env.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'

const vars = env as unknown as GatewayEnv & { FAKE_ACCESS_URL: string; FAKE_ACCESS_PRIVATE_JWK: string; FAKE_ACCESS_FOREIGN_JWK: string }
const AUD = 'c0ffee0000000000000000000000000000000000000000000000000000000aud'
const TOKEN = 'lgw_admin_local_dev_token'
const compiled = await compilePolicy([{ path: 'p.yaml', text: `providers:\n  mock: { type: mock }\nmodels:\n  m: { targets: [{ provider: mock }] }\nprojects:\n  p:\n    keys: [{ id: k, sha256: ${sha256Hex('lgw_admin_access_test')} }]\n` }])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))

let clock = Date.UTC(2033, 5, 1, 10, 0) + Math.floor(Math.random() * 1000) * 3_600_000
const now = () => clock
const doorApp = (door: 'token' | 'admin-site') => new Hono<AdminEnv>().route('/admin/api', adminApi(compiled.value, now, door))
const site = doorApp('admin-site')
const tokenDoor = doorApp('token')
const withAccess: Partial<GatewayEnv> = { ACCESS_TEAM_DOMAIN: vars.FAKE_ACCESS_URL, ACCESS_AUD: AUD } as never

async function call(app: Hono<AdminEnv>, path: string, headers: Record<string, string>, overrides: Partial<GatewayEnv> = withAccess) {
  const ctx = createExecutionContext()
  const res = await app.fetch(new Request(`https://gateway.internal/admin/api${path}`, { headers }), { ...vars, ...overrides }, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

async function assertion(claims: JWTPayload, options: { key?: string; issuer?: string; audience?: string; expires?: string | number } = {}) {
  const key = await importJWK(JSON.parse(options.key ?? vars.FAKE_ACCESS_PRIVATE_JWK), 'RS256')
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'fake-access-1' })
    .setIssuer(options.issuer ?? vars.FAKE_ACCESS_URL)
    .setAudience(options.audience ?? AUD)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 10) // jose checks against the real clock
    .setExpirationTime(options.expires ?? '5m')
    .sign(key)
}

const marker = () => `?probe=${crypto.randomUUID()}`
const auditRows = async (query: string) =>
  (await vars.DB.prepare('SELECT actor, status FROM admin_audit WHERE query = ? ORDER BY id').bind(query).all()).results

beforeEach(() => resetRefusalCounter())

describe('Cloudflare Access assertions (admin site door)', () => {
  it('a valid assertion is served, and the audit names its email — not the forwarded header', async () => {
    const q2 = marker()
    const ok = await call(site, `/overview${q2}`, { 'cf-access-jwt-assertion': await assertion({ email: 'ann@example.com' }), 'x-watchllm-admin-user': 'mallory@example.com' })
    expect(ok.status).toBe(400) // `probe` is no parameter of /overview: answered, and audited with who asked
    expect(await auditRows(q2)).toEqual([{ actor: 'admin-site ann@example.com', status: 400 }])
  })

  it('an Access service token is named by its client id', async () => {
    const q = marker()
    await call(site, `/overview${q}`, { 'cf-access-jwt-assertion': await assertion({ common_name: 'abc123.access' }) })
    expect(await auditRows(q)).toEqual([{ actor: 'admin-site service-token:abc123.access', status: 400 }])
  })

  const forgeries: [string, () => Promise<Record<string, string>>][] = [
    ['no assertion', async () => ({ 'x-watchllm-admin-user': 'mallory@example.com' })],
    ['an assertion signed by a key Access never published', async () => ({ 'cf-access-jwt-assertion': await assertion({ email: 'm@example.com' }, { key: vars.FAKE_ACCESS_FOREIGN_JWK }) })],
    ['an assertion for another Access application', async () => ({ 'cf-access-jwt-assertion': await assertion({ email: 'm@example.com' }, { audience: 'another-app' }) })],
    ['an assertion from another team', async () => ({ 'cf-access-jwt-assertion': await assertion({ email: 'm@example.com' }, { issuer: 'https://other.cloudflareaccess.com' }) })],
    ['an expired assertion', async () => ({ 'cf-access-jwt-assertion': await assertion({ email: 'm@example.com' }, { expires: Math.floor(Date.now() / 1000) - 600 }) })],
    ['a token that is not a JWT', async () => ({ 'cf-access-jwt-assertion': 'not.a.jwt' })],
    ['an unsigned token (alg none)', async () => ({ 'cf-access-jwt-assertion': `${btoa('{"alg":"none"}')}.${btoa(JSON.stringify({ email: 'm@example.com', aud: AUD, iss: vars.FAKE_ACCESS_URL }))}.` })],
  ]
  for (const [what, headers] of forgeries)
    it(`${what}: 401, no audit row`, async () => {
      const q = marker()
      const res = await call(site, `/policy${q}`, await headers())
      expect(res.status).toBe(401)
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe('authentication_error')
      expect(await auditRows(q)).toEqual([])
    })

  it('in the cloud, a key set over plain http is never trusted, and without Access no forwarded identity is believed', async () => {
    const q = marker()
    const res = await call(site, `/overview${q}`, { 'x-watchllm-admin-user': 'mallory@example.com' }, { ...withAccess, WATCHLLM_ENV: 'production' } as never)
    expect(res.status).toBe(400)
    expect(await auditRows(q)).toEqual([{ actor: 'admin-site', status: 400 }])
  })
})

describe('the token door', () => {
  it('names a person only from a verified assertion, never from Cf-Access-Authenticated-User-Email', async () => {
    const fingerprint = sha256Hex(TOKEN).slice(0, 12)
    const q1 = marker()
    await call(tokenDoor, `/overview${q1}`, { authorization: `Bearer ${TOKEN}`, 'cf-access-jwt-assertion': await assertion({ email: 'ops@example.com' }) })
    expect(await auditRows(q1)).toEqual([{ actor: `token:${fingerprint} ops@example.com`, status: 400 }])
    const q2 = marker()
    await call(tokenDoor, `/overview${q2}`, {
      authorization: `Bearer ${TOKEN}`,
      'cf-access-authenticated-user-email': 'mallory@example.com',
      'cf-access-jwt-assertion': await assertion({ email: 'mallory@example.com' }, { key: vars.FAKE_ACCESS_FOREIGN_JWK }),
    })
    expect(await auditRows(q2)).toEqual([{ actor: `token:${fingerprint}`, status: 400 }])
  })
})

describe('refused calls', () => {
  it('500 refusals write no audit rows and are counted in aggregate, at most one write a minute', async () => {
    const q = marker()
    const hour = clock - (clock % 3_600_000)
    const count = async () =>
      ((await vars.DB.prepare("SELECT count FROM admin_refusals WHERE hour = ? AND door = 'token' AND status = 401").bind(hour).first<{ count: number }>())?.count ?? 0)
    const before = await count()
    // The first refusal flushes (this isolate had not written yet); the next 499 wait for the minute to pass.
    for (let i = 0; i < 500; i++) await call(tokenDoor, `/overview${q}`, i % 2 ? {} : { authorization: 'Bearer lgw_admin_wrong_token' })
    expect(await count()).toBe(before + 1)
    clock += 61_000
    await call(tokenDoor, `/overview${q}`, {})
    expect(await count()).toBe(before + 501)
    expect(await auditRows(q)).toEqual([])
  })

  it('the audit endpoint lists authenticated calls and the refusals', async () => {
    const q = marker()
    await call(tokenDoor, `/overview${q}`, { authorization: `Bearer ${TOKEN}` })
    const res = await call(tokenDoor, `/audit?from=${clock - 3_600_000}&to=${clock + 120_000}`, { authorization: `Bearer ${TOKEN}` })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { entries: { query: string; actor: string }[]; refused_total: number; refusals: { door: string; status: number }[] }
    expect(body.entries.some((e) => e.query === q && e.actor.startsWith('token:'))).toBe(true)
    expect(body.refused_total).toBeGreaterThan(0)
  })
})
