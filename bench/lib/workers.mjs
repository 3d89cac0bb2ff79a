// @ts-check
// The three Workers the core bench and the load run compare, each its own `wrangler dev --local`
// process in the same runtime (workerd), each on its own port and inspector port:
//   constant  — answers at once (the runtime's floor),
//   forwarder — forwards to the upstream (the baseline a gateway is judged against),
//   gateway   — the gateway as `npm start` runs it: the generated local config, the policy bundled
//               by alias, local KV/D1/Queues/DOs, telemetry on (the queue consumer runs in it too).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildPolicy } from '../../scripts/build-policy.mjs'
import { writeLocalConfig } from '../../scripts/start/local-config.mjs'
import { freePort, onCleanup, root, runProcess, startProcess, waitHealthy } from './processes.mjs'

/** @typedef {{ name: string, url: string, inspectorPort: number, pid: number }} Worker */

const HEALTH_TIMEOUT_MS = Number(process.env.BENCH_HEALTH_TIMEOUT_MS ?? 90_000)

/**
 * @param {{ upstreamUrl: string, policyFile: string, only?: Array<'constant' | 'forwarder' | 'gateway'>, gatewayVars?: Record<string, string> }} options
 * @returns {Promise<Record<'constant' | 'forwarder' | 'gateway', Worker>>}
 */
export async function startWorkers({ upstreamUrl, policyFile, only = ['constant', 'forwarder', 'gateway'], gatewayVars = {} }) {
  const work = mkdtempSync(join(tmpdir(), 'watchllm-bench-'))
  onCleanup(() => rmSync(work, { recursive: true, force: true }))
  // Its own service registry: this run's workers never see (or are seen by) another checkout's.
  const env = { WRANGLER_REGISTRY_PATH: join(work, 'registry') }
  /** @type {Partial<Record<'constant' | 'forwarder' | 'gateway', Worker>>} */
  const workers = {}

  // The gateway first: its build is the one most likely to fail, and it should fail fast.
  if (only.includes('gateway')) {
    const policyDir = join(work, 'policy')
    mkdirSync(policyDir)
    const template = readFileSync(policyFile, 'utf8')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(policyDir, 'bench.yaml'), template.replaceAll('{ var: BENCH_UPSTREAM_URL }', upstreamUrl))
    const policyModule = join(work, 'policy.generated.ts')
    const built = await buildPolicy(policyDir, policyModule)
    if (!built.ok) throw new Error(`the bench policy ${policyFile} failed to compile: ${JSON.stringify(built.error).slice(0, 300)}`)
    const state = join(work, 'state')
    const config = await writeLocalConfig({ source: `${root}worker/wrangler.jsonc`, out: join(work, 'wrangler.json'), policyModule })
    await runProcess('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--env', 'local', '--persist-to', state, '--config', config], { cwd: `${root}worker` })
    // As `npm start` runs it: Postgres off when it has none (events go to D1 through the queue
    // consumer), the request log line off (wrangler would not print it).
    const vars = { TELEMETRY_POSTGRES: 'off', WATCHLLM_REQUEST_LOG: 'off', ...gatewayVars }
    const varArgs = Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])
    workers.gateway = await startWorker('gateway', `${root}worker`, ['--config', config, '--env', 'local', '--persist-to', state, ...varArgs], env)
  }
  if (only.includes('forwarder'))
    workers.forwarder = await startWorker('forwarder', `${root}bench/forwarder`, ['--var', `UPSTREAM_URL:${upstreamUrl}`, '--persist-to', join(work, 'fwd')], env)
  if (only.includes('constant')) workers.constant = await startWorker('constant', `${root}bench/constant`, ['--persist-to', join(work, 'const')], env)
  return /** @type {Record<'constant' | 'forwarder' | 'gateway', Worker>} */ (workers)
}

/**
 * @param {string} name
 * @param {string} cwd
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @returns {Promise<Worker>}
 */
async function startWorker(name, cwd, args, env) {
  const port = await freePort()
  const inspectorPort = await freePort()
  const child = startProcess(
    'wrangler',
    ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort), '--show-interactive-dev-session=false', '--log-level', 'error', ...args],
    { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  const url = `http://127.0.0.1:${port}`
  await waitHealthy(`${url}/health`, child, `${name} (wrangler dev in ${cwd.replace(root, '')})`, HEALTH_TIMEOUT_MS)
  return { name, url, inspectorPort, pid: child.pid ?? 0 }
}
