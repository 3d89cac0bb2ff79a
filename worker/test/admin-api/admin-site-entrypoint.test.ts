/**
 * The admin API's private door: the `AdminApi` entrypoint only a service binding reaches (the admin
 * site's Pages Function). No token is needed there, the forwarded Access identity is what the audit
 * records, and the public hostname never trusts that same header.
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { PolicyResponse } from '../../src/admin-api/responses.ts'
import { genv } from '../telemetry/helpers.ts'

const viaBinding = (path: string, headers: Record<string, string> = {}) =>
  (exports as unknown as { AdminApi: Fetcher }).AdminApi.fetch(`https://gateway.internal/admin/api${path}`, { headers })
const auditOf = (query: string) =>
  expect.poll(async () => genv.DB.prepare('SELECT actor, status FROM admin_audit WHERE query = ?').bind(query).first())

describe('the AdminApi entrypoint (service binding)', () => {
  it('serves the read API without a token and audits the forwarded identity', async () => {
    const marker = `?probe=${crypto.randomUUID()}`
    const policy = await viaBinding('/policy')
    expect(policy.status).toBe(200)
    expect(((await policy.json()) as PolicyResponse).hash).toMatch(/^[0-9a-f]{64}$/)
    const res = await viaBinding(`/overview${marker}`, { 'x-watchllm-admin-user': 'ann@example.com' })
    expect(res.status).toBe(400) // unknown parameter, but answered and audited
    await auditOf(marker).toEqual({ actor: 'admin-site ann@example.com', status: 400 })
  })

  it('records a malformed identity as the site alone', async () => {
    const marker = `?probe=${crypto.randomUUID()}`
    await viaBinding(`/overview${marker}`, { 'x-watchllm-admin-user': 'ann@example.com; DROP TABLE' })
    await auditOf(marker).toEqual({ actor: 'admin-site', status: 400 })
  })

  it('is read-only like the public door', async () => {
    const res = await (exports as unknown as { AdminApi: Fetcher }).AdminApi.fetch('https://gateway.internal/admin/api/overview', { method: 'POST', body: '{}' })
    expect(res.status).toBe(405)
  })

  it('the public hostname still needs the admin token, and never takes the site’s identity header', async () => {
    const res = await exports.default.fetch(new Request('http://gateway.test/admin/api/policy', { headers: { 'x-watchllm-admin-user': 'ann@example.com' } }))
    expect(res.status).toBe(401)
    const marker = `?probe=${crypto.randomUUID()}`
    await exports.default.fetch(
      new Request(`http://gateway.test/admin/api/overview${marker}`, { headers: { authorization: 'Bearer lgw_admin_local_dev_token', 'x-watchllm-admin-user': 'mallory@example.com' } }),
    )
    await auditOf(marker).toEqual({ actor: expect.stringMatching(/^token:[0-9a-f]{12}$/), status: 400 })
  })
})
