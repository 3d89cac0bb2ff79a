#!/usr/bin/env node
// `npm start`: the whole gateway on this machine, no cloud account. The worker runs under
// `wrangler dev --local` (workerd with local KV, D1, Queues); local stand-ins run only where
// Cloudflare has no local emulation (Workers AI → a local embeddings endpoint). The admin site is
// served as Pages serves it. Edits under the policy directory reload the gateway. Ctrl-C stops all.
//
// Env: PORT (8787), WATCHLLM_POLICY_DIR (policies/), OPENAI_API_KEY / ANTHROPIC_API_KEY /
// GROQ_API_KEY / any secret the policy names (otherwise routes fall back to the `mock` provider).
import { spawn } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { buildPolicy } from './build-policy.mjs'
import { LOCAL_GATEWAY_NAME, startAdmin as startAdminSite } from './start/admin.mjs'
import { writeLocalConfig } from './start/local-config.mjs'
import { watchPolicy } from './start/policy-watch.mjs'
import { ensureLocalPostgres } from './start/postgres.mjs'
import { formatPolicyIssues } from '../worker/src/policy/load.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const port = Number(process.env.PORT ?? 8787)
const host = '127.0.0.1'
// Local KV/D1/Queue state; tests point this at a temporary directory.
const stateDir = process.env.WATCHLLM_STATE_DIR ?? `${root}worker/.wrangler/state`
const policyDir = process.env.WATCHLLM_POLICY_DIR ?? `${root}policies`
// This run's compiled policy, bundled in place of worker/src/policy/compiled.generated.ts (an alias in
// a generated wrangler config): a test's `npm start` on its own policy never touches another run's.
const policyModule = `${root}.tmp/policy-${port}.generated.ts`
// Where this run's gateway and admin site find each other (wrangler's default registry is machine-wide).
const registry = `${root}.tmp/registry-${port}`
const children = []
const stoppers = []

