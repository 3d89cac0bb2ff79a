/**
 * Bench floor: a Worker that answers every request with the same small JSON, touching nothing.
 * Whatever this costs is the local runtime's own cost of a request (~6 ms under `wrangler dev`).
 */
const ANSWER = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1,
  model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'constant' }, finish_reason: 'stop' }],
})

export default {
  async fetch(request: Request): Promise<Response> {
    // Drained, as any Worker that answers a POST would.
    if (request.body) await request.arrayBuffer()
    return new Response(ANSWER, { headers: { 'content-type': 'application/json' } })
  },
} satisfies ExportedHandler
