// Runs before every workerd test file: the D1 schema (worker/migrations/d1) in the test database,
// so the telemetry consumer — which runs behind every test that sends requests — has its tables.
import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
