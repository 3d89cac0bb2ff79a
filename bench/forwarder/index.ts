/**
 * Bench baseline (a): a Worker that only forwards the request to the upstream. Whatever the
 * runtime's own proxying costs is in here too, so gateway minus this is the gateway's own work.
 * With `x-bench-target: gateway` it hands the request to the gateway instead, through a service
 * binding in the same workerd process, so both are measured under the same process and the same
 * front door (the extra in-process hop counts against the gateway).
 */
interface ForwarderEnv {
  UPSTREAM_URL: string
  GATEWAY?: Fetcher
}

export default {
  async fetch(request: Request, env: ForwarderEnv): Promise<Response> {
    if (env.GATEWAY && request.headers.get('x-bench-target') === 'gateway') return env.GATEWAY.fetch(request)
    // The harness's own floor: no upstream, no gateway (to measure the service-binding hop against).
    if (new URL(request.url).pathname === '/bench/noop') return new Response('{}')
    const url = new URL(request.url)
    // The body is read whole, as any gateway must to look at it; streaming it through instead made
    // the upload chunked and the baseline slower than the gateway it is meant to bound.
    return fetch(`${env.UPSTREAM_URL}${url.pathname.replace(/^\/v1/, '')}`, {
      method: request.method,
      headers: request.headers,
      body: await request.arrayBuffer(),
    })
  },
} satisfies ExportedHandler<ForwarderEnv>
