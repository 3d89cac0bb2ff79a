/**
 * The admin site's build (`astro build` in admin/) and the hash of its output, which decides
 * whether the Pages upload re-runs.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execNode, resolveBin } from './exec.ts'
import { repoRoot } from './paths.ts'

/** Builds admin/ into admin/dist and returns that directory. */
export async function buildAdminSite(env: Record<string, string> = {}): Promise<string> {
  const adminDir = join(repoRoot, 'admin')
  await execNode(resolveBin(adminDir, 'astro', 'bin/astro.mjs'), ['build'], { cwd: adminDir, env: { ASTRO_TELEMETRY_DISABLED: '1', ...env } })
  return join(adminDir, 'dist')
}

/** SHA-256 over every file's relative path and content: equal trees hash equal, wherever they sit. */
export async function hashDirectory(dir: string): Promise<{ sha256: string; files: number }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort()
  if (files.length === 0) throw new Error(`${dir} is empty: build the admin site first`)
  const hash = createHash('sha256')
  for (const file of files) {
    const content = await readFile(join(dir, file))
    hash.update(`${file}\0${createHash('sha256').update(content).digest('hex')}\n`)
  }
  return { sha256: hash.digest('hex'), files: files.length }
}
