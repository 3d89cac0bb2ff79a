/**
 * A private Postgres database for this test run (`watchllm_test_<random>` on the local server,
 * started if it is down), migrated with the same code `npm start` uses; dropped at teardown. The
 * workerd tests reach it through the HYPERDRIVE binding (vitest.config.ts), the Node tests by URL.
 */
import { randomBytes } from 'node:crypto'
import type { TestProject } from 'vitest/node'
import { applyPostgresMigrations, createDatabase, dropDatabase, ensureServer, urlFor } from '../../../scripts/start/postgres.mjs'

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const database = `watchllm_test_${randomBytes(4).toString('hex')}`
  try {
    await ensureServer()
  } catch (e) {
    throw new Error(`The telemetry tests need a local PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth): ${(e as Error).message}`)
  }
  await createDatabase(database)
  const url: string = urlFor(database)
  await applyPostgresMigrations(url)
  project.provide('pgUrl', url)
  project.provide('pgDatabase', database)
  return async () => {
    await dropDatabase(database)
  }
}

declare module 'vitest' {
  interface ProvidedContext {
    pgUrl: string
    pgDatabase: string
  }
}
