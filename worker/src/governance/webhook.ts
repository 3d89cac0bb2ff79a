/**
 * Posts one message to a project's alert webhook, as policy formats it:
 *
 * - `slack`: `{"text": "…"}`, what Slack (and Mattermost, Discord's `/slack`) incoming webhooks take;
 * - `generic`: the message's data as JSON with its `type` and `id`, signed — headers
 *   `X-WatchLLM-Timestamp` (unix seconds) and `X-WatchLLM-Signature: sha256=<hex>`, the HMAC-SHA256
 *   of `<timestamp>.<body>` with the signing key; `X-WatchLLM-Delivery` carries the id, the same on
 *   a retry, so a receiver can drop duplicates.
 *
 * The URL and key are Worker secrets; neither ever appears in an error or a log line.
 */
import { createHmac } from 'node:crypto'
import { secretOf, type GatewayEnv } from '../env.ts'
import type { AlertsPolicy } from '../policy/governance-schema.ts'

export interface WebhookMessage {
  type: 'budget.threshold' | 'usage.report' | 'anomaly.detected'
  /** Stable per message: the idempotency key a receiver can deduplicate on. */
  id: string
  /** The human sentence (Slack shows this). */
  text: string
  data: Record<string, unknown>
}

export type Delivery = { ok: true } | { ok: false; error: string }

const TIMEOUT_MS = 5_000

export async function postWebhook(
  env: GatewayEnv,
  webhook: NonNullable<AlertsPolicy['webhook']>,
  message: WebhookMessage,
  now: number = Date.now(),
  fetcher: typeof fetch = fetch,
): Promise<Delivery> {
  const url = secretOf(env, webhook.url.secret)
  if (!url) return { ok: false, error: `secret ${webhook.url.secret} is not set` }
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'WatchLLM-Alerts/1' }
  let body: string
  if (webhook.format === 'slack') body = JSON.stringify({ text: message.text })
  else {
    const key = webhook.signing_key ? secretOf(env, webhook.signing_key.secret) : undefined
    if (!key) return { ok: false, error: `secret ${webhook.signing_key?.secret ?? '(signing_key)'} is not set` }
    body = JSON.stringify({ type: message.type, id: message.id, sent_at: new Date(now).toISOString(), text: message.text, ...message.data })
    const timestamp = String(Math.floor(now / 1000))
    headers['X-WatchLLM-Event'] = message.type
    headers['X-WatchLLM-Delivery'] = message.id
    headers['X-WatchLLM-Timestamp'] = timestamp
    headers['X-WatchLLM-Signature'] = `sha256=${signature(key, timestamp, body)}`
  }
  try {
    const res = await fetcher(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) })
    await res.body?.cancel()
    return res.ok ? { ok: true } : { ok: false, error: `HTTP ${res.status}` }
  } catch (e) {
    // The error could quote the URL (which holds a token): only its kind is kept.
    return { ok: false, error: e instanceof Error && e.name === 'TimeoutError' ? 'timeout' : 'network error' }
  }
}

/** Hex HMAC-SHA256 of `<timestamp>.<body>`: what a receiver recomputes to verify a delivery. */
export function signature(key: string, timestamp: string, body: string): string {
  return createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')
}
