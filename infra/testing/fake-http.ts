/**
 * A tiny JSON HTTP server on 127.0.0.1 (random port) for the fake Cloudflare and Supabase APIs:
 * bearer-token check, a request log, and injected failures for retry/error tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeRequest {
  method: string
  path: string
  body: unknown
}

export interface FakeResponse {
  status: number
  body: unknown
}

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>

export interface FakeServer {
  url: string
  /** Every request that passed authentication, in order. */
  requests: FakeRequest[]
  /** The next `count` requests answer `status` with `body` instead of being handled. */
  failNext(count: number, status: number, body: unknown): void
  close(): Promise<void>
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text === '' ? undefined : (JSON.parse(text) as unknown)
}

function send(res: ServerResponse, response: FakeResponse): void {
  res.writeHead(response.status, { 'content-type': 'application/json' })
  res.end(response.body === undefined ? '' : JSON.stringify(response.body))
}

export async function startFakeServer(token: string, unauthorized: FakeResponse, handler: FakeHandler): Promise<FakeServer> {
  const requests: FakeRequest[] = []
  const failures: FakeResponse[] = []
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        if (req.headers.authorization !== `Bearer ${token}`) return unauthorized
        const request = { method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://x').pathname, body }
        requests.push(request)
        const failure = failures.shift()
        return failure ?? handler(request)
      })
      .then((response) => {
        if (response) send(res, response)
      })
      .catch((error: unknown) => send(res, { status: 500, body: { message: String(error) } }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (count, status, body) => {
      for (let i = 0; i < count; i++) failures.push({ status, body })
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

/** Matches `/a/:x/b` style patterns; returns the named parts or undefined. */
export function route(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/')
  const got = path.split('/')
  if (want.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? ''
    const g = decodeURIComponent(got[i] ?? '')
    if (w.startsWith(':')) params[w.slice(1)] = g
    else if (w !== g) return undefined
  }
  return params
}
