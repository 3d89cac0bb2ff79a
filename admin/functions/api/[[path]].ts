/**
 * `/api/*` on the admin site, as a Pages Function: the same-origin, read-only door to the gateway's
 * admin API. It reaches the gateway through the service binding GATEWAY, bound to the gateway's
 * `AdminApi` entrypoint, which only a binding can reach: the admin API need not be on the gateway's
 * public hostname and nobody, the browser included, holds an admin token. Cloudflare Access guards
 * the whole site; the identity it verified is forwarded so the gateway's audit log names the person.
 */

interface Env {
  /** Service binding to the gateway Worker's `AdminApi` entrypoint (infra/components/AdminSite.ts). */
  GATEWAY?: Fetcher
}

const TIMEOUT_MS = 12_000
/** Endpoint names and ids the admin API serves (`requests/<id>`); never `..`, never a query in the path. */
const endpointPath = /^[\w.:-]{1,128}(?:\/[\w.:-]{1,128}){0,3}$/

const problem = (status: number, message: string, code: string): Response =>
  new Response(JSON.stringify({ error: { message, type: 'admin_proxy_error', param: null, code } }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  })

export const onRequest: PagesFunction<Env, 'path'> = async ({ request, env, params }) => {
  if (request.method !== 'GET' && request.method !== 'HEAD') return problem(405, 'The admin API is read-only: only GET is allowed.', 'method_not_allowed')
  const path = Array.isArray(params.path) ? params.path.join('/') : (params.path ?? '')
  if (!endpointPath.test(path) || path.split('/').includes('..')) return problem(404, `No admin endpoint /api/${path}`, 'not_found')
  if (!env.GATEWAY) return problem(503, 'The admin site is not connected to a gateway: the GATEWAY service binding is missing.', 'not_configured')

  const url = new URL(request.url)
  const headers = new Headers({ accept: 'application/json' })
  // Set by Cloudflare Access after it verified the visitor (absent locally, where nothing guards the site).
  const who = request.headers.get('cf-access-authenticated-user-email')
  if (who) headers.set('x-watchllm-admin-user', who)
  const assertion = request.headers.get('cf-access-jwt-assertion')
  if (assertion) headers.set('cf-access-jwt-assertion', assertion)
  try {
    const upstream = await env.GATEWAY.fetch(`https://gateway.internal/admin/api/${path}${url.search}`, {
      method: request.method,
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    const type = upstream.headers.get('content-type') ?? ''
    // Anything but the admin API's JSON (a platform error page, say) means the gateway was not reached.
    if (!type.includes('application/json')) {
      await upstream.body?.cancel()
      return problem(502, `The gateway could not be reached through its service binding (HTTP ${upstream.status}).`, 'gateway_unreachable')
    }
    return new Response(upstream.body, {
      status: upstream.status,
      headers: { 'content-type': type, 'cache-control': 'no-store' },
    })
  } catch (e) {
    const timedOut = e instanceof DOMException && e.name === 'TimeoutError'
    return problem(502, timedOut ? 'The gateway did not answer in time.' : 'The gateway could not be reached through its service binding.', 'gateway_unreachable')
  }
}
