/**
 * Is the Supabase pooler (Supavisor) ready for this project? A project turns ACTIVE_HEALTHY before
 * its pooler knows the tenant, and Hyperdrive created in that gap fails to connect. The probe opens
 * a Postgres session the way any client does (SSLRequest, then the StartupMessage for
 * `postgres.<ref>`) and reads the first answer: an authentication request means the pooler knows the
 * tenant; an ErrorResponse ("Tenant or user not found") means not yet. No password is sent.
 * Serialised with the Supabase project provider: it imports nothing; Node's modules come from
 * `process.getBuiltinModule` at call time.
 */

export type ProbeResult = { ready: true } | { ready: false; reason: string }

export async function probePooler(host: string, port: number, user: string, database: string, timeoutMs: number): Promise<ProbeResult> {
  const net = process.getBuiltinModule('node:net') as typeof import('node:net')
  const tls = process.getBuiltinModule('node:tls') as typeof import('node:tls')
  type Conn = import('node:net').Socket | import('node:tls').TLSSocket

  const startup = (): Buffer => {
    const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`, 'utf8')
    const head = Buffer.alloc(8)
    head.writeInt32BE(8 + params.length, 0)
    head.writeInt32BE(196608, 4) // protocol 3.0
    return Buffer.concat([head, params])
  }
  const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]) // 80877103

  return new Promise<ProbeResult>((resolve) => {
    let socket: Conn = net.connect({ host, port })
    let buffered = Buffer.alloc(0)
    let phase: 'ssl' | 'startup' = 'ssl'
    let done = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = (result: ProbeResult): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(result)
    }
    timer = setTimeout(() => finish({ ready: false, reason: `no answer from ${host}:${port} within ${timeoutMs} ms` }), timeoutMs)
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk])
      if (phase === 'ssl') {
        const answer = String.fromCharCode(buffered[0] ?? 0)
        buffered = buffered.subarray(1)
        phase = 'startup'
        if (answer === 'S') {
          const plain = socket
          plain.removeListener('data', onData)
          socket = tls.connect({ socket: plain as import('node:net').Socket, servername: host }, () => socket.write(startup()))
          socket.on('data', onData)
          socket.on('error', (e: Error) => finish({ ready: false, reason: e.message }))
        } else if (answer === 'N') {
          socket.write(startup())
        } else finish({ ready: false, reason: `unexpected answer to SSLRequest: ${JSON.stringify(answer)}` })
        return
      }
      if (buffered.length < 5) return
      const type = String.fromCharCode(buffered[0] ?? 0)
      const length = buffered.readInt32BE(1)
      if (buffered.length < 1 + length) return
      if (type === 'R') return finish({ ready: true })
      if (type === 'E') {
        // Fields: a type byte, a NUL-terminated string; `M` is the human message.
        const fields = buffered.subarray(5, 1 + length).toString('utf8').split('\0')
        const message = fields.find((f) => f.startsWith('M'))?.slice(1) ?? 'error'
        return finish({ ready: false, reason: message })
      }
      finish({ ready: false, reason: `unexpected message ${JSON.stringify(type)}` })
    }
    socket.on('connect', () => socket.write(sslRequest))
    socket.on('data', onData)
    socket.on('error', (e: Error) => finish({ ready: false, reason: e.message }))
    socket.on('close', () => finish({ ready: false, reason: 'connection closed before an answer' }))
  })
}
