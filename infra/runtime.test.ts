/**
 * Pulumi.yaml runs the program as `node --import tsx` on an ESM entry: prove that path works
 * outside vitest's transform (TypeScript, `.ts` imports, top-level await, dynamic providers
 * serialised and rebuilt by the loader Pulumi will really use).
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { describe, expect, test } from 'vitest'
import { compilePolicyOrThrow } from './lib/policy.ts'
import { fakeBundleDir } from './testing/program.ts'

describe('Pulumi runtime', () => {
  test('Pulumi.yaml configures the nodejs runtime with tsx and points at infra/', async () => {
    const yaml = await readFile('Pulumi.yaml', 'utf8')
    expect(yaml).toMatch(/main: infra\//)
    expect(yaml).toMatch(/stackConfigDir: stacks/)
    expect(yaml).toMatch(/nodeargs: --import tsx/)
    expect(yaml).toMatch(/typescript: false/)
  })

  test('the program loads under `node --import tsx` and its dynamic providers, rebuilt from their serialised text, run', async () => {
    const { hash } = await compilePolicyOrThrow('infra/testing/production-policy', 'production')
    const bundle = await fakeBundleDir(`export default {} // ${hash}`)
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', 'infra/testing/tsx-entry.ts', bundle], { timeout: 60_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      ),
    )
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      node: string
      policyHash: string
      types: string[]
      providers: { type: string; methods: string[] }[]
      createdIndex: string
      fakeIndexes: unknown[]
    }
    expect(Number(result.node.split('.')[0])).toBeGreaterThanOrEqual(22)
    expect(result.policyHash).toBe(hash)
    expect(result.types).toContain('cloudflare:index/workersScript:WorkersScript')
    const all = ['create', 'read', 'update', 'delete', 'diff']
    expect([...result.providers].sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'pulumi-nodejs:dynamic/watchllm:D1Migrations', methods: all },
      { type: 'pulumi-nodejs:dynamic/watchllm:VectorizeIndex', methods: all },
    ])
    // The provider rebuilt from state text, run for real against a fake Cloudflare API.
    expect(result.createdIndex).toBe('watchllm-tsx-semantic')
    expect(result.fakeIndexes).toEqual([{ name: 'watchllm-tsx-semantic', config: { dimensions: 768, metric: 'cosine' } }])
  })
})
