/**
 * A fake Cloudflare Access team domain for tests: a locally generated RS256 key pair whose public
 * half is served as Access serves it (`GET /cdn-cgi/access/certs`, a JWKS with `kid`). The private
 * JWK goes to the tests (as a binding), which sign assertions the gateway must verify; a second
 * pair, never published, signs forgeries.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'

export interface FakeAccess {
  url: string
  /** JSON of the private JWK whose public half the fake publishes. */
  privateJwk: string
  /** JSON of a private JWK the fake does not publish. */
  foreignJwk: string
  /** How many times the keys were fetched. */
  fetches(): number
  close(): Promise<void>
}

export async function startFakeAccess(): Promise<FakeAccess> {
  const [published, foreign] = await Promise.all([generateKeyPair('RS256', { extractable: true }), generateKeyPair('RS256', { extractable: true })])
  const publicJwk = { ...(await exportJWK(published.publicKey)), kid: 'fake-access-1', alg: 'RS256', use: 'sig' }
  const privateJwk = JSON.stringify({ ...(await exportJWK(published.privateKey)), kid: 'fake-access-1', alg: 'RS256' })
  const foreignJwk = JSON.stringify({ ...(await exportJWK(foreign.privateKey)), kid: 'fake-access-1', alg: 'RS256' })
  let fetches = 0
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/cdn-cgi/access/certs') {
      fetches++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ keys: [publicJwk], public_cert: { kid: 'fake-access-1', cert: '(not used)' } }))
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    privateJwk,
    foreignJwk,
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }
}
