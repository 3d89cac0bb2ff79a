/**
 * Shared by the governance tests: what the fake OpenAI upstream actually received (found by a marker
 * only one test's request carries), and a request's usage event once the queue has delivered it.
 */
import { env } from 'cloudflare:workers'
import { vi } from 'vitest'
import type { GatewayEnv } from '../../src/env.ts'

const genv = env as unknown as GatewayEnv & { FAKE_OPENAI_URL: string }

export interface Received {
  path: string
  body: { model: string; messages: { role: string; content: unknown }[]; user?: string } & Record<string, unknown>
}

/** The request bodies the fake OpenAI got that contain `marker`, oldest first. */
export async function receivedBy(marker: string): Promise<Received[]> {
  const res = await fetch(`${genv.FAKE_OPENAI_URL.replace(/\/v1$/, '')}/__requests`)
  const all = (await res.json()) as Received[]
  return all.filter((r) => JSON.stringify(r.body).includes(marker))
}

export async function eventFor(requestId: string): Promise<Record<string, unknown>> {
  return vi.waitFor(
    async () => {
      const row = await genv.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?1 OR client_request_id = ?1').bind(requestId).first()
      if (!row) throw new Error(`no event yet for ${requestId}`)
      return row
    },
    { timeout: 15_000, interval: 100 },
  )
}

export const unique = (): string => crypto.randomUUID().slice(0, 8)
