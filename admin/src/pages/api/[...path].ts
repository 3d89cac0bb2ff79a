/**
 * The same-origin, read-only proxy to the gateway's admin API: `GET /api/<endpoint>?…` →
 * `GET <GATEWAY_URL>/admin/api/<endpoint>?…` with the admin token this site holds as a secret.
 * The one on-demand route of the site; everything else is static. Behind Cloudflare Access in the
 * cloud: the Access identity is forwarded so the gateway's audit log names the person.
 */
import type { APIRoute } from 'astro'
import { env } from 'cloudflare:workers'

export const prerender = false

const endpoint = /^(?:overview|timeseries|requests|requests\/[\w.:-]{1,128}|cache|cache\/semantic|costs|experiments|budgets|guardrails|policy)$/
const TIMEOUT_MS = 12_000

const problem = (status: number, message: string, code: string) =>
  new Response(JSON.stringify({ error: { message, type: 'admin_proxy_error', param: null, code } }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  })

export const GET: APIRoute = async ({ params, request }) => {
  const path = params.path ?? ''
  if (!endpoint.test(path)) return problem(404, `No admin endpoint /api/${path}`, 'not_found')
  const GATEWAY_URL = typeof env.GATEWAY_URL === 'string' ? env.GATEWAY_URL : ''
  const ADMIN_TOKEN = typeof env.ADMIN_TOKEN === 'string' ? env.ADMIN_TOKEN : ''
  if (!GATEWAY_URL || !ADMIN_TOKEN)
    return problem(503, 'The admin site is not connected to a gateway: set GATEWAY_URL and the ADMIN_TOKEN secret.', 'not_configured')

  const target = new URL(`/admin/api/${path}`, GATEWAY_URL)
  target.search = new URL(request.url).search
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'application/json' }
  const who = request.headers.get('cf-access-authenticated-user-email')
  if (who) headers['x-watchllm-admin-user'] = who
  try {
    const upstream = await fetch(target, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) })
    return new Response(upstream.body, {
      status: upstream.status,
      headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' },
    })
  } catch (e) {
    const timedOut = e instanceof DOMException && e.name === 'TimeoutError'
    return problem(502, timedOut ? 'The gateway did not answer in time.' : `The gateway at ${target.origin} could not be reached.`, 'gateway_unreachable')
  }
}
