import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { fakeBundleDir, tempTree } from '../testing/program.ts'
import { formatBundleReport, mainModuleName, readWorkerBundle } from './bundle.ts'

describe('worker bundle', () => {
  test('the entry module is named after wrangler’s main', () => {
    expect(mainModuleName('src/index.ts')).toBe('index.js')
    expect(mainModuleName('src/worker.mts')).toBe('worker.js')
  })

  test('reads modules, skips the source map and README, and measures raw and gzip size', async () => {
    const content = `export default { fetch() { return new Response('${'x'.repeat(5000)}') } }`
    const dir = await fakeBundleDir(content)
    const bundle = await readWorkerBundle(dir, 'src/index.ts')
    expect(bundle.main).toMatchObject({ name: 'index.js', contentType: 'application/javascript+module', bytes: content.length })
    expect(bundle.extras.map((m) => [m.name, m.contentType])).toEqual([['tokenizer.wasm', 'application/wasm']])
    expect(bundle.rawBytes).toBe(content.length + 8)
    expect(bundle.main.gzipBytes).toBe(gzipSync(content, { level: 9 }).byteLength)
    expect(bundle.gzipBytes).toBeLessThan(bundle.rawBytes)
  })

  test('the bundle hash changes exactly when a module changes', async () => {
    const a = await readWorkerBundle(await fakeBundleDir('one'), 'src/index.ts')
    const b = await readWorkerBundle(await fakeBundleDir('one'), 'src/index.ts')
    const c = await readWorkerBundle(await fakeBundleDir('two'), 'src/index.ts')
    expect(a.sha256).toBe(b.sha256)
    expect(a.sha256).not.toBe(c.sha256)
  })

  test('a directory without the entry module is an error naming what it found', async () => {
    const dir = await tempTree({ 'other.js': 'x' })
    await expect(readWorkerBundle(dir, 'src/index.ts')).rejects.toThrow(/has no index.js \(found: other.js\)/)
  })

  test('the report says whether the gzip size is within the budget', async () => {
    const bundle = await readWorkerBundle(await fakeBundleDir('export default {}'), 'src/index.ts')
    expect(formatBundleReport(bundle, 1024 * 1024)).toMatch(/total: 0\.0 KiB raw, 0\.1 KiB gzip — within the 1024\.0 KiB gzip budget/)
    expect(formatBundleReport(bundle, 10)).toMatch(/OVER the 0\.0 KiB gzip budget/)
  })
})
