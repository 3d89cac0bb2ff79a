/**
 * The worker bundle: built by `wrangler deploy --dry-run --outdir` (the same esbuild setup
 * `wrangler deploy` uses), then read back as the modules infra uploads. Also measures the size
 * Cloudflare limits (gzip), for `npm run build:worker` in CI.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile, rm } from 'node:fs/promises'
import { basename, extname, join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { execNode, resolveBin } from './exec.ts'
import { repoRoot } from './paths.ts'

/** Files wrangler writes next to the modules that are not part of the upload. */
const notModules = (name: string): boolean => name === 'README.md' || name.endsWith('.map')

const contentTypes: Record<string, string> = {
  '.js': 'application/javascript+module',
  '.mjs': 'application/javascript+module',
  '.cjs': 'application/javascript',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain',
  '.html': 'text/plain',
  '.json': 'application/json',
}

export interface BundleModule {
  name: string
  path: string
  contentType: string
  sha256: string
  bytes: number
  gzipBytes: number
}

export interface WorkerBundle {
  dir: string
  main: BundleModule
  /** Every other module wrangler emitted (chunks, wasm, text), uploaded as extra parts. */
  extras: BundleModule[]
  /** SHA-256 over every module's name and content hash: changes exactly when the upload would. */
  sha256: string
  rawBytes: number
  gzipBytes: number
}

/** `src/index.ts` → `index.js`: the name wrangler gives the entry module in --outdir. */
export function mainModuleName(main: string): string {
  return `${basename(main, extname(main))}.js`
}

/** Reads a wrangler --outdir directory into the modules to upload. */
export async function readWorkerBundle(dir: string, main: string): Promise<WorkerBundle> {
  const mainName = mainModuleName(main)
  const names = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .filter((n) => !notModules(n))
    .sort()
  if (!names.includes(mainName)) throw new Error(`worker bundle in ${dir} has no ${mainName} (found: ${names.join(', ') || 'nothing'})`)
  const modules = await Promise.all(
    names.map(async (name): Promise<BundleModule> => {
      const path = join(dir, name)
      const content = await readFile(path)
      return {
        name,
        path,
        contentType: contentTypes[extname(name)] ?? 'application/octet-stream',
        sha256: createHash('sha256').update(content).digest('hex'),
        bytes: content.byteLength,
        gzipBytes: gzipSync(content, { level: 9 }).byteLength,
      }
    }),
  )
  const hash = createHash('sha256')
  for (const m of modules) hash.update(`${m.name}\0${m.sha256}\n`)
  const mainModule = modules.find((m) => m.name === mainName)
  if (!mainModule) throw new Error(`unreachable: ${mainName} vanished`)
  return {
    dir,
    main: mainModule,
    extras: modules.filter((m) => m !== mainModule),
    sha256: hash.digest('hex'),
    rawBytes: modules.reduce((n, m) => n + m.bytes, 0),
    gzipBytes: modules.reduce((n, m) => n + m.gzipBytes, 0),
  }
}

/**
 * The bundle with every module path relative to `dir`: what resource inputs hold, so they read the
 * same on every checkout and CI runner (Pulumi starts the providers in the program's directory).
 */
export function relativeTo(bundle: WorkerBundle, dir: string): WorkerBundle {
  const rel = (m: BundleModule): BundleModule => ({ ...m, path: relative(dir, m.path) })
  return { ...bundle, dir: relative(dir, bundle.dir), main: rel(bundle.main), extras: bundle.extras.map(rel) }
}

export interface BuildOptions {
  /** wrangler.jsonc to build from. */
  config: string
  outDir: string
  /** The policy directory compiled into the bundle (scripts/build-policy.mjs reads WATCHLLM_POLICY_DIR). */
  policyDir: string
  /** What the policy is checked for (WATCHLLM_ENV): deploys build for production. */
  environment: 'local' | 'production'
  timeoutMs?: number
}

/** The repo's wrangler CLI (a dependency of worker/). */
export function wranglerBin(): string {
  return resolveBin(join(repoRoot, 'worker'), 'wrangler', 'bin/wrangler.js')
}

/**
 * Compiles the policy into the worker's source (scripts/build-policy.mjs), then runs
 * `wrangler deploy --dry-run --outdir` for the top-level (production) environment.
 */
export async function buildWorkerBundle(opts: BuildOptions): Promise<void> {
  const env = { WATCHLLM_POLICY_DIR: opts.policyDir, WATCHLLM_ENV: opts.environment, WRANGLER_SEND_METRICS: 'false' }
  await execNode(join(repoRoot, 'scripts', 'build-policy.mjs'), [], { cwd: repoRoot, env, timeoutMs: opts.timeoutMs })
  await rm(opts.outDir, { recursive: true, force: true })
  await execNode(wranglerBin(), ['deploy', '--dry-run', '--outdir', opts.outDir, '--config', opts.config, '--env', ''], {
    cwd: repoRoot,
    env,
    timeoutMs: opts.timeoutMs,
  })
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`

/** One line per module plus the total against the budget, as CI prints it. */
export function formatBundleReport(bundle: WorkerBundle, budgetGzipBytes: number): string {
  const rows = [bundle.main, ...bundle.extras].map((m) => `  ${m.name.padEnd(32)} ${kib(m.bytes).padStart(12)}  gzip ${kib(m.gzipBytes).padStart(10)}`)
  const verdict = bundle.gzipBytes <= budgetGzipBytes ? 'within' : 'OVER'
  return [
    `worker bundle ${bundle.dir}`,
    ...rows,
    `  total: ${kib(bundle.rawBytes)} raw, ${kib(bundle.gzipBytes)} gzip — ${verdict} the ${kib(budgetGzipBytes)} gzip budget`,
    `  sha256 ${bundle.sha256}`,
  ].join('\n')
}
