/**
 * Runs the whole Pulumi program (infra/index.ts) under mocks with a given stack config, the way
 * `pulumi preview/up` would, and returns what it registered and exported.
 */
import { rmSync } from 'node:fs'
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as pulumi from '@pulumi/pulumi'
import { afterAll, vi } from 'vitest'
import { repoRoot } from '../lib/paths.ts'
import { installMocks, type RecordedResource } from './mocks.ts'

export interface ProgramRun {
  resources: RecordedResource[]
  outputs: Record<string, unknown>
  ofType(type: string): RecordedResource[]
  /** The single resource of `type`; throws if there is not exactly one. */
  one(type: string): RecordedResource
}

export interface ProgramConfig {
  stack?: string
  /** `watchllm:<key>` settings; objects are stored as JSON, as `pulumi config set --path` does. */
  settings: Record<string, unknown>
  /** `watchllm:<key>` values stored encrypted. */
  secrets?: Record<string, string>
  /** `watchllm:<key>` values stored in plaintext (to test that keys must not be). */
  plaintext?: Record<string, string>
  /** Other config keys, verbatim (e.g. `upstash:email`); undefined leaves a default key out. */
  raw?: Record<string, string | undefined>
  /** Environment for this run (undefined unsets); defaults give the API tokens infra requires. */
  env?: Record<string, string | undefined>
}

const defaultEnv = { CLOUDFLARE_API_TOKEN: 'test-cloudflare-token', SUPABASE_ACCESS_TOKEN: 'test-supabase-token' }

async function resolved(value: unknown): Promise<unknown> {
  if (value === undefined) return undefined
  return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v)))
}

export async function runProgram(cfg: ProgramConfig): Promise<ProgramRun> {
  const stack = cfg.stack ?? 'test'
  vi.resetModules()
  const resources = await installMocks(stack)
  const all: Record<string, string> = {}
  for (const [k, v] of Object.entries(cfg.settings)) all[`watchllm:${k}`] = typeof v === 'string' ? v : JSON.stringify(v)
  for (const [k, v] of Object.entries(cfg.plaintext ?? {})) all[`watchllm:${k}`] = v
  for (const [k, v] of Object.entries(cfg.secrets ?? {})) all[`watchllm:${k}`] = v
  const raw = { 'upstash:email': 'ops@example.com', 'upstash:apiKey': 'upstash-api-key', ...cfg.raw }
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) all[k] = v
  const secretKeys = [...Object.keys(cfg.secrets ?? {}).map((k) => `watchllm:${k}`), ...(raw['upstash:apiKey'] === undefined ? [] : ['upstash:apiKey'])]
  pulumi.runtime.setAllConfig(all, secretKeys)
  const env: Record<string, string | undefined> = { ...defaultEnv, ...cfg.env }
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  // Keep a token a test already set (the fake API's); otherwise use the defaults.
  apply(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, k in (cfg.env ?? {}) ? v : (process.env[k] ?? v)])))
  try {
    const mod = (await import('../index.ts')) as Record<string, unknown>
    const outputs: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(mod)) outputs[k] = await resolved(v)
    await pulumi.runtime.disconnect()
    return {
      resources,
      outputs,
      ofType: (type) => resources.filter((r) => r.type === type),
      one: (type) => {
        const found = resources.filter((r) => r.type === type)
        if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`)
        return found[0] as RecordedResource
      },
    }
  } finally {
    apply(saved)
    await pulumi.runtime.disconnect().catch(() => undefined)
  }
}

/**
 * Every temp directory a test file makes lives under one root, removed after the file's tests. It is
 * inside the repository (the ignored .tmp/), as the program wants built bundles and sites to be.
 */
let tempRoot: string | undefined
afterAll(() => {
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true })
  tempRoot = undefined
})
async function tempDir(prefix: string): Promise<string> {
  if (!tempRoot) {
    await mkdir(join(repoRoot, '.tmp'), { recursive: true })
    tempRoot = await mkdtemp(join(repoRoot, '.tmp', 'infra-test-'))
  }
  return mkdtemp(join(tempRoot, prefix))
}

/** A directory with a fake wrangler output (`index.js` + an extra wasm module). */
export async function fakeBundleDir(mainContent: string): Promise<string> {
  const dir = await tempDir('bundle-')
  await writeFile(join(dir, 'index.js'), mainContent)
  await writeFile(join(dir, 'index.js.map'), '{}')
  await writeFile(join(dir, 'README.md'), 'wrangler readme')
  await writeFile(join(dir, 'tokenizer.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]))
  return dir
}

/** Writes files under a fresh temp directory; returns the directory. */
export async function tempTree(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('tree-')
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return dir
}
