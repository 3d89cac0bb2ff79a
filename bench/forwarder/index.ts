/**
 * Bench baseline: a Worker that only forwards the request to the upstream and passes its answer
 * (JSON or SSE) straight back. Whatever the runtime's own proxying costs is in here too, so the
 * gateway minus this is the gateway's own work, when both run in the same runtime (bench/run.mjs).
 *
 * `x-bench-relay` makes it a reference for streams (bench/core.mjs), what any Worker pays, parsing nothing:
 *   js  — each upstream chunk read and written by JS into the client's body, as a relay that may
 *         edit the stream must (the gateway's relay does this, and parses besides);
 *   tee — the upstream body passed to the client natively, JS reading a tee'd copy chunk by chunk
 *         (a relay that only watches: it could not strip or add an event);
 *   tee-pipe — as tee, the client's branch piped into an IdentityTransformStream with an AbortSignal,
 *         preventClose and preventAbort (the gateway's passthrough: it can still end the stream itself).
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
    const answer = await fetch(`${env.UPSTREAM_URL}${url.pathname.replace(/^\/v1/, '')}`, {
      method: request.method,
      headers: request.headers,
      body: await request.arrayBuffer(),
    })
    const relay = request.headers.get('x-bench-relay')
    if (!relay || !answer.body || !answer.headers.get('content-type')?.includes('text/event-stream')) return answer
    if (relay === 'tee') {
      const [client, copy] = answer.body.tee()
      void drain(copy.getReader())
      return new Response(client, answer)
    }
    if (relay === 'tee-pipe') {
      // The native passthrough the gateway tried and did not merge (README "Stream passthrough"): the client's
      // branch piped into an IdentityTransformStream with the options that let the gateway write the last event itself.
      const [client, copy] = answer.body.tee()
      void drain(copy.getReader())
      const out = new IdentityTransformStream()
      void client
        .pipeTo(out.writable, { signal: new AbortController().signal, preventClose: true, preventAbort: true })
        .then(() => out.writable.close())
        .catch(() => undefined)
      return new Response(out.readable, answer)
    }
    const pipe = new TransformStream<Uint8Array, Uint8Array>(undefined, { highWaterMark: 8 })
    void pump(answer.body.getReader(), pipe.writable.getWriter())
    return new Response(pipe.readable, answer)
  },
} satisfies ExportedHandler<ForwarderEnv>

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  while (!(await reader.read()).done);
}

async function pump(reader: ReadableStreamDefaultReader<Uint8Array>, writer: WritableStreamDefaultWriter<Uint8Array>): Promise<void> {
  for (;;) {
    const chunk = await reader.read()
    if (chunk.done) return writer.close()
    writer.write(chunk.value).catch(() => undefined)
    if ((writer.desiredSize ?? 1) <= 0) await writer.ready
  }
}
