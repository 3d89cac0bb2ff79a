/**
 * Defect 9 of the security review, second half: a client that goes away must stop the upstream
 * call (tokens are billed while it runs). The gateway listens to `request.signal`, which in the
 * cloud fires on disconnect only with the `enable_request_signal` compatibility flag.
 */
import { describe, expect, it, vi } from 'vitest'
import wranglerConfig from '../../wrangler.jsonc?raw'
import { createApp } from '../../src/app.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import { driveGateway } from '../drive-gateway.ts'
import { vars } from '../providers/helpers.ts'

const KEY = 'lgw_test_client_abort'
const compiled = await compilePolicy([
  {
    path: 'abort.yaml',
    text: `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
models:
  slow: { targets: [{ provider: openai, model: slow-5000, timeout_ms: 20000 }] }
projects:
  abort:
    keys: [{ id: k, sha256: ${sha256Hex(KEY)} }]
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const gateway = driveGateway(createApp(compiled.value), KEY)

describe('client abort', () => {
  it('the deployed worker has the flag that makes request.signal fire on disconnect', () => {
    const flags = /"compatibility_flags"\s*:\s*\[([^\]]*)\]/.exec(wranglerConfig)?.[1] ?? ''
    expect(flags).toContain('"enable_request_signal"')
  })

  it('a client leaving while the provider is still thinking aborts the upstream call at once', async () => {
    const marker = `abort-${crypto.randomUUID()}`
    const controller = new AbortController()
    const started = Date.now()
    const pending = gateway
      .fetch('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: marker }] }),
        signal: controller.signal,
      })
      .catch((e: unknown) => e)
    setTimeout(() => controller.abort(), 300)
    const res = await pending
    if (res instanceof Response) expect(res.status).toBe(499)
    // The fake saw its connection closed long before it would have answered (5 s).
    await vi.waitFor(
      async () => {
        const all = (await (await fetch(`${new URL(vars.FAKE_OPENAI_URL).origin}/__requests`)).json()) as { body: unknown; closedEarly?: boolean }[]
        const mine = all.find((r) => JSON.stringify(r.body).includes(marker))
        if (!mine?.closedEarly) throw new Error('upstream still open')
      },
      { timeout: 3_000, interval: 50 },
    )
    expect(Date.now() - started).toBeLessThan(3_500)
  })
})
