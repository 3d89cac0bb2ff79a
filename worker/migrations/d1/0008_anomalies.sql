-- Anomaly detection (issue 9): the usage event's new fields, and the anomalies themselves.
-- See worker/docs/storage-schema.md. Append-only: change the schema with a new file.

ALTER TABLE usage_events ADD COLUMN anomaly_id TEXT;     -- the anomaly the request tripped, or was refused for
ALTER TABLE usage_events ADD COLUMN anomaly_ratio REAL;  -- its measured growth (window rate / baseline rate)
CREATE INDEX IF NOT EXISTS usage_events_anomaly ON usage_events (anomaly_id) WHERE anomaly_id IS NOT NULL;

-- One row per anomaly a scope's ledger flagged (once per cooldown), written by the settlement that
-- tripped it. Like budget_alerts an idempotency ledger: the primary key names the anomaly (its
-- scope and window), so a repeated report inserts nothing, and only the inserter posts the webhook.
CREATE TABLE IF NOT EXISTS anomalies (
  id              TEXT PRIMARY KEY,         -- anom_<sha256(project|scope|subject|window_start), 24 hex>
  ts              INTEGER NOT NULL,         -- ms since epoch, when it was flagged
  project         TEXT NOT NULL,
  scope           TEXT NOT NULL,            -- key | session
  subject         TEXT NOT NULL,            -- the key id or session id
  metric          TEXT NOT NULL,            -- usd | tokens
  window_start    INTEGER NOT NULL,         -- ms since epoch
  window_ms       INTEGER NOT NULL,         -- the time the window covered when judged
  window_amount   REAL NOT NULL,            -- USD or tokens in it
  baseline_ms     INTEGER NOT NULL,         -- the trailing time before it (less than policy's for a young scope)
  baseline_amount REAL NOT NULL,
  ratio           REAL NOT NULL,            -- (window_amount / window_ms) / (baseline_amount / baseline_ms)
  threshold       REAL NOT NULL,            -- the policy's ratio
  action          TEXT NOT NULL,            -- flag | alert | block
  cooldown_until  INTEGER NOT NULL,         -- no new anomaly for this scope before (with block: refused until)
  request_id      TEXT,                     -- the request whose settlement tripped it
  status          TEXT NOT NULL,            -- recorded (flag, or no webhook) | sending | sent | failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  claimed_at      INTEGER,
  sent_at         INTEGER,
  error           TEXT                      -- the last failure's kind (never the URL)
);
CREATE INDEX IF NOT EXISTS anomalies_ts ON anomalies (ts DESC);
CREATE INDEX IF NOT EXISTS anomalies_status ON anomalies (status, claimed_at);
