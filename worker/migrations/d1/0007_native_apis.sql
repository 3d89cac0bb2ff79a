-- Native APIs (issue 12): the Responses the gateway answered, kept for previous_response_id and
-- GET /v1/responses/{id}; prompt-cache write tokens in the usage event and the rollups the Costs
-- page reads. See worker/docs/storage-schema.md. Append-only: change the schema with a new file.

-- One row per Response the gateway answered for a project (unless the request said store: false or
-- the project's responses.retention_days is 0). Only the same project reads it back; rows past
-- expires_at are never served, and each insert deletes a few of them (the table stays bounded).
CREATE TABLE IF NOT EXISTS responses (
  project     TEXT NOT NULL,
  id          TEXT NOT NULL,                -- resp_… (the provider's when OpenAI answered natively)
  previous_id TEXT,                         -- the request's previous_response_id: the chain, read back recursively
  key_id      TEXT NOT NULL,                -- the key that made it (its policy id, never the key)
  created_at  INTEGER NOT NULL,             -- ms since epoch
  expires_at  INTEGER NOT NULL,             -- ms since epoch: created_at + the project's retention
  input       TEXT NOT NULL,                -- JSON array: the request's own input items, as the provider saw them (PII redacted)
  response    TEXT NOT NULL,                -- the Response JSON as answered (PII redacted)
  PRIMARY KEY (project, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS responses_expires ON responses (expires_at);

-- Prompt caching: cache writes (Anthropic cache_creation_input_tokens) and their 1-hour-TTL share.
-- cached_tokens already counts cache reads. NULL in events written before this migration.
ALTER TABLE usage_events ADD COLUMN cache_write_tokens INTEGER;
ALTER TABLE usage_events ADD COLUMN cache_write_1h_tokens INTEGER;
ALTER TABLE usage_rollup_minute ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_rollup_minute ADD COLUMN cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0;

-- The rollup trigger of 0001, now also summing cache writes.
DROP TRIGGER IF EXISTS usage_events_rollup;
CREATE TRIGGER usage_events_rollup AFTER INSERT ON usage_events
BEGIN
  INSERT INTO usage_rollup_minute (
    minute, project, key_id, model, provider, cache, variant,
    requests, errors, input_tokens, output_tokens, cached_tokens, reasoning_tokens,
    cost_usd, cost_saved_usd, unpriced, simulated, latency_ms_sum, cache_write_tokens, cache_write_1h_tokens
  ) VALUES (
    NEW.ts - NEW.ts % 60000, NEW.project, NEW.key_id,
    COALESCE(NEW.model_served, NEW.model_requested, ''), COALESCE(NEW.provider, ''),
    COALESCE(NEW.cache, ''), COALESCE(NEW.variant, ''),
    1, NEW.status >= 400, NEW.input_tokens, NEW.output_tokens, NEW.cached_tokens, NEW.reasoning_tokens,
    COALESCE(NEW.cost_usd, 0), COALESCE(NEW.cost_saved_usd, 0),
    NEW.price_status = 'unpriced', NEW.price_status = 'simulated', NEW.latency_ms,
    COALESCE(NEW.cache_write_tokens, 0), COALESCE(NEW.cache_write_1h_tokens, 0)
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
    latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    cache_write_1h_tokens = cache_write_1h_tokens + excluded.cache_write_1h_tokens;
END;
