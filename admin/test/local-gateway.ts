/**
 * A throwaway local gateway for the browser test: `wrangler dev --local --env local` on a free port
 * with its own state directory (fresh D1, KV, queues) and its own Postgres database, migrated the
 * way `npm start` migrates, registered in its own wrangler dev registry (where the admin site's
 * service binding finds it). `stop()` ends what it started, by process group id, and cleans up.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { applyPostgresMigrations, createDatabase, dropDatabase, ensureServer, urlFor } from '../../scripts/start/postgres.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface LocalGateway {
  url: string
  /** The wrangler dev registry it is registered in (WRANGLER_REGISTRY_PATH), for the admin site's binding. */
  registry: string
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${root}node_modules/.bin:${process.env.PATH}`,
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_SEND_METRICS: 'false',
    ...extra,
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)))
}

/** `vars` become `wrangler dev --var NAME:value` (e.g. EMBEDDINGS_URL for the semantic cache). */
export async function startLocalGateway(vars: Record<string, string> = {}): Promise<LocalGateway> {
  const state = await mkdtemp(join(tmpdir(), 'watchllm-admin-test-'))
  const registry = join(state, 'registry')
  await mkdir(registry)
  const database = `watchllm_test_${randomBytes(4).toString('hex')}`
  await ensureServer()
  await createDatabase(database)
  const pgUrl = urlFor(database)
  await applyPostgresMigrations(pgUrl)
  const cleanup = async () => {
    await dropDatabase(database).catch(() => undefined)
    await rm(state, { recursive: true, force: true })
  }

  const build = spawn(`${root}node_modules/.bin/node`, [`${root}scripts/build-policy.mjs`], { cwd: root, env: env({}), stdio: 'ignore' })
  if ((await exited(build)) !== 0) throw new Error('compiling the policy failed')
  const migrate = spawn(`${root}node_modules/.bin/wrangler`, ['d1', 'migrations', 'apply', 'DB', '--local', '--env', 'local', '--persist-to', state], {
    cwd: `${root}worker`,
    env: env({ CI: '1' }),
    stdio: 'ignore',
  })
  if ((await exited(migrate)) !== 0) {
    await cleanup()
    throw new Error('applying the D1 migrations failed')
  }

  const port = await freePort()
  const child = spawn(
    `${root}node_modules/.bin/wrangler`,
    ['dev', '--local', '--env', 'local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, '--show-interactive-dev-session=false', '--log-level', 'warn', ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])],
    {
      cwd: `${root}worker`,
      env: env({ CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: pgUrl, WRANGLER_REGISTRY_PATH: registry }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  )
  let output = ''
  child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)))
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const done = exited(child)
      try {
        process.kill(-child.pid!, 'SIGTERM')
      } catch {
        child.kill('SIGTERM')
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // already gone
        }
      }, 5_000)
      await done
      clearTimeout(timer)
    }
    await cleanup()
  }

  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`)
    }
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false)
    if (ok) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the gateway did not start within 90 s:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  return { url, registry, stop }
}
