-- Experiments, rules, PII (issue 9): the usage event's new fields, and feedback on answers.
-- See worker/docs/storage-schema.md. Append-only: change the schema with a new file.

ALTER TABLE usage_events ADD COLUMN experiment TEXT;     -- the A/B experiment `variant` belongs to
ALTER TABLE usage_events ADD COLUMN pii_counts TEXT;     -- JSON {kind: count} redacted (or found, when blocked); never values
ALTER TABLE usage_events ADD COLUMN rules TEXT;          -- JSON [{id, action}] of every rule that matched, in order
CREATE INDEX IF NOT EXISTS usage_events_experiment_ts ON usage_events (experiment, ts) WHERE experiment IS NOT NULL;

-- POST /v1/feedback: one score per (project, request). Written at once by the gateway, while the
-- request's event may still be on its way through the queue: the admin joins the two on
-- (project, request_id), so feedback arriving first simply waits, and a key can only ever rate its
-- own project's requests (a row under another project never joins).
CREATE TABLE IF NOT EXISTS feedback (
  project    TEXT NOT NULL,
  request_id TEXT NOT NULL,
  key_id     TEXT NOT NULL,                 -- the key that rated (its policy id, never the key)
  score      REAL NOT NULL,
  label      TEXT,
  ts         INTEGER NOT NULL,              -- ms since epoch, the latest rating
  PRIMARY KEY (project, request_id)
) WITHOUT ROWID;
