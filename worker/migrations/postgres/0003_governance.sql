-- Experiments, rules, PII (issue 9): the usage event's new fields, as in D1 migration 0004.
ALTER TABLE watchllm.usage_events ADD COLUMN IF NOT EXISTS experiment text;
ALTER TABLE watchllm.usage_events ADD COLUMN IF NOT EXISTS pii_counts jsonb;
ALTER TABLE watchllm.usage_events ADD COLUMN IF NOT EXISTS rules jsonb;
CREATE INDEX IF NOT EXISTS usage_events_experiment_ts ON watchllm.usage_events (experiment, ts) WHERE experiment IS NOT NULL;
