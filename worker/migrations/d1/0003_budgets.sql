-- Limits and budgets: budget threshold alerts and scheduled-report dispatches. Both tables are
-- idempotency ledgers: the primary key names the one message it stands for, so two requests crossing
-- the same threshold together, or a cron trigger firing twice, insert (and so send) once.
-- Written by the limit stage's settlement and the `scheduled` handler; see worker/docs/storage-schema.md.

-- One row per (scope, budget, period, threshold) announced.
CREATE TABLE IF NOT EXISTS budget_alerts (
  id          TEXT PRIMARY KEY,             -- project|scope|subject|budget|period|threshold
  ts          INTEGER NOT NULL,             -- ms since epoch, when the threshold was crossed
  project     TEXT NOT NULL,
  scope       TEXT NOT NULL,                -- project | key | session
  subject     TEXT NOT NULL,                -- the project, key id or session id
  budget      TEXT NOT NULL,                -- the budget's name in policy
  period      TEXT NOT NULL,                -- 2026-05-14 (day) | 2026-05 (month) | session
  threshold   INTEGER NOT NULL,             -- percent of the budget
  unit        TEXT NOT NULL,                -- usd | tokens
  used        REAL NOT NULL,                -- spent when it was announced
  limit_value REAL NOT NULL,
  refusing    INTEGER NOT NULL,             -- 1: announced by the period's first refusal (or downgrade)
  status      TEXT NOT NULL,                -- recorded (no webhook) | sending | sent | failed
  attempts    INTEGER NOT NULL DEFAULT 0,
  claimed_at  INTEGER,                      -- when the current delivery attempt started
  sent_at     INTEGER,
  error       TEXT                          -- the last failure's kind (never the URL)
);
CREATE INDEX IF NOT EXISTS budget_alerts_ts ON budget_alerts (ts DESC);
CREATE INDEX IF NOT EXISTS budget_alerts_status ON budget_alerts (status, claimed_at);

-- One row per (project, report kind, period): the cron's dispatch table.
CREATE TABLE IF NOT EXISTS report_dispatches (
  id           TEXT PRIMARY KEY,            -- project|daily|2026-05-13 or project|weekly|2026-05-11 (the period's first day)
  project      TEXT NOT NULL,
  kind         TEXT NOT NULL,               -- daily | weekly
  period_start INTEGER NOT NULL,            -- ms since epoch, UTC midnight
  period_end   INTEGER NOT NULL,
  status       TEXT NOT NULL,               -- sending | sent | failed
  attempts     INTEGER NOT NULL DEFAULT 0,
  claimed_at   INTEGER NOT NULL,
  sent_at      INTEGER,
  error        TEXT
);
