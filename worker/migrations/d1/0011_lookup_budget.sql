-- The pre-upstream budget (issue 14): which stage found `cache.lookup_budget_ms` spent, per event.
-- See worker/docs/storage-schema.md. Append-only: change the schema with a new file.

ALTER TABLE usage_events ADD COLUMN lookup_budget_stage TEXT;   -- limits | location | exact | semantic; NULL within budget
