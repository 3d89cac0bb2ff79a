-- Anomaly detection (issue 9): the usage event's new fields, as in D1 migration 0008.
ALTER TABLE watchllm.usage_events ADD COLUMN IF NOT EXISTS anomaly_id text;
ALTER TABLE watchllm.usage_events ADD COLUMN IF NOT EXISTS anomaly_ratio double precision;
CREATE INDEX IF NOT EXISTS usage_events_anomaly ON watchllm.usage_events (anomaly_id) WHERE anomaly_id IS NOT NULL;
