/**
 * A private, throwaway `redis-server` for tests: a free port on 127.0.0.1, no persistence, stopped
 * by its PID. Never touches a Redis the machine may already run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createServer, Socket } from 'node:net'

export interface RedisProcess {
  url: string
  port: number
  pid: number
  stop(): Promise<void>
}

const READY_TIMEOUT_MS = 10_000

export async function startRedisServer(): Promise<RedisProcess> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (probe.error)
    throw new Error(
      'redis-server is not installed, and the tests need a real Redis behind the Upstash REST shim. ' +
        'Install it with `apt-get install redis-server` (the CI script does this).',
    )
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)))
  if (child.pid === undefined) throw new Error('could not start redis-server')
  try {
    await waitForPong(port, child)
  } catch (e) {
    child.kill('SIGKILL')
    throw new Error(`redis-server did not answer PING on port ${port}: ${(e as Error).message} ${stderr}`)
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid, stop: () => stop(child) }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Polls with a raw RESP PING until `+PONG` comes back, the process dies, or the deadline passes. */
async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`)
    if (await pingOnce(port)) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('timed out')
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')))
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
  })
}
