/**
 * A fake Sentry ingest endpoint: accepts envelopes at `POST /api/<project>/envelope/` as Sentry
 * does (newline-delimited JSON: envelope header, then item header + payload pairs), keeps them
 * (bounded) for `GET /__envelopes`, and answers 200. The DSN to use is `url`'s `dsn`.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeSentry {
  dsn: string
  url: string
  close(): Promise<void>
}

export async function startFakeSentry(): Promise<FakeSentry> {
  const envelopes: { path: string; headers: Record<string, unknown>; body: string }[] = []
  const server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/__envelopes') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(envelopes))
      return
    }
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    if (req.method === 'POST' && /^\/api\/\d+\/envelope\/?(\?.*)?$/.test(req.url ?? '')) {
      envelopes.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      if (envelopes.length > 100) envelopes.shift()
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    dsn: `http://0123456789abcdef0123456789abcdef@127.0.0.1:${port}/42`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }
}
