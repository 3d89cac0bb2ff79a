/**
 * A stand-in for Supavisor's session port on 127.0.0.1: it speaks just enough of the Postgres wire
 * protocol to answer a new session — `N` to an SSLRequest, then for the StartupMessage either an
 * ErrorResponse ("Tenant or user not found", as Supavisor says before it knows a new project) or an
 * AuthenticationSASL request (it knows the tenant). No password is ever exchanged.
 */
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface FakePooler {
  port: number
  /** Users seen in StartupMessages, in order. */
  startups: string[]
  /** The next `n` sessions are refused as an unknown tenant. */
  refuseNext(n: number): void
  close(): Promise<void>
}

function message(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(4 + payload.length, 1)
  return Buffer.concat([head, payload])
}

export async function startFakePooler(): Promise<FakePooler> {
  let refusals = 0
  const startups: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    let buffered = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      while (buffered.length >= 8 && buffered.length >= buffered.readInt32BE(0)) {
        const length = buffered.readInt32BE(0)
        const code = buffered.readInt32BE(4)
        const body = buffered.subarray(8, length)
        buffered = buffered.subarray(length)
        if (code === 80877103) {
          socket.write('N')
          continue
        }
        const params = body.toString('utf8').split('\0')
        startups.push(params[params.indexOf('user') + 1] ?? '')
        if (refusals > 0) {
          refusals--
          socket.end(message('E', Buffer.from('SFATAL\0VFATAL\0CXX000\0MTenant or user not found\0\0', 'utf8')))
        } else {
          const sasl = Buffer.concat([Buffer.from([0, 0, 0, 10]), Buffer.from('SCRAM-SHA-256\0\0', 'utf8')])
          socket.write(message('R', sasl))
        }
      }
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    startups,
    refuseNext: (n) => {
      refusals = n
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
