/**
 * A local webhook receiver for alert and report tests (127.0.0.1, port 0): records every POST —
 * path, headers, raw body — for `GET /__requests?path=<prefix>`; answers 200, or the status in
 * `?status=<code>` (to script a failing endpoint). Bounded; stopped by the test run's teardown.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedHook {
  path: string
  headers: Record<string, string>
  body: string
  at: number
}

export interface WebhookReceiver {
  url: string
  close(): Promise<void>
}

const MAX_RECORDED = 500

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver')
    if (req.method === 'GET' && url.pathname === '/__requests') {
      const prefix = url.searchParams.get('path') ?? '/'
      const body = JSON.stringify(received.filter((r) => r.path.startsWith(prefix)))
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(body)
    }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]))
      received.push({ path: url.pathname, headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() })
      if (received.length > MAX_RECORDED) received.shift()
      const status = Number(url.searchParams.get('status') ?? 200)
      res.writeHead(status, { 'content-type': 'text/plain' })
      res.end(status < 300 ? 'ok' : 'scripted failure')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
