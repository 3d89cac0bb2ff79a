// @ts-check
// A minimal OpenAI-compatible upstream on 127.0.0.1 for the benchmarks: instant, fixed-size answers,
// JSON or SSE. It measures nothing itself; it only has to be cheap and identical for every scenario.
// A request whose last message contains FAIL_MARKER gets a 500 (the load run's upstream errors): the
// client decides which requests fail, so it can tell upstream-induced errors from the gateway's own.
import { createServer } from 'node:http'

export const FAIL_MARKER = '[bench:upstream-fail]'

/** @returns {Promise<{ url: string, close: () => void }>} */
export function startUpstream() {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      /** @type {{ model?: string, stream?: boolean, stream_options?: { include_usage?: boolean } }} */
      let request = {}
      try {
        request = JSON.parse(body || '{}')
      } catch {}
      if (body.includes(FAIL_MARKER)) {
        const error = JSON.stringify({ error: { message: 'bench upstream failure', type: 'server_error', code: null } })
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(error) })
        res.end(error)
        return
      }
      const base = { id: 'chatcmpl-bench', created: 1, model: request.model ?? 'bench-model' }
      const text = 'The quick brown fox jumps over the lazy dog. '.repeat(4)
      const usage = { prompt_tokens: 20, completion_tokens: 40, total_tokens: 60 }
      if (request.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        const chunk = (/** @type {object} */ delta, /** @type {string | null} */ finish = null) =>
          `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
        res.write(chunk({ role: 'assistant', content: '' }))
        for (const word of text.split(' ')) res.write(chunk({ content: `${word} ` }))
        res.write(chunk({}, 'stop'))
        if (request.stream_options?.include_usage)
          res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`)
        res.end('data: [DONE]\n\n')
        return
      }
      const payload = JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage,
      })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
      res.end(payload)
    })
  })
  server.keepAliveTimeout = 30_000
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      resolve({ url: `http://127.0.0.1:${port}`, close: () => { server.closeAllConnections(); server.close() } })
    }),
  )
}
