-- Scale (issue 14). The pre-upstream budget: the usage event's new field, as in D1 migration 0011.
ALTER TABLE watchllm.usage_events ADD COLUMN IF NOT EXISTS lookup_budget_stage text;

-- Daily rollups of the raw events retention deletes (only where a project sets
-- telemetry.postgres_retention_days): each pruning statement deletes a batch of raw rows and adds
-- them to these sums in one statement, so no event is counted twice or lost.
CREATE TABLE IF NOT EXISTS watchllm.usage_rollup_day (
  day              date NOT NULL,             -- UTC
  project          text NOT NULL,
  key_id           text NOT NULL,
  model            text NOT NULL,             -- served, else requested; '' for none
  provider         text NOT NULL,
  cache            text NOT NULL,
  variant          text NOT NULL,
  requests         bigint NOT NULL,
  errors           bigint NOT NULL,
  input_tokens     bigint NOT NULL,
  output_tokens    bigint NOT NULL,
  cached_tokens    bigint NOT NULL,
  reasoning_tokens bigint NOT NULL,
  cost_usd         numeric(24, 10) NOT NULL,  -- priced events only (unpriced counts them)
  cost_saved_usd   numeric(24, 10) NOT NULL,
  unpriced         bigint NOT NULL,
  latency_ms_sum   double precision NOT NULL,
  PRIMARY KEY (day, project, key_id, model, provider, cache, variant)
);
