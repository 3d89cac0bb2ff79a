/**
 * Where applied Postgres migrations are recorded, for Supabase (infra/providers/supabase-migrations.ts)
 * and the local database (scripts/start/postgres.mjs) alike: `watchllm.schema_migrations`, in the
 * schema the usage tables live in, never in `public` (Supabase serves `public` through its REST API).
 * Stacks deployed before it moved kept `public.watchllm_schema_migrations`: its rows move over once.
 */
export const trackingTable = 'watchllm.schema_migrations'

export const ensureTrackingTableSql = `CREATE SCHEMA IF NOT EXISTS watchllm;
CREATE TABLE IF NOT EXISTS ${trackingTable} (
  name text PRIMARY KEY,
  sha256 text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
DO $$
BEGIN
  IF to_regclass('public.watchllm_schema_migrations') IS NOT NULL THEN
    INSERT INTO ${trackingTable} (name, sha256, applied_at)
      SELECT name, sha256, applied_at FROM public.watchllm_schema_migrations ON CONFLICT (name) DO NOTHING;
    DROP TABLE public.watchllm_schema_migrations;
  END IF;
END $$;`
