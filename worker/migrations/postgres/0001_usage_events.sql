-- Long-term usage log in Postgres (Supabase through Hyperdrive; a local Postgres under `npm start`).
-- The same event as D1's usage_events (schema v1), with Postgres types. Kept in its own schema so
-- Supabase's public API (PostgREST exposes `public`) never serves it. Append-only: change the
-- schema with a new file. Applied by infra (cloud) and scripts/start/postgres.mjs (local, tests).
CREATE SCHEMA IF NOT EXISTS watchllm;

CREATE TABLE IF NOT EXISTS watchllm.usage_events (
  request_id       text PRIMARY KEY,
  v                smallint NOT NULL,
  ts               timestamptz NOT NULL,
  project          text NOT NULL,
  key_id           text NOT NULL,
  session          text,
  user_id          text,
  endpoint         text NOT NULL,
  model_requested  text,
  model_served     text,
  provider         text,
  variant          text,
  stream           boolean NOT NULL,
  cache            text,
  similarity       double precision,
  status           smallint NOT NULL,
  error_code       text,
  completed        boolean NOT NULL,
  attempts         smallint NOT NULL,
  latency_ms       double precision NOT NULL,
  upstream_ms      double precision,
  ttfb_ms          double precision,
  input_tokens     integer NOT NULL,
  output_tokens    integer NOT NULL,
  cached_tokens    integer NOT NULL,
  reasoning_tokens integer NOT NULL,
  cost_usd         numeric(20, 10),
  cost_saved_usd   numeric(20, 10),
  price_status     text NOT NULL,
  rule_id          text,
  pii              jsonb,
  budget           text,
  rate_limit       text,
  policy_hash      text NOT NULL,
  attempts_detail  jsonb,
  prompt           text,
  answer           text,
  received_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS usage_events_ts ON watchllm.usage_events (ts DESC);
CREATE INDEX IF NOT EXISTS usage_events_project_ts ON watchllm.usage_events (project, ts DESC);
CREATE INDEX IF NOT EXISTS usage_events_key_ts ON watchllm.usage_events (key_id, ts DESC);
