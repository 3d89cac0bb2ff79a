-- Telemetry: raw usage events, per-minute rollups the admin site reads, dead-lettered events and
-- the admin audit log. Written only by the telemetry consumer (and the admin API's audit);
-- see worker/docs/storage-schema.md. Append-only: change the schema with a new file.

-- One row per request (event schema v1). request_id is the idempotency key: a redelivered
-- batch inserts nothing twice, and the rollup trigger only fires for rows actually inserted.
CREATE TABLE IF NOT EXISTS usage_events (
  request_id       TEXT PRIMARY KEY,
  v                INTEGER NOT NULL,
  ts               INTEGER NOT NULL,          -- ms since epoch, when the request arrived
  project          TEXT NOT NULL,
  key_id           TEXT NOT NULL,
  session          TEXT,
  user_id          TEXT,
  endpoint         TEXT NOT NULL,             -- chat | embeddings
  model_requested  TEXT,
  model_served     TEXT,
  provider         TEXT,
  variant          TEXT,
  stream           INTEGER NOT NULL,          -- 0 | 1
  cache            TEXT,                      -- HIT | SEMANTIC | MISS | BYPASS
  similarity       REAL,
  status           INTEGER NOT NULL,
  error_code       TEXT,
  completed        INTEGER NOT NULL,
  attempts         INTEGER NOT NULL,
  latency_ms       REAL NOT NULL,
  upstream_ms      REAL,
  ttfb_ms          REAL,
  input_tokens     INTEGER NOT NULL,
  output_tokens    INTEGER NOT NULL,
  cached_tokens    INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  cost_usd         REAL,                      -- NULL when unpriced: never counted as $0
  cost_saved_usd   REAL,
  price_status     TEXT NOT NULL,             -- priced | simulated | unpriced | none
  rule_id          TEXT,
  pii              TEXT,                      -- JSON array of PII kinds found (never values)
  budget           TEXT,
  rate_limit       TEXT,
  policy_hash      TEXT NOT NULL,
  attempts_detail  TEXT,                      -- JSON [{provider, model, status, ms, error}]
  prompt           TEXT,                      -- only when the project opts in; redacted
  answer           TEXT
);
CREATE INDEX IF NOT EXISTS usage_events_ts ON usage_events (ts DESC, request_id DESC);
CREATE INDEX IF NOT EXISTS usage_events_project_ts ON usage_events (project, ts DESC);

-- Per-minute counters by every dimension the admin filters on ('' for "none", so the key dedupes).
CREATE TABLE IF NOT EXISTS usage_rollup_minute (
  minute           INTEGER NOT NULL,          -- ms since epoch, floored to the minute
  project          TEXT NOT NULL,
  key_id           TEXT NOT NULL,
  model            TEXT NOT NULL,
  provider         TEXT NOT NULL,
  cache            TEXT NOT NULL,
  variant          TEXT NOT NULL,
  requests         INTEGER NOT NULL DEFAULT 0,
  errors           INTEGER NOT NULL DEFAULT 0,
  input_tokens     INTEGER NOT NULL DEFAULT 0,
  output_tokens    INTEGER NOT NULL DEFAULT 0,
  cached_tokens    INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd         REAL NOT NULL DEFAULT 0,
  cost_saved_usd   REAL NOT NULL DEFAULT 0,
  unpriced         INTEGER NOT NULL DEFAULT 0,
  simulated        INTEGER NOT NULL DEFAULT 0,
  latency_ms_sum   REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, project, key_id, model, provider, cache, variant)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS usage_events_rollup AFTER INSERT ON usage_events
BEGIN
  INSERT INTO usage_rollup_minute (
    minute, project, key_id, model, provider, cache, variant,
    requests, errors, input_tokens, output_tokens, cached_tokens, reasoning_tokens,
    cost_usd, cost_saved_usd, unpriced, simulated, latency_ms_sum
  ) VALUES (
    NEW.ts - NEW.ts % 60000, NEW.project, NEW.key_id,
    COALESCE(NEW.model_served, NEW.model_requested, ''), COALESCE(NEW.provider, ''),
    COALESCE(NEW.cache, ''), COALESCE(NEW.variant, ''),
    1, NEW.status >= 400, NEW.input_tokens, NEW.output_tokens, NEW.cached_tokens, NEW.reasoning_tokens,
    COALESCE(NEW.cost_usd, 0), COALESCE(NEW.cost_saved_usd, 0),
    NEW.price_status = 'unpriced', NEW.price_status = 'simulated', NEW.latency_ms
  )
  ON CONFLICT (minute, project, key_id, model, provider, cache, variant) DO UPDATE SET
    requests = requests + 1,
    errors = errors + excluded.errors,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cached_tokens = cached_tokens + excluded.cached_tokens,
    reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
    cost_usd = cost_usd + excluded.cost_usd,
    cost_saved_usd = cost_saved_usd + excluded.cost_saved_usd,
    unpriced = unpriced + excluded.unpriced,
    simulated = simulated + excluded.simulated,
    latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum;
END;

-- Events the pipeline gave up on (queue retries exhausted, or not a valid event): kept whole so
-- they can be replayed, and counted on the admin overview.
CREATE TABLE IF NOT EXISTS telemetry_dead_letters (
  id         TEXT PRIMARY KEY,                -- the request id, or the queue message id if unreadable
  ts         INTEGER NOT NULL,                -- the event's time (dead_at when unknown)
  dead_at    INTEGER NOT NULL,
  attempts   INTEGER NOT NULL,
  reason     TEXT NOT NULL,                   -- retries_exhausted | invalid_event
  event      TEXT NOT NULL
);

-- Every call to the admin API, allowed or not.
CREATE TABLE IF NOT EXISTS admin_audit (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  ts         INTEGER NOT NULL,
  actor      TEXT NOT NULL,                   -- token fingerprint and/or Access identity; 'anonymous'
  method     TEXT NOT NULL,
  path       TEXT NOT NULL,
  query      TEXT NOT NULL,
  status     INTEGER NOT NULL,
  ip         TEXT,
  user_agent TEXT
);
CREATE INDEX IF NOT EXISTS admin_audit_ts ON admin_audit (ts DESC);
