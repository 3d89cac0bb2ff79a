/**
 * The policy watcher `npm start` runs: an edit is recompiled into the module the gateway bundles; a
 * bad edit prints the compiler's file:line messages and leaves that module (the last good policy) alone.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildPolicy } from '../build-policy.mjs'
import { watchPolicy } from './policy-watch.mjs'

let dir: string
let out: string
let watcher: ReturnType<typeof watchPolicy>
const logs: string[] = []
const hashIn = async () => /"hash": "([0-9a-f]{64})"/.exec(await readFile(out, 'utf8'))?.[1]

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'watchllm-policy-watch-'))
  dir = join(work, 'policies')
  out = join(work, 'policy.generated.ts')
  await cp('policies', dir, { recursive: true })
  const first = await buildPolicy(dir, out)
  if (!first.ok) throw new Error('the demo policy must compile')
  watcher = watchPolicy({ dir, outFile: out, currentHash: first.value.hash, log: (l: string) => logs.push(l), debounceMs: 20 })
})
afterAll(async () => {
  watcher?.close()
  await rm(join(dir, '..'), { recursive: true, force: true })
})

describe('the policy watcher', () => {
  it('recompiles an edit into the bundled module', async () => {
    const before = await hashIn()
    const projects = join(dir, 'projects.yaml')
    await writeFile(projects, (await readFile(projects, 'utf8')).replace('ttl_seconds: 3600', 'ttl_seconds: 1800'))
    await vi.waitFor(async () => expect(await hashIn()).not.toBe(before), { timeout: 5_000, interval: 25 })
    expect(logs.at(-1)).toMatch(/^policy: [0-9a-f]{12} compiled from .*; the gateway reloads it$/)
  })

  it('a bad edit prints file:line and keeps the last good policy', async () => {
    const good = await hashIn()
    const projects = join(dir, 'projects.yaml')
    await writeFile(projects, (await readFile(projects, 'utf8')).replace('max_turns: 1', 'max_turns: 0'))
    await vi.waitFor(() => expect(logs.at(-1)).toMatch(/still serving/), { timeout: 5_000, interval: 25 })
    expect(logs.at(-1)).toMatch(new RegExp(`policy: 1 problem\\(s\\), still serving ${good?.slice(0, 12)}:\\n.*projects\\.yaml:\\d+ projects\\.demo\\.cache\\.semantic\\.max_turns: must be ≥ 1 — hint: `))
    expect(await hashIn()).toBe(good)
  })

  it('fixing it goes live again', async () => {
    const good = await hashIn()
    const projects = join(dir, 'projects.yaml')
    await writeFile(projects, (await readFile(projects, 'utf8')).replace('max_turns: 0', 'max_turns: 2'))
    await vi.waitFor(async () => expect(await hashIn()).not.toBe(good), { timeout: 5_000, interval: 25 })
  })
})
