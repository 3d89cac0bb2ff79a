// The admin site for `npm start` (and the browser test): builds admin/ when its sources changed
// since the last build, then serves the build exactly as Cloudflare will — `wrangler dev` on the
// adapter's generated config (static assets + the proxy route, in workerd) — pointed at the local
// gateway with the local admin token. (Not `astro preview`: it allows one server per project, so
// `npm start` and the browser test could not run side by side.)
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const adminDir = `${root}admin`
const node = `${root}node_modules/.bin/node`
const astro = `${root}node_modules/astro/bin/astro.mjs`
/** The documented local admin token: its SHA-256 is ADMIN_TOKEN_SHA256 in worker/wrangler.jsonc (env local). */
export const LOCAL_ADMIN_TOKEN = 'lgw_admin_local_dev_token'
const stamp = `${adminDir}/dist/.built-at`

/**
 * @param {{ gatewayUrl: string, port?: number, host?: string, adminToken?: string, forceBuild?: boolean, log?: (line: string) => void }} options
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startAdmin({ gatewayUrl, port = 4321, host = '127.0.0.1', adminToken = LOCAL_ADMIN_TOKEN, forceBuild = false, log = () => {} }) {
  if (forceBuild || (await stale())) {
    log('admin: building the site')
    await run([astro, 'build'], { timeoutMs: 120_000 })
    await writeFile(stamp, new Date().toISOString())
  }
  // The proxy's bindings; the token is a secret in the cloud, so it goes in a private file, not argv.
  await mkdir(`${root}.tmp`, { recursive: true })
  const varsFile = `${root}.tmp/admin-${port}.vars`
  await writeFile(varsFile, `GATEWAY_URL=${JSON.stringify(gatewayUrl)}\nADMIN_TOKEN=${JSON.stringify(adminToken)}\n`, { mode: 0o600 })
  const child = spawn(
    `${root}node_modules/.bin/wrangler`,
    ['dev', '-c', `${adminDir}/dist/server/wrangler.json`, '--ip', host, '--port', String(port), '--env-file', varsFile, '--show-interactive-dev-session=false', '--log-level', 'warn'],
    {
      cwd: adminDir,
      env: {
        ...process.env,
        PATH: `${root}node_modules/.bin:${process.env.PATH}`,
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
    if (child.exitCode !== null || child.signalCode !== null) return void (await rm(varsFile, { force: true }))
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
    await rm(varsFile, { force: true })
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
  if (!existsSync(stamp)) return true
  const built = (await stat(stamp)).mtimeMs
  const newest = async (path) => {
    const info = await stat(path)
    if (!info.isDirectory()) return info.mtimeMs
    const entries = await readdir(path)
    const times = await Promise.all(entries.map((e) => newest(`${path}/${e}`)))
    return Math.max(info.mtimeMs, ...times)
  }
  const sources = [`${adminDir}/src`, `${adminDir}/public`, `${adminDir}/astro.config.mjs`, `${adminDir}/wrangler.jsonc`, `${root}worker/src/admin-api/responses.ts`]
  const times = await Promise.all(sources.filter(existsSync).map(newest))
  return Math.max(...times) > built
}

function run(args, { timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd: adminDir, env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (c) => (output = (output + c).slice(-4000)))
    child.stderr.on('data', (c) => (output = (output + c).slice(-4000)))
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      code === 0 ? resolve() : reject(new Error(`astro ${args.at(-1)} failed (exit ${code}):\n${output}`))
    })
  })
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
