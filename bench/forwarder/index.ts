/**
 * Bench baseline: a Worker that only forwards the request to the upstream and passes its answer
 * (JSON or SSE) straight back. Whatever the runtime's own proxying costs is in here too, so the
 * gateway minus this is the gateway's own work, when both run in the same runtime (bench/run.mjs).
 */
interface ForwarderEnv {
  UPSTREAM_URL: string
}

export default {
  async fetch(request: Request, env: ForwarderEnv): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/health') return new Response('ok')
    // The body is read whole, as any gateway must to look at it; streaming it through instead made
    // the upload chunked and the baseline slower than the gateway it is meant to bound.
    return fetch(`${env.UPSTREAM_URL}${url.pathname.replace(/^\/v1/, '')}`, {
      method: request.method,
      headers: request.headers,
      body: await request.arrayBuffer(),
    })
  },
} satisfies ExportedHandler<ForwarderEnv>
