/**
 * Bench baseline (a): a Worker that only forwards the request to the upstream. Whatever the
 * runtime's own proxying costs is in here too, so gateway minus this is the gateway's own work.
 */
interface ForwarderEnv {
  UPSTREAM_URL: string
}

export default {
  async fetch(request: Request, env: ForwarderEnv): Promise<Response> {
    const url = new URL(request.url)
    return fetch(`${env.UPSTREAM_URL}${url.pathname.replace(/^\/v1/, '')}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    })
  },
} satisfies ExportedHandler<ForwarderEnv>
