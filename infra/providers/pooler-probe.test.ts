/**
 * The pooler probe against a real Postgres server (the local one the tests use: it answers a known
 * user with authentication) and a closed port; the refusal path is the fake pooler's (supabase-project.test.ts).
 */
import { createServer } from 'node:net'
import { describe, expect, test } from 'vitest'
import { probePooler } from './pooler-probe.ts'

describe('probePooler', () => {
  test('a server that knows the user answers with authentication: ready', async () => {
    expect(await probePooler('127.0.0.1', 5432, 'postgres', 'postgres', 5000)).toEqual({ ready: true })
  })

  test('nothing listening: not ready, no throw', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => resolve(p))
      })
    })
    expect(await probePooler('127.0.0.1', port, 'postgres', 'postgres', 2000)).toMatchObject({ ready: false })
  })
})