async function main() {
  await mkdir(`${root}.tmp`, { recursive: true })
  const policy = await buildPolicy(policyDir, policyModule)
  if (!policy.ok) {
    console.error(formatPolicyIssues(policy.error))
    process.exit(1)
  }

  // Secrets the policy names, taken from this shell's environment; written where only wrangler reads them.
  const secrets = [...policy.value.secrets, 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN']
  const present = secrets.filter((name) => process.env[name])
  const vars = { ...Object.fromEntries(present.map((n) => [n, process.env[n]])) }
  // wrangler runs at --log-level warn, so the per-request log line would never show here, yet each
  // one crosses wrangler's inspector plumbing (~1 ms of CPU a request, README "Performance").
  vars.WATCHLLM_REQUEST_LOG = process.env.WATCHLLM_REQUEST_LOG ?? 'off'

  const extras = await startOptional(vars)
  const envFile = `${root}.tmp/dev.vars`
  await writeFile(envFile, Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n', { mode: 0o600 })

  await applyD1Migrations()
  await rm(registry, { recursive: true, force: true })
  await mkdir(registry, { recursive: true })
  const config = await writeLocalConfig({ source: `${root}worker/wrangler.jsonc`, out: `${root}.tmp/wrangler-${port}.json`, policyModule })
  const wrangler = run(
    'wrangler',
    [
      'dev', '--config', config, '--local', '--env', 'local', '--ip', host, '--port', String(port), '--env-file', envFile, '--persist-to', stateDir,
      '--show-interactive-dev-session=false', '--log-level', 'warn',
    ],
    { cwd: `${root}worker`, env: { WRANGLER_REGISTRY_PATH: registry } },
  )
  await waitForHealth(`http://${host}:${port}/health`, wrangler)
  const watcher = watchPolicy({ dir: policyDir, outFile: policyModule, currentHash: policy.value.hash })
  stoppers.push(() => watcher.close())
  const admin = await startAdmin()

  const real = present.filter((n) => n.endsWith('_API_KEY'))
  console.log(`
  WatchLLM gateway  http://${host}:${port}/v1   (policy ${policy.value.hash.slice(0, 12)} from ${policy.value.sources.join(', ')}; edits reload it)
  dev API key       lgw_local_dev_key   (accepted only by this local gateway)
  providers         ${real.length ? `real: ${real.join(', ')}; everything else → mock` : 'no provider keys set → every model answers from the labelled `mock` provider'}
${extras.map((l) => `  ${l}`).join('\n')}${admin ? `\n  admin site        ${admin.url}` : ''}

  curl http://${host}:${port}/v1/chat/completions \\
    -H 'Authorization: Bearer lgw_local_dev_key' -H 'Content-Type: application/json' \\
    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}' -i

  Ctrl-C stops everything.
`)
}

/** The local stand-ins: the embeddings endpoint (for Workers AI) and Postgres (for Supabase). */
async function startOptional(vars) {
  const lines = []
  if (process.env.WATCHLLM_EMBEDDINGS !== 'off') {
    // The semantic cache's embedder under `npm start` (Node 22 strips the file's types).
    const { startEmbeddingsServer, portFromEnv } = await import('./embeddings-server.ts')
    const port = portFromEnv(process.env.EMBEDDINGS_PORT)
    // A busy default port (another checkout running) falls back to a free one.
    const server = await startEmbeddingsServer({ port }).catch((e) =>
      e?.code === 'EADDRINUSE' && !process.env.EMBEDDINGS_PORT ? startEmbeddingsServer({ port: 0 }) : Promise.reject(e),
    )
    stoppers.push(() => server.close())
    vars.EMBEDDINGS_URL = server.url
    lines.push(`embeddings        ${server.url}/v1 (${server.model}, real local model for the semantic cache; Workers AI when deployed)`)
  }
  if (process.env.WATCHLLM_POSTGRES === 'off') {
    vars.TELEMETRY_POSTGRES = 'off'
  } else {
    try {
      const pg = await ensureLocalPostgres()
      lines.push(`postgres          ${pg.connectionString.replace(/:[^:@/]*@/, ':***@')} (long-term usage log, via the local Hyperdrive binding)`)
    } catch (e) {
      // Without it, events still go to D1 (what the admin reads); none wait on a Postgres retry.
      vars.TELEMETRY_POSTGRES = 'off'
      lines.push(`postgres          unavailable (${e.message}); usage events go to D1 only`)
    }
  }
  return lines
}

async function startAdmin() {
  if (process.env.WATCHLLM_ADMIN === 'off') return undefined
  const admin = await startAdminSite({ registry, gatewayName: LOCAL_GATEWAY_NAME, port: Number(process.env.ADMIN_PORT ?? 4321) })
  stoppers.push(() => admin.stop())
  return admin
}

async function applyD1Migrations() {
  const proc = run('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--env', 'local', '--persist-to', stateDir], {
    cwd: `${root}worker`,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { CI: 'true' }, // no confirmation prompt
  })
  const code = await new Promise((resolve) => proc.on('exit', resolve))
  if (code !== 0) throw new Error('applying the D1 migrations failed')
}

function run(bin, args, options = {}) {
  const child = spawn(`${root}node_modules/.bin/${bin}`, args, {
    stdio: options.stdio ?? ['ignore', 'inherit', 'inherit'],
    cwd: options.cwd ?? root,
    env: {
      ...process.env,
      // The Node 22 that npm installed, also when this script is run directly rather than by npm.
      PATH: `${root}node_modules/.bin:${process.env.PATH}`,
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
      ...options.env,
    },
  })
  children.push(child)
  return child
}

async function waitForHealth(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`)
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`the gateway did not answer ${url} within ${timeoutMs / 1000} s`)
}

async function stop(code = 0) {
  for (const s of stoppers.splice(0)) await Promise.resolve(s()).catch(() => undefined)
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  process.exit(code)
}

process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))
main().catch((e) => {
  console.error(`npm start failed: ${e.message}`)
  stop(1)
})
