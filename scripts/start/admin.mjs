// The admin site for `npm start` (and the browser test), served the way Cloudflare Pages serves it:
// the upload directory (admin/dist: prerendered pages + the `/api` Pages Function, built by
// infra/lib/admin-build.ts exactly as deploys build it) under `wrangler pages dev`, with the
// function's service binding GATEWAY pointing at the local gateway's `AdminApi` entrypoint. The two
// processes find each other through a wrangler dev registry private to this run, so other
// checkouts' gateways on the same machine are never picked up.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { adminDistDir, buildAdminSite } from '../../infra/lib/admin-build.ts'
import { readWranglerConfig } from '../../infra/lib/wrangler-config.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const adminDir = `${root}admin`
/** The documented local admin token: its SHA-256 is ADMIN_TOKEN_SHA256 in worker/wrangler.jsonc (env local). */
export const LOCAL_ADMIN_TOKEN = 'lgw_admin_local_dev_token'
/** `wrangler dev --env local` names the gateway `<name>-local`. */
export const LOCAL_GATEWAY_NAME = 'watchllm-gateway-local'
// Outside the upload (admin/dist), in Astro's own ignored cache directory.
const stamp = `${adminDir}/.astro/watchllm-built-at`

/**
 * @param {{ registry: string, gatewayName?: string, port?: number, host?: string, forceBuild?: boolean, log?: (line: string) => void }} options
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startAdmin({ registry, gatewayName = LOCAL_GATEWAY_NAME, port = 4321, host = '127.0.0.1', forceBuild = false, log = () => {} }) {
  const { compatibilityDate } = await readWranglerConfig(`${root}worker/wrangler.jsonc`, 'worker/wrangler.jsonc')
  if (forceBuild || (await stale())) {
    log('admin: building the site and its /api function')
    await buildAdminSite({ compatibilityDate, timeoutMs: 180_000 })
    await mkdir(`${adminDir}/.astro`, { recursive: true })
    await writeFile(stamp, new Date().toISOString())
  }
  // Its own working directory: no stray `functions/` is picked up, and its state stays out of the upload.
  const work = await mkdtemp(join(tmpdir(), 'watchllm-admin-'))
  const child = spawn(
    `${root}node_modules/.bin/wrangler`,
    [
      'pages', 'dev', adminDistDir,
      '--service', `GATEWAY=${gatewayName}#AdminApi`,
      '--compatibility-date', compatibilityDate,
      '--ip', host, '--port', String(port),
      '--persist-to', join(work, 'state'),
      '--show-interactive-dev-session=false', '--log-level', 'warn',
    ],
    {
      cwd: work,
      env: {
        ...process.env,
        PATH: `${root}node_modules/.bin:${process.env.PATH}`,
        WRANGLER_REGISTRY_PATH: registry,
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        WRANGLER_SEND_METRICS: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  )
  let output = ''
  const keep = (chunk) => (output = (output + chunk).slice(-4000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const url = `http://${host}:${port}`
  // If this process exits without calling stop() (an uncaught error), the server must not outlive it.
  const onExit = () => {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      // already gone
    }
  }
  process.once('exit', onExit)
  const stop = async () => {
    process.removeListener('exit', onExit)
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      // wrangler runs workerd as a child: end the whole group, by its id.
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        child.kill('SIGTERM')
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {
          // already gone
        }
      }, 5_000)
      await exited
      clearTimeout(timer)
    }
    await rm(work, { recursive: true, force: true })
  }
  try {
    await waitFor(`${url}/`, child, () => output)
  } catch (e) {
    await stop()
    throw e
  }
  return { url, stop }
}

/** True when no build exists or a source file is newer than the last build. */
async function stale() {
  if (!existsSync(stamp) || !existsSync(`${adminDistDir}/_worker.js/index.js`)) return true
  const built = (await stat(stamp)).mtimeMs
  const newest = async (path) => {
    const info = await stat(path)
    if (!info.isDirectory()) return info.mtimeMs
    const entries = await readdir(path)
    const times = await Promise.all(entries.map((e) => newest(`${path}/${e}`)))
    return Math.max(info.mtimeMs, ...times)
  }
  const sources = [`${adminDir}/src`, `${adminDir}/public`, `${adminDir}/functions`, `${adminDir}/astro.config.mjs`, `${root}worker/src/admin-api/responses.ts`]
  const times = await Promise.all(sources.filter(existsSync).map(newest))
  return Math.max(...times) > built
}

async function waitFor(url, child, output, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the admin site's server exited with code ${child.exitCode}:\n${output()}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`the admin site did not answer ${url} within ${timeoutMs / 1000} s:\n${output()}`)
}
