// `npm run load` for 5 s, so the script cannot rot: it must finish, see every kind of traffic it
// sends answered as meant, cause no errors of its own and keep every cache within its bound.
// Timings are not asserted (they belong to `npm run load` itself, run on a quiet machine).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

it('a short load run causes no gateway errors and keeps the caches bounded', { timeout: 300_000 }, async () => {
  const child = spawn(`${root}node_modules/.bin/node`, [`${root}bench/load.mjs`], {
    cwd: root,
    env: { ...process.env, LOAD_SECONDS: '5', LOAD_CONNECTIONS: '8', LOAD_JSON: '1', PATH: `${root}node_modules/.bin:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (err += c))
  const code = await new Promise((resolve) => child.on('exit', resolve))
  const line = out.split('\n').find((l) => l.startsWith('{"rps"'))
  expect(line, `no summary; exit ${code}\n${out.slice(-2000)}\n${err.slice(-2000)}`).toBeDefined()
  const summary = JSON.parse(line!) as { gatewayErrors: number; upstreamErrors: number; withinBounds: boolean; cacheSeen: Record<string, number> }
  expect(summary.gatewayErrors).toBe(0)
  expect(summary.withinBounds).toBe(true)
  expect(summary.upstreamErrors).toBeGreaterThan(0)
  expect(Object.keys(summary.cacheSeen)).toEqual(expect.arrayContaining(['miss:MISS', 'exact_hit:HIT', 'semantic_hit:SEMANTIC', 'stream:MISS']))
  expect(code).toBe(0)
})
