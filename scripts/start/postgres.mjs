// Local Postgres for `npm start` and the tests: makes sure the server runs (starting the Debian
// cluster when it is down), creates the database, and applies worker/migrations/postgres/*.sql
// once each, in name order, recorded in `watchllm.schema_migrations` (the table infra/ uses for
// Supabase, infra/lib/postgres-tracking.ts). A file changed after it was applied is refused: migrations are append-only.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ensureTrackingTableSql, trackingTable } from '../../infra/lib/postgres-tracking.ts'

// Node's own resolution, even when a bundler with the `workerd` condition (the vitest workers
// project) loads this file: the driver's Workers build needs `cloudflare:sockets`.
const postgres = createRequire(import.meta.url)('postgres')

const root = fileURLToPath(new URL('../..', import.meta.url))
export const migrationsDir = `${root}worker/migrations/postgres`
// Trust auth on loopback: the password is never asked for, but Hyperdrive's local emulation
// refuses a connection string without one.
const defaults = { host: '127.0.0.1', port: 5432, user: 'postgres', password: 'local' }

export const urlFor = (database, { host, port, user, password } = defaults) => `postgres://${user}:${password}@${host}:${port}/${database}`

/**
 * `npm start`: the local `watchllm` database, migrated. Returns its connection string (the one
 * worker/wrangler.jsonc's local Hyperdrive binding points at).
 * @returns {Promise<{ connectionString: string, applied: string[] }>}
 */
export async function ensureLocalPostgres({ database = 'watchllm', server = defaults } = {}) {
  await ensureServer(server)
  await createDatabase(database, server)
  const connectionString = urlFor(database, server)
  const applied = await applyPostgresMigrations(connectionString)
  return { connectionString, applied }
}
export default ensureLocalPostgres

/** Connects to the server; if nothing listens, starts the local cluster and waits (≤ 20 s). */
export async function ensureServer(server = defaults) {
  if (await reachable(server)) return
  let clusters = []
  try {
    clusters = await readdir('/etc/postgresql')
  } catch {
    throw new Error(`PostgreSQL is not running on ${server.host}:${server.port} and no local cluster was found (install the Debian package \`postgresql\`)`)
  }
  const version = clusters.sort().at(-1)
  await promisify(execFile)('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']).catch((e) => {
    throw new Error(`PostgreSQL is not running and \`pg_ctlcluster ${version} main start\` failed: ${e.stderr || e.message}`)
  })
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (await reachable(server)) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`PostgreSQL ${version} was started but does not accept connections on ${server.host}:${server.port}`)
}

async function reachable(server) {
  const sql = admin(server)
  try {
    await sql`select 1`
    return true
  } catch (e) {
    if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'CONNECT_TIMEOUT') return false
    throw new Error(`PostgreSQL on ${server.host}:${server.port} refused the connection as ${server.user}: ${e.message}`)
  } finally {
    await sql.end({ timeout: 1 })
  }
}

const admin = (server = defaults) =>
  postgres(urlFor('postgres', server), { max: 1, connect_timeout: 3, idle_timeout: 1, onnotice: () => undefined })

export async function createDatabase(database, server = defaults) {
  assertName(database)
  const sql = admin(server)
  try {
    const [exists] = await sql`select 1 from pg_database where datname = ${database}`
    if (!exists) await sql.unsafe(`create database "${database}"`)
  } finally {
    await sql.end({ timeout: 1 })
  }
}

/** Drops a database, closing its open connections first (the tests' teardown). */
export async function dropDatabase(database, server = defaults) {
  assertName(database)
  const sql = admin(server)
  try {
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`
    await sql.unsafe(`drop database if exists "${database}"`)
  } finally {
    await sql.end({ timeout: 1 })
  }
}

/** Applies pending migration files; returns the names applied now. Idempotent. */
export async function applyPostgresMigrations(connectionString, dir = migrationsDir) {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort()
  const files = await Promise.all(
    names.map(async (name) => {
      const text = await readFile(`${dir}/${name}`, 'utf8')
      return { name, text, sha256: createHash('sha256').update(text).digest('hex') }
    }),
  )
  const sql = postgres(connectionString, { max: 1, connect_timeout: 5, idle_timeout: 1, onnotice: () => undefined })
  const applied = []
  try {
    await sql.unsafe(ensureTrackingTableSql)
    const done = new Map((await sql.unsafe(`select name, sha256 from ${trackingTable}`)).map((r) => [r.name, r.sha256]))
    for (const file of files) {
      if (done.has(file.name)) {
        if (done.get(file.name) !== file.sha256)
          throw new Error(`${file.name} changed after it was applied; add a new migration file instead of editing it`)
        continue
      }
      await sql.begin(async (tx) => {
        await tx.unsafe(file.text)
        await tx.unsafe(`insert into ${trackingTable} (name, sha256) values ($1, $2)`, [file.name, file.sha256])
      })
      applied.push(file.name)
    }
  } finally {
    await sql.end({ timeout: 1 })
  }
  return applied
}

function assertName(database) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`not a safe database name: ${database}`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { connectionString, applied } = await ensureLocalPostgres()
  console.log(`${connectionString}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`)
}
