/**
 * The admin site as Cloudflare Pages gets it: `astro build` renders every page (inside workerd, via
 * @astrojs/cloudflare) to `client/`, whose files — the pages, `/_astro/*` and `_headers` — become
 * the upload; the adapter's Workers-only outputs are left out, and a route that is not prerendered
 * stops the build. Then `wrangler pages functions build` compiles admin/functions (the `/api/*`
 * Pages Function) into `_worker.js/` and `_routes.json` beside them. That directory is the upload,
 * as is, and `npm start` serves the very same directory. Both steps are deterministic: an unchanged
 * tree hashes the same on any machine, so a second `pulumi up` uploads nothing.
 */
import { createHash } from 'node:crypto'
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { execNode, resolveBin } from './exec.ts'
import { repoRoot } from './paths.ts'

export const adminDir = join(repoRoot, 'admin')
/** The upload directory: static pages + the compiled function. */
export const adminDistDir = join(adminDir, 'dist')

export interface AdminBuildOptions {
  /** The function's compatibility date (the gateway's, so both run on the same runtime). */
  compatibilityDate: string
  /** Where the upload goes; admin/dist unless a test builds elsewhere. */
  outDir?: string
  timeoutMs?: number
}

/** Builds the static site and the Pages Function into admin/dist (or `outDir`); returns that directory. */
export async function buildAdminSite(opts: AdminBuildOptions): Promise<string> {
  const out = opts.outDir ?? adminDistDir
  const astroOut = `${out}.astro`
  // No network at build time: workerd's prerender would otherwise fetch the `Request.cf` sample.
  const env = { ASTRO_TELEMETRY_DISABLED: '1', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }
  await Promise.all([rm(out, { recursive: true, force: true }), rm(astroOut, { recursive: true, force: true })])
  try {
    await execNode(resolveBin(adminDir, 'astro', 'bin/astro.mjs'), ['build', '--outDir', astroOut], { cwd: adminDir, env, timeoutMs: opts.timeoutMs })
    const serverFiles = await listFiles(join(astroOut, 'server')).catch(() => [])
    if (serverFiles.length > 0)
      throw new Error(`the admin site must be fully prerendered for Pages, but the build emitted server code (${serverFiles.slice(0, 3).join(', ')}): mark every page \`prerender = true\``)
    const client = join(astroOut, 'client')
    await cp(client, out, { recursive: true, filter: (src) => !workersOnly.has(src.slice(client.length + 1)) })
  } finally {
    await rm(astroOut, { recursive: true, force: true })
  }
  await mkdir(out, { recursive: true })
  const wrangler = resolveBin(join(repoRoot, 'worker'), 'wrangler', 'bin/wrangler.js')
  // --minify drops esbuild's path comments, which name a random temporary file (a new hash every build).
  await execNode(
    wrangler,
    [
      'pages', 'functions', 'build', 'functions',
      '--outdir', join(out, '_worker.js'),
      '--output-routes-path', join(out, '_routes.json'),
      '--compatibility-date', opts.compatibilityDate,
      '--minify',
    ],
    { cwd: adminDir, env, timeoutMs: opts.timeoutMs },
  )
  return out
}

/** What the adapter writes for a Workers deploy (its config, its asset-ignore list): not for Pages. */
const workersOnly = new Set(['wrangler.json', '.assetsignore'])

/** Every file under `dir`, relative, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort()
}

/**
 * What must not be in a Pages upload: server output (Pages would publish it as public files),
 * source maps, configs. The upload holds static files, `_headers`, `_worker.js/` and `_routes.json`, nothing else.
 */
export function foreignUploadFiles(files: readonly string[]): string[] {
  const staticAsset = /\.(html|css|js|svg|png|ico|webp|woff2?|txt|json)$/
  return files.filter((f) => {
    if (f === '_routes.json' || f === '_headers' || /^_worker\.js\/[\w.-]+\.js$/.test(f)) return false
    if (f.startsWith('server/') || f.startsWith('_worker.js') || f.endsWith('.map') || /(^|\/)wrangler\.jsonc?$/.test(f)) return true
    return !staticAsset.test(f)
  })
}

/** SHA-256 over every file's relative path and content: equal trees hash equal, wherever they sit. */
export async function hashDirectory(dir: string): Promise<{ sha256: string; files: number }> {
  const files = await listFiles(dir)
  if (files.length === 0) throw new Error(`${dir} is empty: build the admin site first`)
  const hash = createHash('sha256')
  for (const file of files) {
    const content = await readFile(join(dir, file))
    hash.update(`${file}\0${createHash('sha256').update(content).digest('hex')}\n`)
  }
  return { sha256: hash.digest('hex'), files: files.length }
}
