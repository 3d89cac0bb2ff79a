/**
 * Defect 1 of the security review: the client's `X-Request-Id` used to be the telemetry key, so a
 * reused id hid a request's usage (`ON CONFLICT DO NOTHING`, rollups count inserted rows) or squatted
 * another project's rows. Now the gateway's own id is the key everywhere; the client's is a label.
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { genv } from '../telemetry/helpers.ts'

const DEV_KEY = 'lgw_local_dev_key'
const unique = () => crypto.randomUUID().slice(0, 8)

const ask = (requestId: string, content: string) =>
  exports.default.fetch(
    new Request('http://gateway.test/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json', 'x-request-id': requestId },
      // no-store: both requests reach the provider, so both have usage to count.
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
    }),
  )

describe('request ids', () => {
  it('two requests reusing one X-Request-Id make two events under two gateway ids (the rollup trigger counts inserted rows: both)', async () => {
    const reused = `reused-${unique()}`
    const first = await ask(reused, `first ${reused}`)
    const second = await ask(reused, `second ${reused}`)
    expect([first.status, second.status]).toEqual([200, 200])
    const ids = [first.headers.get('x-watchllm-request-id'), second.headers.get('x-watchllm-request-id')]
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/)
    expect(ids[0]).not.toBe(ids[1])
    // The client's id is echoed back as a label.
    expect(first.headers.get('x-request-id')).toBe(reused)

    const rows = await vi.waitFor(
      async () => {
        const { results } = await genv.DB.prepare('SELECT request_id, client_request_id, ts, input_tokens FROM usage_events WHERE client_request_id = ?').bind(reused).all()
        if (results.length < 2) throw new Error(`only ${results.length} events yet`)
        return results as { request_id: string; client_request_id: string; ts: number; input_tokens: number }[]
      },
      { timeout: 10_000, interval: 100 },
    )
    expect(rows.map((r) => r.request_id).sort()).toEqual([...ids].sort())
  })

  it("a client id equal to another request's gateway id touches nothing of that request", async () => {
    const victim = await ask(`victim-${unique()}`, `victim ${unique()}`)
    const victimId = victim.headers.get('x-watchllm-request-id')!
    const before = await vi.waitFor(async () => {
      const row = await genv.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?').bind(victimId).first()
      if (!row) throw new Error('no event yet')
      return row
    }, { timeout: 10_000, interval: 100 })
    const squatter = await ask(victimId, `squat ${unique()}`)
    const squatterId = squatter.headers.get('x-watchllm-request-id')!
    expect(squatterId).not.toBe(victimId)
    await vi.waitFor(async () => {
      if (!(await genv.DB.prepare('SELECT 1 FROM usage_events WHERE request_id = ?').bind(squatterId).first())) throw new Error('no event yet')
    }, { timeout: 10_000, interval: 100 })
    expect(await genv.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?').bind(victimId).first()).toEqual(before)
  })

  it('an insane X-Request-Id is neither stored nor echoed', async () => {
    const res = await ask('bad id with spaces', `insane ${unique()}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-request-id')).toBeNull()
  })
})
