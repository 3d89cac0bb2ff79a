/**
 * The admin site's Pages upload, built for real (astro + wrangler): static pages and the `/api`
 * function only, no server output, and byte-identical across builds of the same tree.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { buildAdminSite, foreignUploadFiles, hashDirectory, listFiles } from './admin-build.ts'

const root = await mkdtemp(join(tmpdir(), 'watchllm-admin-build-'))
afterAll(() => rm(root, { recursive: true, force: true }))

describe('the admin upload', () => {
  test('holds the prerendered pages and the /api function only, and two builds hash the same', async () => {
    const one = await buildAdminSite({ compatibilityDate: '2026-11-01', outDir: join(root, 'one') })
    const two = await buildAdminSite({ compatibilityDate: '2026-11-01', outDir: join(root, 'two') })
    const files = await listFiles(one)

    // Every page is a static file; nothing a server would run, no maps, no configs.
    for (const page of ['index.html', 'requests.html', 'request.html', 'cache.html', 'costs.html', 'experiments.html', 'budgets.html', 'policy.html'])
      expect(files).toContain(page)
    expect(foreignUploadFiles(files)).toEqual([])
    expect(files.filter((f) => f.startsWith('_worker.js/'))).toEqual(['_worker.js/index.js'])
    // The adapter's one Pages-facing output: content-hashed assets are immutable, pages are not.
    expect(await readFile(join(one, '_headers'), 'utf8')).toMatch(/^\/_astro\/\*\n\s+Cache-Control: public, max-age=31536000, immutable/)
    expect(files.some((f) => f === 'wrangler.json' || f === '.assetsignore')).toBe(false)
    // Pages runs the function for /api/* only; everything else is served as static files.
    expect(JSON.parse(await readFile(join(one, '_routes.json'), 'utf8'))).toMatchObject({ version: 1, include: ['/api/*'], exclude: [] })

    const [a, b] = [await hashDirectory(one), await hashDirectory(two)]
    expect(a.files).toBe(files.length)
    expect(b).toEqual(a)
  }, 240_000)

  test('would refuse server output, source maps and configs', () => {
    expect(foreignUploadFiles(['index.html', '_astro/a.js', '_headers', '_routes.json', '_worker.js/index.js', 'server/entry.mjs', '_worker.js/index.js.map', 'wrangler.json', 'client/x.mjs'])).toEqual([
      'server/entry.mjs',
      '_worker.js/index.js.map',
      'wrangler.json',
      'client/x.mjs',
    ])
  })
})
